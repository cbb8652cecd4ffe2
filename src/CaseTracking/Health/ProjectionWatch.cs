using System.Collections.Concurrent;
using CaseTracking.Infrastructure;
using JasperFx.Events.Projections;
using Marten;
using Npgsql;

namespace CaseTracking.Health;

public enum ProjectionState { Running, Stalled, Stuck }

/// <summary>One async projection shard: where it is, how far behind, and what stopped it last.</summary>
public sealed record ShardReport(string Name, long Position, long HighWaterMark, ProjectionState State,
    ProjectionFailure? OpenFailure, ProjectionFailure? LastFailure = null)
{
    public long Lag => Math.Max(0, HighWaterMark - Position);
}

/// <summary>
/// The state of every async projection shard, from the database (so a restart forgets nothing):
/// <list type="bullet">
/// <item><b>Stuck</b>: a <see cref="ProjectionFailure"/> is open, i.e. the shard failed on an event and its
/// progression (<c>mt_event_progression</c>) has not reached that event since.</item>
/// <item><b>Stalled</b>: behind the high-water mark without moving for <c>CaseTracking:ProjectionStallSeconds</c>
/// (default 120), with no failure recorded (e.g. no node runs the daemon, or the projection hangs). Seen in this
/// process's memory; and, so that a restart does not hide it for another two minutes, from the shard's progression
/// row: when its <c>last_updated</c> is older than the stall time and this process has seen the shard behind at
/// the same position for <c>CaseTracking:ProjectionStallConfirmSeconds</c> (default 10). The confirmation keeps a
/// quiet shard from reading as stalled in the moment between a new event and its next commit. (Neither the
/// high-water mark's row, rewritten when the daemon starts, nor event timestamps, back-dated by the seeder and
/// imports, tell how long a shard has been behind.)</item>
/// </list>
/// </summary>
public sealed class ProjectionWatch(IDocumentStore store, ProjectionFailureLog failures, PostgresConnection connection,
    TimeProvider time, IConfiguration configuration)
{
    private const string HighWaterMark = "HighWaterMark";

    private readonly ConcurrentDictionary<string, (long Sequence, DateTimeOffset Since)> _seen = new();
    private readonly TimeSpan _stallAfter = TimeSpan.FromSeconds(configuration.GetValue("CaseTracking:ProjectionStallSeconds", 120));
    private readonly TimeSpan _confirmAfter = TimeSpan.FromSeconds(configuration.GetValue("CaseTracking:ProjectionStallConfirmSeconds", 10));

    private sealed record Progress(string Name, long Sequence, double? IdleSeconds);

    public Task<IReadOnlyList<ShardReport>> ReadAsync(CancellationToken ct) => ReadAsync(false, ct);

    /// <param name="withLastFailure">Also read each shard's latest failure, resolved or not (the CLI shows it; readiness does not).</param>
    /// <param name="ct">Cancels the reads.</param>
    public async Task<IReadOnlyList<ShardReport>> ReadAsync(bool withLastFailure, CancellationToken ct)
    {
        var known = AsyncShards();
        var progress = await ReadProgressAsync(ct);
        var highWater = progress.GetValueOrDefault(HighWaterMark);
        // Shard rows are "Name:Key" (StatisticsProjection:All); the daemon keeps rows of its own (HighWaterMark,
        // HighWaterAllocationFence) in the same table.
        var positions = progress.Where(p => p.Key.Contains(':', StringComparison.Ordinal)).ToDictionary(p => p.Key, p => p.Value.Sequence);
        foreach (var name in known) positions.TryAdd(name, 0);
        var open = (await failures.OpenAsync(positions, known, ct)).ToLookup(f => f.Shard);
        var latest = withLastFailure ? await failures.LatestAsync(ct) : new Dictionary<string, ProjectionFailure>();

        var now = time.GetUtcNow();
        var rows = new List<ShardReport>();
        foreach (var name in known.Union(positions.Keys).Order(StringComparer.Ordinal))
        {
            var shard = progress.GetValueOrDefault(name) ?? new Progress(name, 0, null);
            var behind = shard.Sequence < (highWater?.Sequence ?? 0);
            var seen = _seen.AddOrUpdate(name, _ => (shard.Sequence, now),
                (_, old) => old.Sequence == shard.Sequence ? old : (shard.Sequence, now));
            var stillHere = now - seen.Since;
            var stalledHere = stillHere > _stallAfter;
            var stalledOnRecord = stillHere >= _confirmAfter && (shard.IdleSeconds ?? 0) > _stallAfter.TotalSeconds;
            var openFailure = open[name].FirstOrDefault();
            var state = openFailure is not null ? ProjectionState.Stuck
                : behind && (stalledHere || stalledOnRecord) ? ProjectionState.Stalled
                : ProjectionState.Running;
            rows.Add(new ShardReport(name, shard.Sequence, highWater?.Sequence ?? 0, state, openFailure, latest.GetValueOrDefault(name) ?? openFailure));
        }

        return rows;
    }

    private HashSet<string> AsyncShards() =>
        ((DocumentStore)store).Options.Projections.AllShards().Select(s => s.Name.Identity).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// Each shard's position from <c>mt_event_progression</c> (0 for a shard that has committed nothing yet), and
    /// the seconds since its row was last written, by PostgreSQL's clock (the app's may differ, and is fake in tests).
    /// </summary>
    private async Task<Dictionary<string, Progress>> ReadProgressAsync(CancellationToken ct)
    {
        var schema = store.Options.Events.DatabaseSchemaName;
        await using var conn = new NpgsqlConnection(connection.Value);
        await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand(
            $"select name, last_seq_id, extract(epoch from now() - last_updated)::float8 from {schema}.mt_event_progression", conn);
        var rows = new Dictionary<string, Progress>(StringComparer.Ordinal);
        try
        {
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var name = reader.GetString(0);
                rows[name] = new Progress(name, reader.IsDBNull(1) ? 0 : reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetDouble(2));
            }
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            // Nothing has run yet on a fresh database.
        }

        return rows;
    }
}
