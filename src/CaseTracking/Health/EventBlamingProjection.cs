using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Events.Projections;
using Npgsql;

namespace CaseTracking.Health;

/// <summary>
/// Makes a hand-written batch <see cref="IProjection"/> name the event it fails on. Marten's standard projection
/// types apply one event at a time and wrap a failure in <see cref="ApplyEventException"/>, so the daemon's
/// <see cref="ShardFailure"/> carries the event. A hand-written projection folds a whole page of events at once
/// (CaseloadProjection and StatisticsProjection load their members once per page), so its exception names no
/// event and the daemon can only say "somewhere after position N". There is no hook for this in the daemon, so
/// this decorator catches the failure, finds the first event whose prefix of the page fails by halving the page,
/// and rethrows the original exception wrapped in <see cref="ApplyEventException"/> for that event.
/// The search replays the projection into throw-away sessions that are never saved: the page itself is already
/// lost (the daemon discards the batch and retries it later), and nothing is written twice.
/// It derives from <see cref="ProjectionBase"/> only so that Marten's wrapper takes the projection's name and
/// <see cref="ProjectionVersionAttribute"/> from here rather than from this decorator's type: a version bump on
/// the inner projection (a new shard, rebuilt from the start) still works through it.
/// </summary>
public sealed class EventBlamingProjection : ProjectionBase, IProjection
{
    private readonly IProjection inner;

    public EventBlamingProjection(IProjection inner)
    {
        this.inner = inner;
        Name = inner.GetType().Name;
        if (inner.GetType().GetCustomAttributes(typeof(ProjectionVersionAttribute), true) is [ProjectionVersionAttribute version, ..])
            Version = version.Version;
    }

    public IProjection Inner => inner;

    public async Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        try
        {
            await inner.ApplyAsync(operations, events, cancellation);
        }
        catch (Exception e) when (IsAboutTheEvents(e, cancellation))
        {
            var culprit = await FirstFailingAsync(operations, events, cancellation);
            if (culprit is null) throw;
            throw new ApplyEventException(culprit, e);
        }
    }

    /// <summary>
    /// A database fault or a cancellation is not any one event's fault (and every replay would fail the same way,
    /// blaming the first event); an already blamed failure needs no search. Marten wraps Npgsql's exceptions.
    /// </summary>
    private static bool IsAboutTheEvents(Exception e, CancellationToken cancellation)
    {
        if (cancellation.IsCancellationRequested || e is IEventFailureContext) return false;
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (x is OperationCanceledException or NpgsqlException or TimeoutException or System.Net.Sockets.SocketException
                || ProjectionExceptions.IsExceptionTransient(x))
                return false;
        }

        return true;
    }

    private async Task<IEvent?> FirstFailingAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken ct)
    {
        // Invariant: the prefix of length `failing` fails, every prefix shorter than `passing + 1` passes.
        var passing = 0;
        var failing = events.Count;
        if (!await FailsAsync(operations, events, failing, ct)) return null;
        while (failing - passing > 1)
        {
            var middle = passing + (failing - passing) / 2;
            if (await FailsAsync(operations, events, middle, ct)) failing = middle;
            else passing = middle;
        }

        return events[failing - 1];
    }

    private async Task<bool> FailsAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, int count, CancellationToken ct)
    {
        await using var scratch = operations.DocumentStore.LightweightSession(operations.TenantId);
        try
        {
            await inner.ApplyAsync(scratch, events.Take(count).ToList(), ct);
            return false;
        }
        catch (Exception e) when (IsAboutTheEvents(e, ct))
        {
            return true;
        }
    }
}
