using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using CaseTracking.Hosting;
using CaseTracking.Provinces;
using Marten;
using Marten.Storage;
using Npgsql;

namespace CaseTracking.Access;

/// <summary>
/// Tells every node at once that a user changed (deactivation, password reset or change, new role or wards), so that
/// node's <see cref="ActorResolver"/> forgets the user and the next request, wherever it lands, reads the new
/// security stamp; and that a province moved (<c>province move</c>), so the node's <see cref="ProvinceTenancy"/> reads
/// the province's place again and serves it from there without a restart. PostgreSQL carries both messages: triggers on
/// the user table (in every database that holds users: the shared one and each province's own, ADR 0007) and on the
/// province registry send <c>NOTIFY</c>, delivered when (and only if) the change commits, whoever made it (an admin
/// route on any node, the /login page, a CLI verb). Each node <c>LISTEN</c>s on one connection of its own per database.
/// While a connection is down (a restart of PostgreSQL), the user cache's own limit of 1 s
/// (<c>CaseTracking:UserCacheSeconds</c>) still bounds how long a revoked session lives, and the registry is read again
/// every <see cref="RefreshEvery"/>; the node reconnects every few seconds.
/// </summary>
public sealed class UserChangeFeed(IDocumentStore store, Infrastructure.PostgresConnection connection, ActorResolver actors,
    ILogger<UserChangeFeed> logger) : BackgroundService
{
    private static readonly Counter<long> Received = Telemetry.Meter.CreateCounter<long>("casetracking.user_changes.received",
        description: "User changes this node heard of from PostgreSQL (NOTIFY) and forgot from its user cache.");

    /// <summary>The registry is read again this often even without a message (a missed NOTIFY, a database added).</summary>
    public static readonly TimeSpan RefreshEvery = TimeSpan.FromSeconds(5);

    private readonly string _schema = store.Options.DatabaseSchemaName;
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly System.Threading.Channels.Channel<string> _moved = System.Threading.Channels.Channel.CreateUnbounded<string>();
    private readonly ConcurrentDictionary<string, Listener> _listeners = new(StringComparer.Ordinal);
    private long _heard;

    private sealed record Listener(string Place, CancellationTokenSource Stop, Task Running)
    {
        public volatile bool Connected;
    }

    private ProvinceTenancy Tenancy => (ProvinceTenancy)store.Options.Tenancy;

    /// <summary>The channel of this schema, so test schemas (and apps) on one server do not hear each other.</summary>
    public string Channel => ChannelOf(_schema);

    public static string ChannelOf(string schema) => $"ct_user_changed_{schema}";

    /// <summary>Completes when the node first listens on the shared database (tests wait for it; so could a readiness check).</summary>
    public Task Listening => _listening.Task;

    /// <summary>Listening on the shared database now.</summary>
    public bool Connected => _listeners.TryGetValue(SharedKey, out var shared) && shared.Connected;

    /// <summary>The places (host:port/database) this node listens on now and is connected to.</summary>
    public IReadOnlyList<string> ListeningOn => _listeners.Values.Where(l => l.Connected).Select(l => l.Place).Order(StringComparer.Ordinal).ToList();

    /// <summary>Notifications of user changes heard by this node since it started.</summary>
    public long Heard => Interlocked.Read(ref _heard);

    /// <summary>Raised after a user was forgotten (tests watch it).</summary>
    public event Action<Guid>? Forgotten;

    /// <summary>Raised after a province's place was read again on a registry change (tests watch it).</summary>
    public event Action<string>? ProvinceReloaded;

    private const string SharedKey = "";

    /// <summary>
    /// The user table's trigger in one database, installed at every start (<see cref="DatabaseSetup"/>) and when a
    /// province's own database is prepared: <c>create or replace</c> is idempotent, and the advisory lock keeps two
    /// nodes starting together from colliding on the catalogue.
    /// </summary>
    public static async Task InstallAsync(IMartenDatabase database, string schema, CancellationToken ct)
    {
        await using var conn = database.CreateConnection();
        await conn.OpenAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var sql = $"""
            select pg_advisory_xact_lock(hashtext('{schema}.ct_user_changed'));
            create or replace function {schema}.ct_notify_user_changed() returns trigger language plpgsql as $f$
            begin
              perform pg_notify('{ChannelOf(schema)}', coalesce(new.id, old.id)::text);
              return null;
            end
            $f$;
            create or replace trigger ct_user_changed after insert or update or delete on {schema}.mt_doc_user
              for each row execute function {schema}.ct_notify_user_changed();
            """;
        await using (var cmd = new NpgsqlCommand(sql, conn, tx)) await cmd.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Start(SharedKey, connection.Value, [Channel, Tenancy.Registry.Channel], stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RefreshAsync(stoppingToken);
                // The next message of a moved province, or the next regular look at the registry.
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                wait.CancelAfter(RefreshEvery);
                try
                {
                    await _moved.Reader.WaitToReadAsync(wait.Token);
                }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                {
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            // Whatever stops one look at the registry (an outage above all) must not stop the node: the next look retries.
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning("Could not read the province registry ({Message}); trying again in {Seconds} s.", e.Message, RefreshEvery.TotalSeconds);
                try { await Task.Delay(RefreshEvery, stoppingToken); }
                catch (OperationCanceledException) { break; }
            }
        }

        foreach (var listener in _listeners.Values) await listener.Stop.CancelAsync();
        await Task.WhenAll(_listeners.Values.Select(l => l.Running));
    }

    /// <summary>
    /// Reads each moved province's place again, then the whole registry (which also places every province anew), and
    /// listens on every province's own database, stopping on those no province uses any more.
    /// </summary>
    private async Task RefreshAsync(CancellationToken ct)
    {
        while (_moved.Reader.TryRead(out var code))
        {
            await Tenancy.ReloadAsync(code, ct);
            logger.LogInformation("Province {Code} changed in the registry: its place was read again", code);
            ProvinceReloaded?.Invoke(code);
        }

        await Tenancy.BuildDatabases();
        var wanted = (await Tenancy.Registry.AllAsync(ct)).Where(p => p.ConnectionString is not null)
            .Select(p => p.ConnectionString!).ToHashSet(StringComparer.Ordinal);
        foreach (var own in wanted.Where(w => !_listeners.ContainsKey(w))) Start(own, own, [Channel], ct);
        foreach (var (key, listener) in _listeners)
        {
            if (key == SharedKey || wanted.Contains(key) || !_listeners.TryRemove(key, out _)) continue;
            await listener.Stop.CancelAsync();
        }
    }

    private void Start(string key, string connectionString, string[] channels, CancellationToken stoppingToken)
    {
        var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var builder = new NpgsqlConnectionStringBuilder(connectionString)
        {
            // Its own physical connection, held for the node's life; keepalives notice a dead server.
            Pooling = false,
            KeepAlive = 15
        };
        var place = ProvinceConnection.Place(builder);
        Listener? listener = null;
        var running = Task.Run(() => ListenAsync(builder.ConnectionString, channels, key == SharedKey, connected => listener!.Connected = connected, stop.Token),
            CancellationToken.None);
        listener = new Listener(place, stop, running);
        _listeners[key] = listener;
    }

    private async Task ListenAsync(string connectionString, string[] channels, bool shared, Action<bool> connected, CancellationToken stoppingToken)
    {
        // The listener record is published right after the task starts.
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var conn = new NpgsqlConnection(connectionString);
                await conn.OpenAsync(stoppingToken);
                conn.Notification += (_, e) => OnNotification(e.Channel, e.Payload);
                foreach (var channel in channels)
                    await using (var listen = new NpgsqlCommand($"listen \"{channel}\"", conn)) await listen.ExecuteNonQueryAsync(stoppingToken);
                connected(true);
                if (shared) _listening.TrySetResult();
                while (true) await conn.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException or System.Net.Sockets.SocketException)
            {
                connected(false);
                logger.LogWarning("Not listening for user changes on {Place} ({Message}); the user cache's 1 s limit applies until it reconnects.",
                    ProvinceConnection.Place(new NpgsqlConnectionStringBuilder(connectionString)), e.Message);
                try { await Task.Delay(TimeSpan.FromSeconds(3), stoppingToken); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    private void OnNotification(string channel, string payload)
    {
        if (channel == Tenancy.Registry.Channel)
        {
            _moved.Writer.TryWrite(payload);
            return;
        }

        if (!Guid.TryParse(payload, out var userId)) return;
        actors.Forget(userId);
        Interlocked.Increment(ref _heard);
        Received.Add(1);
        Forgotten?.Invoke(userId);
    }
}
