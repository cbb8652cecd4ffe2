using System.Net;
using System.Text.Json;
using Alba;
using CaseTracking.Health;
using CaseTracking.Operations;
using CaseTracking.Provinces;
using CaseTracking.Tests.Infrastructure;
using CaseTracking.Tests.Provinces;
using JasperFx.CommandLine;
using JasperFx.Events.Projections;
using Marten;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace CaseTracking.Tests.Health;

/// <summary>
/// Issue 19: readiness and <c>projection-status</c> cover every database of the store, not only the shared one. A
/// province on its own database (the second cluster) whose shard is stuck keeps the node not ready and is named with
/// its database; a province database that does not answer is named too.
/// </summary>
public sealed class readiness_over_every_database : IAsyncLifetime
{
    private const string Shard = "PoisonedProjection:All";
    private readonly string _schema = "t_" + Guid.NewGuid().ToString("N")[..12];
    private readonly string _database = "ct_ready_" + Guid.NewGuid().ToString("N")[..8];
    private string _cluster = "";
    private string _target = "";

    public async Task InitializeAsync()
    {
        _cluster = SecondCluster.Start();
        _target = await SecondCluster.CreateDatabaseAsync(_cluster, _database);
    }

    public async Task DisposeAsync()
    {
        await TestDatabase.DropSchemaAsync(_schema);
        await SecondCluster.DropDatabaseAsync(_cluster, _database);
    }

    [Fact]
    public async Task a_stuck_shard_in_a_province_database_keeps_the_node_not_ready_and_is_named_with_its_database()
    {
        await using var host = await StartAsync();
        var code = "rd" + Guid.NewGuid().ToString("N")[..6];
        var added = await host.Services.GetRequiredService<CaseTracking.Provinces.Provinces>()
            .AddAsync(new AddProvince(code, "Tỉnh chờ", _target, "qt-" + code, null), "test", DateTimeOffset.UtcNow, default);
        added.Status.ShouldBe(201);
        var label = ProvinceTenancy.DatabasePrefix + code;

        // Before anything fails the province's database is listed, and the node is ready.
        var ready = await ReadinessAsync(host, HttpStatusCode.OK);
        ShardIn(ready, Shard, label).GetProperty("state").GetString().ShouldBe("Running");

        // The pill in the province's own database: only that database's shard stops.
        await using (var session = host.Services.GetRequiredService<IDocumentStore>().LightweightSession(code))
        {
            session.Events.StartStream(Guid.CreateVersion7(), new Harmless(1));
            session.Events.StartStream(Guid.CreateVersion7(), new PoisonPill("in a province of its own"));
            await session.SaveChangesAsync();
        }

        var degraded = await ReadinessAsync(host, HttpStatusCode.ServiceUnavailable);
        degraded.GetProperty("reason").GetString()!.ShouldContain($"{Shard} in {label} is stuck");
        ShardIn(degraded, Shard, label).GetProperty("state").GetString().ShouldBe("Stuck");
        ShardIn(degraded, Shard, ProvinceTenancy.SharedLabel).GetProperty("state").GetString().ShouldBe("Running");

        var output = Render(await host.Services.GetRequiredService<ProjectionWatch>().ReadAsync(withLastFailure: true, default));
        output.ShouldContain(label);
        output.ShouldContain("stuck");

        // A province database that does not answer is named, within the readiness check's time.
        var tenancy = (ProvinceTenancy)host.Services.GetRequiredService<IDocumentStore>().Options.Tenancy;
        var gone = "gn" + Guid.NewGuid().ToString("N")[..6];
        (await tenancy.Registry.TryAddAsync(new ProvinceEntry(gone, "Tỉnh mất", "Host=127.0.0.1;Port=1;Database=nowhere;Username=x;Password=x",
            DateTimeOffset.UtcNow, "test"), default)).ShouldBeTrue();
        var started = DateTime.UtcNow;
        var unreachable = await ReadinessAsync(host, HttpStatusCode.ServiceUnavailable,
            body => body.GetProperty("reason").GetString()!.Contains($"Database {ProvinceTenancy.DatabasePrefix}{gone} is not reachable"));
        (DateTime.UtcNow - started).ShouldBeLessThan(TimeSpan.FromSeconds(20));
        ShardIn(unreachable, Shard, ProvinceTenancy.DatabasePrefix + gone).GetProperty("state").GetString().ShouldBe("Unreachable");
        await tenancy.Registry.RemoveAsync(gone, default);
    }

    private async Task<IAlbaHost> StartAsync()
    {
        JasperFxEnvironment.AutoStartHost = true;
        return await AlbaHost.For<Program>(builder =>
        {
            builder.UseSetting("ConnectionStrings:Marten", TestDatabase.ConnectionString);
            builder.UseSetting("CaseTracking:Schema", _schema);
            builder.UseSetting("CaseTracking:AdminPassword", TestData.AdminPassword);
            builder.UseSetting("CaseTracking:SealDaily", "false");
            builder.UseSetting("CaseTracking:DataFolder", Path.Combine(Path.GetTempPath(), "casetracking-tests", _schema));
            builder.ConfigureServices(services => services.ConfigureMarten(opts =>
            {
                opts.Events.AddEventType<PoisonPill>();
                opts.Events.AddEventType<Harmless>();
                opts.Projections.Add(new EventBlamingProjection(new PoisonedProjection(PoisonMode.Throws)), ProjectionLifecycle.Async, "PoisonedProjection");
            }));
        });
    }

    private static async Task<JsonElement> ReadinessAsync(IAlbaHost host, HttpStatusCode expected, Func<JsonElement, bool>? also = null)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var result = await host.Scenario(s =>
            {
                s.Get.Url("/health/ready");
                s.IgnoreStatusCode();
            });
            var body = await result.ReadAsJsonAsync<JsonElement>();
            if ((HttpStatusCode)result.Context.Response.StatusCode == expected && (also is null || also(body))) return body;
            if (DateTime.UtcNow > deadline) throw new ShouldAssertException($"readiness stayed {result.Context.Response.StatusCode}: {body}");
            await Task.Delay(250);
        }
    }

    private static JsonElement ShardIn(JsonElement readiness, string shard, string database) =>
        readiness.GetProperty("projections").EnumerateArray()
            .Single(p => p.GetProperty("name").GetString() == shard && p.GetProperty("database").GetString() == database);

    private static string Render(IReadOnlyList<ShardReport> shards)
    {
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No, Out = new AnsiConsoleOutput(writer)
        });
        console.Profile.Width = 400;
        ProjectionStatusCommand.Write(console, shards);
        return writer.ToString();
    }
}
