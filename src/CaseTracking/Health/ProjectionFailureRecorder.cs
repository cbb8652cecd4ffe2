using System.Collections.Concurrent;
using System.Threading.Channels;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;

namespace CaseTracking.Health;

/// <summary>
/// Listens to the async daemon and records every paused or stopped shard as a <see cref="ProjectionFailure"/>.
/// Marten's database owns one <see cref="ShardStateTracker"/> that every daemon on it publishes to (Solo,
/// HotCold, and Wolverine-managed distribution alike). A failing shard publishes a <see cref="ShardState"/>
/// with <see cref="ShardAction.Paused"/> (or <c>Stopped</c>) and a classified <see cref="ShardFailure"/>
/// naming the event; the daemon restarts a paused shard after a while, so every retry publishes again.
/// The tracker calls observers on its own thread: the write is queued and done here, on a session of its own,
/// so a slow database never holds up the daemon's notifications.
/// A daemon may give its database a new tracker when it starts (and Wolverine starts shards whenever it assigns
/// them), so the subscription is checked every few seconds and moved to the database's current tracker.
/// </summary>
public sealed class ProjectionFailureRecorder(IDocumentStore store, ProjectionFailureLog log, ILogger<ProjectionFailureRecorder> logger)
    : BackgroundService, IObserver<ShardState>
{
    private readonly Channel<ShardState> _failures = Channel.CreateBounded<ShardState>(
        new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    private static readonly TimeSpan ResubscribeEvery = TimeSpan.FromSeconds(3);

    private readonly ConcurrentDictionary<object, (ShardStateTracker Tracker, IDisposable Subscription)> _subscriptions =
        new(ReferenceEqualityComparer.Instance);

    /// <summary>The last failure state queued per shard: a state seen both live and in a tracker's snapshot counts once.</summary>
    private readonly ConcurrentDictionary<string, ShardState> _queued = new();

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await SubscribeAsync();
        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var (_, subscription) in _subscriptions.Values) subscription.Dispose();
        _subscriptions.Clear();
        _failures.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    private async Task SubscribeAsync()
    {
        foreach (var database in await store.Storage.AllDatabases())
        {
            var tracker = database.Tracker;
            if (_subscriptions.TryGetValue(database, out var current) && ReferenceEquals(current.Tracker, tracker)) continue;
            current.Subscription?.Dispose();
            _subscriptions[database] = (tracker, tracker.Subscribe(this));
            // A failure published before this subscription (the tracker keeps each shard's last state) is not lost.
            foreach (var state in tracker.CurrentStates()) OnNext(state);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _ = Task.Run(async () =>
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(ResubscribeEvery, stoppingToken);
                    await SubscribeAsync();
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                }
                catch (Exception e)
                {
                    logger.LogWarning(e, "Could not subscribe to the projection daemon's shard states");
                }
            }
        }, stoppingToken);

        try
        {
            await foreach (var state in _failures.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await log.RecordAsync(state, stoppingToken);
                    logger.LogError("Projection shard {Shard} is stuck at event {Sequence}: {Error}", state.ShardName,
                        state.Failure?.Event?.Sequence, state.Failure?.Message);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The database may be the very thing that failed; readiness reports that on its own.
                    logger.LogWarning(e, "Could not record the failure of projection shard {Shard}", state.ShardName);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public void OnNext(ShardState value)
    {
        if (value.Failure is null || value.Action is not (ShardAction.Paused or ShardAction.Stopped)) return;
        if (_queued.TryGetValue(value.ShardName, out var last) && ReferenceEquals(last, value)) return;
        _queued[value.ShardName] = value;
        _failures.Writer.TryWrite(value);
    }

    public void OnCompleted()
    {
    }

    public void OnError(Exception error)
    {
    }
}
