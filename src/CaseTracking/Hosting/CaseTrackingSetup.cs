using CaseTracking.Access;
using CaseTracking.Auditing;
using CaseTracking.Cases;
using CaseTracking.Health;
using CaseTracking.Imports;
using CaseTracking.Infrastructure;
using CaseTracking.People;
using CaseTracking.Provinces;
using CaseTracking.Retention;
using CaseTracking.Web;
using FluentValidation;
using Weasel.Core;
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
    /// <summary>The connections Marten's pool may open (<c>CaseTracking:MaxPoolSize</c>); sized for two cores.</summary>
    public const int DefaultMaxPoolSize = 8;

    /// <summary>
    /// Statements Npgsql prepares automatically on each pooled connection (<c>CaseTracking:MaxAutoPrepare</c>; 0 turns it
    /// off). Measured: 379 against 234 reviews/s, PostgreSQL's CPU per review 2.7 ms against 4.9 (docs/performance.md, ADR 0010).
    /// </summary>
    public const int DefaultMaxAutoPrepare = 50;

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
        builder.Logging.QuietOutsideDevelopment(builder.Environment);
        // --- Observability (issue 19): OpenTelemetry, /metrics, JSON logs; see Hosting/Observability.cs ---
        builder.AddCaseTrackingObservability();

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(SupervisionKinds.FromConfiguration(configuration));
        builder.Services.AddSingleton(configuration.GetSection("CaseTracking:Alerts").Get<AlertSettings>() ?? new AlertSettings());
        builder.Services.AddSingleton<CaseClock>();
        builder.Services.AddSingleton(configuration.GetSection("CaseTracking:Statistics").Get<CaseTracking.Statistics.StatisticsSettings>() ?? new CaseTracking.Statistics.StatisticsSettings());
        builder.Services.AddSingleton(configuration.GetSection("CaseTracking:Dates").Get<DateWindowSettings>() ?? new DateWindowSettings());
        builder.Services.AddSingleton<DateWindow>();
        builder.Services.AddSingleton(configuration.GetSection("CaseTracking:Caseload").Get<CaseTracking.Caseloads.CaseloadSettings>() ?? new CaseTracking.Caseloads.CaseloadSettings());
        builder.Services.AddSingleton<Writes>();
        builder.Services.AddSingleton<Reads>();
        builder.Services.AddSingleton<CaseWrites>();
        builder.Services.AddSingleton<HashChain>();
        builder.Services.AddSingleton<Seals>();
        builder.Services.AddDataProtection(configuration);
        builder.Services.AddHostedService<DailySealService>();
        builder.Services.AddSingleton<AdminBootstrap>();
        builder.Services.AddSingleton<CaseTracking.Demo.Seeder>();
        // Every validator of the app (nested Validator classes), by FluentValidation's own scan; singletons, as they
        // hold no state (the date window is read when a rule runs).
        builder.Services.AddValidatorsFromAssemblyContaining<Program>(ServiceLifetime.Singleton, includeInternalTypes: true);
        builder.Services.AddImports();
        // Messages from the resources in the request's language, field names as the client sent them (camelCase).
        Messages.ConfigureValidation();
        builder.Services.AddCaseTrackingAuth();
        builder.Services.ConfigureHttpJsonOptions(o => Json.Configure(o.SerializerOptions));
        builder.Services.AddOpenApi(o => o.AddOperationTransformer<RequestBodyTransformer>());
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<FailureAnswers>();
        builder.Services.AddSingleton(new DatabaseProbe(connectionString));
        builder.Services.AddSingleton(new PostgresConnection(connectionString));
        builder.Services.AddProjectionHealth();

        var daemonMode = configuration["CaseTracking:DaemonMode"] ?? "Solo";
        if (daemonMode is not ("Solo" or "HotCold" or "Distributed"))
            throw new InvalidOperationException($"CaseTracking:DaemonMode must be Solo, HotCold or Distributed, not '{daemonMode}'.");
        // Two cores serve the app and PostgreSQL: a few connections working beat a hundred queued inside PostgreSQL.
        // Measured: 8 gave 8 % more reviews/s and a 15 % lower p99 than Npgsql's default 100 (docs/performance.md).
        var maxPoolSize = configuration.GetValue("CaseTracking:MaxPoolSize", DefaultMaxPoolSize);
        if (maxPoolSize < 2) throw new InvalidOperationException($"CaseTracking:MaxPoolSize must be at least 2, not {maxPoolSize}.");
        var pool = new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = maxPoolSize };
        // Npgsql's automatic preparation: a statement run often (five times) is parsed and planned once per connection
        // instead of on every request; a quarter of PostgreSQL's CPU on the write path went there (ADR 0010).
        var maxAutoPrepare = configuration.GetValue("CaseTracking:MaxAutoPrepare", DefaultMaxAutoPrepare);
        if (maxAutoPrepare is < 0 or > 1000)
            throw new InvalidOperationException($"CaseTracking:MaxAutoPrepare must be between 0 and 1000, not {maxAutoPrepare}.");
        pool.MaxAutoPrepare = maxAutoPrepare;
        var martenConnection = pool.ConnectionString;
        var marten = builder.Services.AddMarten(sp =>
            {
                var opts = new StoreOptions();
                opts.DatabaseSchemaName = schema;
                opts.ConfigureEventStore();
                opts.ConfigureCases(sp.GetRequiredService<SupervisionKinds>(), sp.GetRequiredService<CaseTracking.Statistics.StatisticsSettings>());
                opts.ConfigurePeople();
                opts.ConfigureAuditing();
                opts.ConfigureDataProtection();
                opts.ConfigureAccess();
                opts.ConfigureImports();
                // Provinces (issue 19): Marten's database-per-tenant support over the province registry (ADR 0007).
                opts.UseProvinces(martenConnection, schema, maxPoolSize);
                return opts;
            })
            .UseLightweightSessions()
            .ApplyAllDatabaseChangesOnStartup()
            .IntegrateWithWolverine(m =>
            {
                m.MessageStorageSchemaName = schema;
                // Provinces may have databases of their own (ADR 0007): Wolverine's node and envelope tables stay in the shared one.
                m.MainDatabaseConnectionString = connectionString;
                // Several nodes on one database: Wolverine spreads the projection shards over the nodes.
                m.UseWolverineManagedEventSubscriptionDistribution = daemonMode == "Distributed";
            });
        // Solo (one node, the default), HotCold (several nodes, one runs the projections, another takes
        // over when it stops), Distributed (Wolverine assigns shards to nodes; see docs/operations.md).
        if (daemonMode != "Distributed")
            marten.AddAsyncDaemon(daemonMode == "HotCold" ? DaemonMode.HotCold : DaemonMode.Solo);
        // --- Nodes (issue 19): node timings, shared keys, user changes to every node; see Hosting/Cluster.cs ---
        builder.AddCaseTrackingCluster(daemonMode);
        // After Marten's own start-up work (schema), in this order: our objects in every database, then the first admins.
        builder.Services.AddSingleton<PersonSearch>();
        builder.Services.AddProvinces();
        builder.Services.AddHostedService<AdminBootstrapService>();

        var pregenerated = UsesPregeneratedCode(builder.Environment);
        builder.Host.UseWolverine(opts =>
        {
            opts.ApplicationAssembly = typeof(Program).Assembly;
            opts.Policies.AutoApplyTransactions();
            if (pregenerated)
            {
                // The handlers written by `codegen write` into Internal/Generated and compiled in: no compiler at run time.
                opts.CodeGeneration.TypeLoadMode = TypeLoadMode.Static;
            }
            else
            {
                // Development and tests generate the handlers at start with Roslyn, so a changed endpoint needs no step.
                opts.UseRuntimeCompilation();
                opts.CodeGeneration.TypeLoadMode = TypeLoadMode.Dynamic;
            }

            opts.Durability.MessageStorageSchemaName = schema;
        });
        builder.Services.AddWolverineHttp();
        // --- UI (issue 7): AddRazorPages, AddLocalization, encoder; see Web/UiSetup.cs ---
        builder.AddCaseTrackingUi();
        // --- end UI ---
        // Last: the server Kestrel registered, warmed before it listens (WarmStart, issue 14's first request).
        builder.Services.AddWarmStart(configuration);
        return builder;
    }

    public static WebApplication UseCaseTracking(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseCaseTrackingMetrics();
        app.UseStatusCodePages();
        // --- UI (issue 7): UseResponseCompression, UseRequestLocalization, error page for non-/api paths ---
        app.UseCaseTrackingUi();
        // --- end UI ---
        app.UseMiddleware<UploadLimits>();
        app.UseMiddleware<InputHygiene>();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapOpenApi();
        app.MapWolverineEndpoints(opts =>
        {
            // A query value that does not parse (a bad date, an unknown status) is a 400, not a silent null.
            opts.RejectUnparseableQueryValues = true;
        });
        // --- UI (issue 7): static assets and Razor Pages (Web/UiSetup.cs) ---
        app.MapCaseTrackingUi();
        // --- end UI ---
        return app;
    }

    /// <summary>
    /// Production (any environment but Development and Testing) runs the Wolverine handlers pre-generated into
    /// <c>Internal/Generated</c> (<c>ops/codegen</c>; the test <c>pregenerated_code_is_current</c> fails when they are
    /// stale, since stale static code silently drops endpoints). The <c>codegen</c> verb itself, and a build without
    /// the generated code, generate at run time.
    /// </summary>
    public static bool UsesPregeneratedCode(IHostEnvironment environment) =>
        !environment.IsDevelopment() && !environment.IsEnvironment("Testing")
        && !Environment.GetCommandLineArgs().Contains("codegen", StringComparer.Ordinal)
        && typeof(Program).Assembly.GetType("Internal.Generated.WolverineHandlers.GeneratedHttpEndpointRegistry") is not null;

    /// <summary>
    /// Outside development the console shows only what needs attention: the frameworks speak at Warning (no start-up
    /// chatter, no line per request), the app's own categories as configured. A more specific category in
    /// <c>Logging:LogLevel</c> (for example <c>Microsoft.AspNetCore.Hosting.Diagnostics</c>) still turns lines on for a diagnosis.
    /// </summary>
    private static void QuietOutsideDevelopment(this ILoggingBuilder logging, IHostEnvironment environment)
    {
        if (environment.IsDevelopment()) return;
        foreach (var category in new[] { "Microsoft", "System", "Wolverine", "Marten", "JasperFx", "Npgsql" })
            logging.AddFilter(category, LogLevel.Warning);
        // The app has HTTP endpoints and no message handlers; Wolverine warns about that at every start.
        logging.AddFilter("Wolverine.Configuration.HandlerDiscovery", LogLevel.Error);
    }

    public static void ConfigureEventStore(this StoreOptions opts)
    {
        opts.Events.TenancyStyle = JasperFx.MultiTenancy.TenancyStyle.Conjoined;
        opts.Events.MetadataConfig.EnableAll();
        opts.Events.MetadataConfig.UserNameEnabled = true;
        opts.Events.MetadataConfig.HeadersEnabled = true;
        opts.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
        opts.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase);
        // The first answer of every idempotent write, saved with its events (Writes).
        opts.Schema.For<IdempotencyRecord>().MultiTenanted();
    }

}
