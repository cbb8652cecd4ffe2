using System.Diagnostics.Metrics;
using CaseTracking.Hosting;
using Marten;
using Npgsql;

namespace CaseTracking.Access;

/// <summary>
/// Tells every node at once that a user changed (deactivation, password reset or change, new role or wards), so that
/// node's <see cref="ActorResolver"/> forgets the user and the next request, wherever it lands, reads the new
/// security stamp. PostgreSQL carries the message: a trigger on the user table sends <c>NOTIFY</c> with the user's
/// id when a row changes, delivered when (and only if) the change commits, whoever made it (an admin route on any
/// node, the /login page, a CLI verb); each node <c>LISTEN</c>s on one connection of its own. While that connection
/// is down (a restart of PostgreSQL), the user cache's own limit of 1 s (<c>CaseTracking:UserCacheSeconds</c>)
/// still bounds how long a revoked session lives; the node reconnects every few seconds.
/// </summary>
public sealed class UserChangeFeed(IDocumentStore store, Infrastructure.PostgresConnection connection, ActorResolver actors,
    ILogger<UserChangeFeed> logger) : BackgroundService
{
    private static readonly Counter<long> Received = Telemetry.Meter.CreateCounter<long>("casetracking.user_changes.received",
        description: "User changes this node heard of from PostgreSQL (NOTIFY) and forgot from its user cache.");

    private readonly string _schema = store.Options.DatabaseSchemaName;
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _heard;

    /// <summary>The channel of this schema, so test schemas (and apps) on one server do not hear each other.</summary>
    public string Channel => $"ct_user_changed_{_schema}";

    /// <summary>Completes when the node first listens (tests wait for it; so could a readiness check).</summary>
    public Task Listening => _listening.Task;

    public bool Connected { get; private set; }

    /// <summary>Notifications heard by this node since it started.</summary>
    public long Heard => Interlocked.Read(ref _heard);

    /// <summary>Raised after a user was forgotten (tests watch it).</summary>
    public event Action<Guid>? Forgotten;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await InstallAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    /// <summary>
    /// The trigger, (re)installed at every start after Marten has created the user table: <c>create or replace</c>
    /// is idempotent, and the advisory lock keeps two nodes starting together from colliding on the catalogue.
    /// </summary>
    private async Task InstallAsync(CancellationToken ct)
    {
        await using var conn = store.Storage.Database.CreateConnection();
        await conn.OpenAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var sql = $"""
            select pg_advisory_xact_lock(hashtext('{_schema}.ct_user_changed'));
            create or replace function {_schema}.ct_notify_user_changed() returns trigger language plpgsql as $f$
            begin
              perform pg_notify('{Channel}', coalesce(new.id, old.id)::text);
              return null;
            end
            $f$;
            create or replace trigger ct_user_changed after insert or update or delete on {_schema}.mt_doc_user
              for each row execute function {_schema}.ct_notify_user_changed();
            """;
        await using (var cmd = new NpgsqlCommand(sql, conn, tx)) await cmd.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var builder = new NpgsqlConnectionStringBuilder(connection.Value)
        {
            // Its own physical connection, held for the node's life; keepalives notice a dead server.
            Pooling = false,
            KeepAlive = 15
        };
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var conn = new NpgsqlConnection(builder.ConnectionString);
                await conn.OpenAsync(stoppingToken);
                conn.Notification += (_, e) => Forget(e.Payload);
                await using (var listen = new NpgsqlCommand($"listen \"{Channel}\"", conn)) await listen.ExecuteNonQueryAsync(stoppingToken);
                Connected = true;
                _listening.TrySetResult();
                while (true) await conn.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException or System.Net.Sockets.SocketException)
            {
                Connected = false;
                logger.LogWarning("Not listening for user changes ({Message}); the user cache's 1 s limit applies until it reconnects.", e.Message);
                try { await Task.Delay(TimeSpan.FromSeconds(3), stoppingToken); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    private void Forget(string payload)
    {
        if (!Guid.TryParse(payload, out var userId)) return;
        actors.Forget(userId);
        Interlocked.Increment(ref _heard);
        Received.Add(1);
        Forgotten?.Invoke(userId);
    }
}
