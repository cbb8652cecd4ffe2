using System.Collections.Concurrent;
using CaseTracking.Provinces;
using JasperFx.Events.Projections;
using Marten;
using Marten.Storage;
using Npgsql;

namespace CaseTracking.Health;

public enum ProjectionState { Running, Stalled, Stuck, Unreachable }

/// <summary>
/// One async projection shard of one database: where it is, how far behind, and what stopped it last. Every database
/// of the store (the shared one and each province's own, ADR 0007) has its own event log, high-water mark and shards.
/// </summary>
public sealed record ShardReport(string Name, long Position, long HighWaterMark, ProjectionState State,
    ProjectionFailure? OpenFailure, ProjectionFailure? LastFailure = null, string Database = ProvinceTenancy.SharedLabel)
{
    public long Lag => Math.Max(0, HighWaterMark - Position);

    public bool OnShared => Database == ProvinceTenancy.SharedLabel;
}

/// <summary>
/// The state of every async projection shard in every database of the store, from the databases themselves (so a
/// restart forgets nothing):
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
/// <item><b>Unreachable</b>: a province's own database did not answer within 3 s; its shards cannot be read (and
/// its province's requests answer 503 meanwhile).</item>
/// </list>
/// </summary>
public sealed class ProjectionWatch(IDocumentStore store, ProjectionFailureLog failures, TimeProvider time, IConfiguration configuration)
{
    private const string HighWaterMark = "HighWaterMark";
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(3);

    private readonly ConcurrentDictionary<string, (long Sequence, DateTimeOffset Since)> _seen = new();
    private readonly TimeSpan _stallAfter = TimeSpan.FromSeconds(configuration.GetValue("CaseTracking:ProjectionStallSeconds", 120));
    private readonly TimeSpan _confirmAfter = TimeSpan.FromSeconds(configuration.GetValue("CaseTracking:ProjectionStallConfirmSeconds", 10));

    private sealed record Progress(string Name, long Sequence, double? IdleSeconds);

    public Task<IReadOnlyList<ShardReport>> ReadAsync(CancellationToken ct) => ReadAsync(false, ct);

    /// <param name="withLastFailure">Also read each shard's latest failure, resolved or not (the CLI shows it; readiness does not).</param>
    /// <param name="ct">Cancels the reads.</param>
    public async Task<IReadOnlyList<ShardReport>> ReadAsync(bool withLastFailure, CancellationToken ct)
    {
        var tenancy = (ProvinceTenancy)store.Options.Tenancy;
        var known = AsyncShards();
        // The shared database first, then each province's own, by name.
        var databases = (await store.Storage.AllDatabases())
            .OrderBy(d => ReferenceEquals(d, tenancy.Shared) ? 0 : 1).ThenBy(tenancy.LabelOf, StringComparer.Ordinal).ToList();

        var progressOf = new Dictionary<IMartenDatabase, Dictionary<string, Progress>?>();
        var positions = new Dictionary<string, long>(StringComparer.Ordinal);
        var knownKeys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var database in databases)
        {
            var progress = await ReadProgressAsync(database, ct);
            progressOf[database] = progress;
            foreach (var name in known) knownKeys.Add(ProjectionFailureLog.Key(tenancy.LabelOf(database), name));
            if (progress is null) continue;
            // Shard rows are "Name:Key" (StatisticsProjection:All); the daemon keeps rows of its own (HighWaterMark,
            // HighWaterAllocationFence) in the same table.
            foreach (var (name, row) in progress.Where(p => p.Key.Contains(':', StringComparison.Ordinal)))
                positions[ProjectionFailureLog.Key(tenancy.LabelOf(database), name)] = row.Sequence;
            foreach (var name in known) positions.TryAdd(ProjectionFailureLog.Key(tenancy.LabelOf(database), name), 0);
        }

        var open = (await failures.OpenAsync(positions, knownKeys, ct)).ToLookup(failures.KeyOf);
        var latest = withLastFailure ? await failures.LatestAsync(ct) : new Dictionary<string, ProjectionFailure>();

        var now = time.GetUtcNow();
        var rows = new List<ShardReport>();
        foreach (var database in databases)
        {
            var label = tenancy.LabelOf(database);
            if (progressOf[database] is not { } progress)
            {
                rows.AddRange(known.Order(StringComparer.Ordinal).Select(name => new ShardReport(name, 0, 0, ProjectionState.Unreachable, null, null, label)));
                continue;
            }

            var highWater = progress.GetValueOrDefault(HighWaterMark);
            var names = known.Union(progress.Keys.Where(k => k.Contains(':', StringComparison.Ordinal)));
            foreach (var name in names.Order(StringComparer.Ordinal))
            {
                var key = ProjectionFailureLog.Key(tenancy.LabelOf(database), name);
                var shard = progress.GetValueOrDefault(name) ?? new Progress(name, 0, null);
                var behind = shard.Sequence < (highWater?.Sequence ?? 0);
                var seen = _seen.AddOrUpdate(key, _ => (shard.Sequence, now),
                    (_, old) => old.Sequence == shard.Sequence ? old : (shard.Sequence, now));
                var stillHere = now - seen.Since;
                var stalledHere = stillHere > _stallAfter;
                var stalledOnRecord = stillHere >= _confirmAfter && (shard.IdleSeconds ?? 0) > _stallAfter.TotalSeconds;
                var openFailure = open[key].FirstOrDefault();
                var state = openFailure is not null ? ProjectionState.Stuck
                    : behind && (stalledHere || stalledOnRecord) ? ProjectionState.Stalled
                    : ProjectionState.Running;
                rows.Add(new ShardReport(name, shard.Sequence, highWater?.Sequence ?? 0, state, openFailure,
                    latest.GetValueOrDefault(key) ?? openFailure, label));
            }
        }

        return rows;
    }

    private HashSet<string> AsyncShards() =>
        ((DocumentStore)store).Options.Projections.AllShards().Select(s => s.Name.Identity).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// Each shard's position from <c>mt_event_progression</c> of one database (0 for a shard that has committed nothing
    /// yet), and the seconds since its row was last written, by PostgreSQL's clock (the app's may differ, and is fake in
    /// tests). Null when a province's own database does not answer within <see cref="ReadTimeout"/>; the shared
    /// database's outage is the caller's to report (readiness probes it first), so it throws.
    /// </summary>
    private async Task<Dictionary<string, Progress>?> ReadProgressAsync(IMartenDatabase database, CancellationToken ct)
    {
        var schema = store.Options.Events.DatabaseSchemaName;
        var shared = ReferenceEquals(database, ((ProvinceTenancy)store.Options.Tenancy).Shared);
        var rows = new Dictionary<string, Progress>(StringComparer.Ordinal);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(ReadTimeout);
        try
        {
            await using var conn = database.CreateConnection();
            await conn.OpenAsync(timeout.Token);
            await using var cmd = new NpgsqlCommand(
                $"select name, last_seq_id, extract(epoch from now() - last_updated)::float8 from {schema}.mt_event_progression", conn);
            await using var reader = await cmd.ExecuteReaderAsync(timeout.Token);
            while (await reader.ReadAsync(timeout.Token))
            {
                var name = reader.GetString(0);
                rows[name] = new Progress(name, reader.IsDBNull(1) ? 0 : reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetDouble(2));
            }
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            // Nothing has run yet on a fresh database.
        }
        catch (Exception e) when (!shared && !ct.IsCancellationRequested
                                  && e is NpgsqlException or TimeoutException or OperationCanceledException or System.Net.Sockets.SocketException)
        {
            return null;
        }

        return rows;
    }
}
