using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;

namespace CaseTracking.Health;

/// <summary>
/// One event an async projection could not get past, kept in the database so that readiness and the
/// <c>projections</c> verb still see it after a restart. It is resolved (not deleted) once the shard's
/// progression reaches the event: the history of what stopped a projection stays readable.
/// </summary>
public sealed class ProjectionFailure
{
    /// <summary><see cref="IdOf"/>: one record per shard and failing event; a retry of the same event counts an attempt.</summary>
    public string Id { get; set; } = "";

    /// <summary>The shard identity as in <c>mt_event_progression</c>, e.g. <c>StatisticsProjection:All</c>.</summary>
    public string Shard { get; set; } = "";

    public string Projection { get; set; } = "";
    public string? Database { get; set; }

    /// <summary>
    /// The failing event's global sequence. When the daemon could not blame one event (a database outage, a
    /// failure while writing the batch) this is the first event after the shard's position.
    /// </summary>
    public long Sequence { get; set; }

    public bool EventKnown { get; set; }
    public string? EventType { get; set; }
    public Guid? StreamId { get; set; }
    public long? Version { get; set; }
    public string? TenantId { get; set; }

    /// <summary>The daemon's classification (<see cref="ShardFailureCategory"/>).</summary>
    public string Category { get; set; } = "";

    /// <summary>Type name of the innermost exception: the one that names the fault.</summary>
    public string ErrorType { get; set; } = "";

    /// <summary>Message of the innermost exception. Shown to operators (the CLI), not on the public readiness page.</summary>
    public string Error { get; set; } = "";

    public bool Transient { get; set; }

    /// <summary>The shard's position (last event it committed) when it failed.</summary>
    public long Position { get; set; }

    public DateTimeOffset FirstFailedAt { get; set; }
    public DateTimeOffset LastFailedAt { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset? ResolvedAt { get; set; }
    public long? ResolvedAtPosition { get; set; }

    public static string IdOf(string shard, long sequence) => $"{shard}@{sequence}";

    /// <summary>A province's own database counts its events from 1 too: its records carry the database in their id.</summary>
    public static string IdOf(string shard, long sequence, string? database) =>
        database is null ? IdOf(shard, sequence) : $"{database}/{IdOf(shard, sequence)}";

    /// <summary>"event 1234 (CaseOpened, version 1)" — for people.</summary>
    public string EventText => EventKnown
        ? $"event {Sequence} ({EventType ?? "unknown type"}{(Version is { } v ? $", version {v}" : "")})"
        : $"events after {Position} (no single event blamed)";
}

/// <summary>Writes and reads <see cref="ProjectionFailure"/> records on sessions of their own.</summary>
public sealed class ProjectionFailureLog(IDocumentStore store, TimeProvider time)
{
    private Provinces.ProvinceTenancy Tenancy => (Provinces.ProvinceTenancy)store.Options.Tenancy;

    /// <summary>One shard of one database (by <see cref="Provinces.ProvinceTenancy.LabelOf(string?)"/>), as the watch and this log match them.</summary>
    public static string Key(string database, string shard) => $"{database}|{shard}";

    public string KeyOf(ProjectionFailure failure) => Key(Tenancy.LabelOf(failure.Database), failure.Shard);

    /// <summary>Turns a paused or stopped shard state into a failure record, or counts one more attempt on it.</summary>
    public async Task RecordAsync(ShardState state, CancellationToken ct)
    {
        if (state.Failure is not { } failure) return;
        var blamed = failure.Event;
        var sequence = blamed?.Sequence ?? state.Sequence + 1;
        // The shared database's failures keep the ids they had before provinces had databases of their own.
        var label = Tenancy.LabelOf(state.DatabaseIdentifier);
        var id = ProjectionFailure.IdOf(state.ShardName, sequence, label == Provinces.ProvinceTenancy.SharedLabel ? null : label);
        var now = time.GetUtcNow();

        await using var session = store.LightweightSession();
        var record = await session.LoadAsync<ProjectionFailure>(id, ct) ?? new ProjectionFailure
        {
            Id = id, Shard = state.ShardName, Projection = ProjectionOf(state.ShardName), Sequence = sequence, FirstFailedAt = now
        };
        record.Database = label;
        record.EventKnown = blamed is not null;
        record.EventType = blamed?.EventTypeName ?? record.EventType;
        record.StreamId = blamed?.StreamId ?? record.StreamId;
        record.Version = blamed?.Version ?? record.Version;
        record.TenantId = blamed?.TenantId ?? record.TenantId;
        record.Category = failure.Category.ToString();
        (record.ErrorType, record.Error) = ErrorOf(state.Exception, failure);
        record.Transient = failure.IsTransient;
        record.Position = state.Sequence;
        record.LastFailedAt = now;
        record.Attempts++;
        // The same event failing again after its shard had moved past it (a rebuild met it again) reopens it.
        record.ResolvedAt = null;
        record.ResolvedAtPosition = null;
        session.Store(record);
        await session.SaveChangesAsync(ct);
    }

    /// <summary>
    /// The failures still open. Every failure whose shard has reached the failing event since (a fixed and
    /// redeployed projection, a rebuild, a shard or database that no longer exists) is marked resolved on the way.
    /// <paramref name="positions"/> and <paramref name="knownShards"/> are keyed by <see cref="Key"/>.
    /// </summary>
    public async Task<IReadOnlyList<ProjectionFailure>> OpenAsync(IReadOnlyDictionary<string, long> positions,
        IReadOnlySet<string> knownShards, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var open = await session.Query<ProjectionFailure>().Where(f => f.ResolvedAt == null).ToListAsync(ct);
        var stillOpen = new List<ProjectionFailure>();
        var now = time.GetUtcNow();
        foreach (var failure in open)
        {
            var key = KeyOf(failure);
            var position = positions.GetValueOrDefault(key, -1);
            if (position >= failure.Sequence || !knownShards.Contains(key))
            {
                failure.ResolvedAt = now;
                failure.ResolvedAtPosition = position < 0 ? null : position;
                session.Store(failure);
            }
            else
            {
                stillOpen.Add(failure);
            }
        }

        if (stillOpen.Count < open.Count) await session.SaveChangesAsync(ct);
        return stillOpen.OrderBy(f => f.FirstFailedAt).ToList();
    }

    /// <summary>The most recent failure of each shard of each database (keyed by <see cref="Key"/>), resolved or not.</summary>
    public async Task<IReadOnlyDictionary<string, ProjectionFailure>> LatestAsync(CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var recent = await session.Query<ProjectionFailure>().OrderByDescending(f => f.LastFailedAt).Take(500).ToListAsync(ct);
        return recent.GroupBy(KeyOf).ToDictionary(g => g.Key, g => g.First());
    }

    /// <summary>"StatisticsProjection:All" → "StatisticsProjection".</summary>
    public static string ProjectionOf(string shard) => shard.Split(':')[0];

    private static (string Type, string Message) ErrorOf(Exception? exception, ShardFailure failure)
    {
        if (exception is null) return (failure.RootExceptionType.Split('.')[^1], failure.Message);
        var root = exception;
        while (root.InnerException is not null) root = root.InnerException;
        return (root.GetType().Name, root.Message);
    }
}
