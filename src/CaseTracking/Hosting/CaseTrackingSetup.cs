using CaseTracking.Health;
using JasperFx;
using JasperFx.CodeGeneration;
using JasperFx.Events.Daemon;
using Marten;
using Wolverine;
using Wolverine.Http;
using Wolverine.Marten;

namespace CaseTracking.Hosting;

/// <summary>Wiring only: each module contributes its own Configure... extension.</summary>
public static class CaseTrackingSetup
{
    public static WebApplicationBuilder AddCaseTracking(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var connectionString = configuration.GetConnectionString("Marten");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                "No PostgreSQL connection: set ConnectionStrings__Marten, or start the app with ops/demo, which starts a private cluster.");
        }

        var schema = configuration["CaseTracking:Schema"] ?? "casetracking";

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddOpenApi();
        builder.Services.AddProblemDetails();
        builder.Services.AddSingleton(new DatabaseProbe(connectionString));
        builder.Services.AddSingleton<ProjectionWatch>();

        builder.Services.AddMarten(sp =>
            {
                var opts = new StoreOptions();
                opts.Connection(connectionString);
                opts.DatabaseSchemaName = schema;
                opts.ConfigureEventStore();
                return opts;
            })
            .UseLightweightSessions()
            .ApplyAllDatabaseChangesOnStartup()
            .IntegrateWithWolverine(m => m.MessageStorageSchemaName = schema)
            .AddAsyncDaemon(DaemonMode.Solo);

        builder.Host.UseWolverine(opts =>
        {
            opts.ApplicationAssembly = typeof(Program).Assembly;
            opts.Policies.AutoApplyTransactions();
            opts.UseRuntimeCompilation();
            // Dynamic code generation: pre-generated code silently drops endpoints added later.
            opts.CodeGeneration.TypeLoadMode = TypeLoadMode.Dynamic;
            opts.Durability.MessageStorageSchemaName = schema;
        });
        builder.Services.AddWolverineHttp();
        return builder;
    }

    public static WebApplication UseCaseTracking(this WebApplication app)
    {
        app.MapOpenApi();
        app.MapWolverineEndpoints();
        return app;
    }

    public static void ConfigureEventStore(this StoreOptions opts)
    {
        opts.Events.TenancyStyle = JasperFx.MultiTenancy.TenancyStyle.Conjoined;
        opts.Events.MetadataConfig.EnableAll();
        opts.Events.MetadataConfig.UserNameEnabled = true;
        opts.Events.MetadataConfig.HeadersEnabled = true;
        opts.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
    }
}
