using System.Net;
using System.Text.Json;
using Alba;
using CaseTracking.Health;
using CaseTracking.Operations;
using CaseTracking.Tests.Infrastructure;
using JasperFx.CommandLine;
using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using Marten.Events.Projections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace CaseTracking.Tests.Health;

/// <summary>An event the test projection cannot fold, and one it can.</summary>
public sealed record PoisonPill(string Note);

public sealed record Harmless(int Number);

public enum PoisonMode
{
    /// <summary>Throws on the pill, as a projection with a bug does.</summary>
    Throws,

    /// <summary>Neither fails nor moves: readiness can only know from what was recorded before the restart.</summary>
    Hangs,

    /// <summary>The fixed and redeployed projection.</summary>
    Cured
}

/// <summary>A hand-written batch projection, like CaseloadProjection and StatisticsProjection: it sees a page at once.</summary>
public sealed class PoisonedProjection(PoisonMode mode) : IProjection
{
    public async Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        foreach (var e in events.Where(e => e.Data is PoisonPill))
        {
            if (mode == PoisonMode.Throws) throw new InvalidOperationException($"cannot fold {e.Data}");
            if (mode == PoisonMode.Hangs) await Task.Delay(Timeout.Infinite, cancellation);
        }
    }
}

/// <summary>
/// Issue 13: a projection that fails on an event makes readiness say so at once, by name and event, across
/// restarts, until the projection gets past the event.
/// </summary>
public sealed class stuck_projection : IAsyncLifetime
{
    private const string Shard = "PoisonedProjection:All";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly string _schema = "t_" + Guid.NewGuid().ToString("N")[..12];

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => TestDatabase.DropSchemaAsync(_schema);

    [Fact]
    public async Task readiness_names_the_failing_projection_and_event_keeps_saying_so_after_a_restart_and_recovers_once_it_moves()
    {
        long poison;
        await using (var host = await StartAsync(PoisonMode.Throws))
        {
            poison = await AppendPoisonBetweenHarmlessEventsAsync(host);

            var degraded = await ReadinessAsync(host, HttpStatusCode.ServiceUnavailable);
            degraded.GetProperty("status").GetString().ShouldBe("degraded");
            var reason = degraded.GetProperty("reason").GetString()!;
            reason.ShouldContain(Shard);
            reason.ShouldContain($"event {poison} (poison_pill");
            reason.ShouldContain(nameof(InvalidOperationException));
            var shard = ShardIn(degraded, Shard);
            shard.GetProperty("state").GetString().ShouldBe("Stuck");
            shard.GetProperty("stuckAt").GetProperty("sequence").GetInt64().ShouldBe(poison);
            // The app's own projections got past the pill (they ignore it): only the poisoned one is named.
            ShardIn(degraded, "StatisticsProjection:All").GetProperty("state").GetString().ShouldBe("Running");

            // The operator's view: the CLI verb's table names the shard, its state and the event, with the message.
            var output = Render(await host.Services.GetRequiredService<ProjectionWatch>().ReadAsync(withLastFailure: true, default));
            output.ShouldContain(Shard);
            output.ShouldContain("stuck");
            output.ShouldContain($"event {poison}");
            output.ShouldContain("cannot fold");
        }

        // A restart forgets nothing: the new process has not seen the failure, and its projection neither fails nor moves.
        await using (var host = await StartAsync(PoisonMode.Hangs))
        {
            var first = await GetReadinessAsync(host);
            first.Status.ShouldBe(HttpStatusCode.ServiceUnavailable);
            first.Body.GetProperty("reason").GetString()!.ShouldContain($"{Shard} is stuck at event {poison}");
        }

        // The fixed projection is deployed: it gets past the event, readiness is ready, the record is kept as resolved.
        await using (var host = await StartAsync(PoisonMode.Cured))
        {
            var ready = await ReadinessAsync(host, HttpStatusCode.OK);
            ShardIn(ready, Shard).GetProperty("state").GetString().ShouldBe("Running");

            await using var session = host.Services.GetRequiredService<IDocumentStore>().QuerySession();
            var record = await session.LoadAsync<ProjectionFailure>(ProjectionFailure.IdOf(Shard, poison));
            record.ShouldNotBeNull();
            record.ResolvedAt.ShouldNotBeNull();
            record.ResolvedAtPosition!.Value.ShouldBeGreaterThanOrEqualTo(poison);
            record.Attempts.ShouldBeGreaterThanOrEqualTo(1);
            record.EventType.ShouldBe("poison_pill");

            var output = Render(await host.Services.GetRequiredService<ProjectionWatch>().ReadAsync(withLastFailure: true, default));
            output.ShouldContain("running");
            output.ShouldContain("resolved");
        }
    }

    [Fact]
    public async Task a_projection_that_neither_fails_nor_moves_is_stalled_and_a_restart_does_not_hide_it()
    {
        await using (var host = await StartAsync(PoisonMode.Hangs, stallSeconds: 3))
        {
            // The shard commits the harmless events, then meets the pill and hangs there.
            await AppendAsync(host, new Harmless(0));
            await WaitForShardRowAsync();
            await AppendPoisonBetweenHarmlessEventsAsync(host);
            var degraded = await ReadinessAsync(host, HttpStatusCode.ServiceUnavailable);
            degraded.GetProperty("reason").GetString()!.ShouldContain($"{Shard} is stalled");
            ShardIn(degraded, Shard).GetProperty("state").GetString().ShouldBe("Stalled");
        }

        // An hour passes with the app down (the row's last write is moved back rather than waited for).
        await SqlAsync($"update {_schema}.mt_event_progression set last_updated = now() - interval '1 hour' where name = '{Shard}'");

        // The new process has watched the shard for seconds, far less than the stall time; the row tells the rest.
        await using (var host = await StartAsync(PoisonMode.Hangs, stallSeconds: 300, confirmSeconds: 1))
        {
            var degraded = await ReadinessAsync(host, HttpStatusCode.ServiceUnavailable);
            ShardIn(degraded, Shard).GetProperty("state").GetString().ShouldBe("Stalled");
        }
    }

    private async Task WaitForShardRowAsync()
    {
        var deadline = DateTime.UtcNow + Patience;
        while ((long?)await SqlAsync($"select last_seq_id from {_schema}.mt_event_progression where name = '{Shard}'") is not > 0)
        {
            if (DateTime.UtcNow > deadline) throw new ShouldAssertException($"{Shard} never committed");
            await Task.Delay(250);
        }
    }

    private static async Task<object?> SqlAsync(string sql)
    {
        await using var conn = new Npgsql.NpgsqlConnection(TestDatabase.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new Npgsql.NpgsqlCommand(sql, conn);
        var value = await cmd.ExecuteScalarAsync();
        return value is DBNull ? null : value;
    }

    private static async Task AppendAsync(IAlbaHost host, object @event)
    {
        await using var session = host.Services.GetRequiredService<IDocumentStore>().LightweightSession("demo");
        session.Events.StartStream(Guid.CreateVersion7(), @event);
        await session.SaveChangesAsync();
    }

    private async Task<IAlbaHost> StartAsync(PoisonMode mode, int stallSeconds = 120, int confirmSeconds = 10)
    {
        JasperFxEnvironment.AutoStartHost = true;
        return await AlbaHost.For<Program>(builder =>
        {
            builder.UseSetting("ConnectionStrings:Marten", TestDatabase.ConnectionString);
            builder.UseSetting("CaseTracking:Schema", _schema);
            builder.UseSetting("CaseTracking:AdminPassword", TestData.AdminPassword);
            builder.UseSetting("CaseTracking:SealDaily", "false");
            builder.UseSetting("CaseTracking:ProjectionStallSeconds", stallSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
            builder.UseSetting("CaseTracking:ProjectionStallConfirmSeconds", confirmSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
            builder.UseSetting("CaseTracking:DataFolder", Path.Combine(Path.GetTempPath(), "casetracking-tests", _schema));
            builder.ConfigureServices(services => services.ConfigureMarten(opts =>
            {
                opts.Events.AddEventType<PoisonPill>();
                opts.Events.AddEventType<Harmless>();
                opts.Projections.Add(new EventBlamingProjection(new PoisonedProjection(mode)), ProjectionLifecycle.Async, "PoisonedProjection");
            }));
        });
    }

    /// <summary>One transaction, so the pill lands inside a page of events and has to be picked out of it.</summary>
    private static async Task<long> AppendPoisonBetweenHarmlessEventsAsync(IAlbaHost host)
    {
        var store = host.Services.GetRequiredService<IDocumentStore>();
        var pillStream = Guid.CreateVersion7();
        await using (var session = store.LightweightSession("demo"))
        {
            session.Events.StartStream(Guid.CreateVersion7(), new Harmless(1), new Harmless(2));
            session.Events.StartStream(pillStream, new PoisonPill("a bug meets this"));
            session.Events.StartStream(Guid.CreateVersion7(), new Harmless(3));
            await session.SaveChangesAsync();
        }

        await using var query = store.QuerySession("demo");
        return (await query.Events.FetchStreamAsync(pillStream)).Single().Sequence;
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> GetReadinessAsync(IAlbaHost host)
    {
        var result = await host.Scenario(s =>
        {
            s.Get.Url("/health/ready");
            s.IgnoreStatusCode();
        });
        return ((HttpStatusCode)result.Context.Response.StatusCode, await result.ReadAsJsonAsync<JsonElement>());
    }

    /// <summary>Polls until readiness answers <paramref name="expected"/>; fails with the last answer after <see cref="Patience"/>.</summary>
    private static async Task<JsonElement> ReadinessAsync(IAlbaHost host, HttpStatusCode expected)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var (status, body) = await GetReadinessAsync(host);
            if (status == expected) return body;
            if (DateTime.UtcNow > deadline) throw new ShouldAssertException($"readiness stayed {(int)status}: {body}");
            await Task.Delay(250);
        }
    }

    private static JsonElement ShardIn(JsonElement readiness, string shard) =>
        readiness.GetProperty("projections").EnumerateArray().Single(p => p.GetProperty("name").GetString() == shard);

    private static string Render(IReadOnlyList<ShardReport> shards)
    {
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer)
        });
        console.Profile.Width = 400;
        ProjectionStatusCommand.Write(console, shards);
        return writer.ToString();
    }
}
