using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using Marten;
using Npgsql;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace CaseTracking.Access;

/// <summary>
/// <c>CaseTracking:SignIn</c>: the lockout and the rate limits of every route that checks a password
/// (POST /api/auth/token, POST /api/auth/password, the /login and /login/password forms).
/// </summary>
public sealed class SignInSettings
{
    /// <summary>Wrong passwords in a row that lock a user name.</summary>
    public int MaxFailures { get; set; } = 5;

    public int LockoutMinutes { get; set; } = 15;

    /// <summary>Sign-in attempts one client address may make per window.</summary>
    public int PerClientPermits { get; set; } = 20;

    /// <summary>Sign-in attempts per user name (known or not) per window, from any address.</summary>
    public int PerUserPermits { get; set; } = 10;

    public int WindowSeconds { get; set; } = 60;

    public TimeSpan Lockout => TimeSpan.FromMinutes(LockoutMinutes);

    public static SignInSettings From(IConfiguration configuration)
    {
        var settings = configuration.GetSection("CaseTracking:SignIn").Get<SignInSettings>() ?? new SignInSettings();
        if (settings.MaxFailures < 1 || settings.LockoutMinutes < 1 || settings.PerClientPermits < 1 || settings.PerUserPermits < 1 || settings.WindowSeconds < 1)
            throw new InvalidOperationException("CaseTracking:SignIn: every limit must be at least 1.");
        return settings;
    }
}

/// <summary>
/// Failed sign-ins, counted by PostgreSQL in one statement per attempt, so concurrent attempts cannot
/// race past the limit. Every attempt first <em>reserves</em> its place (failed + 1) before its password is
/// checked: of a burst of 64 wrong passwords at one name, at most <see cref="SignInSettings.MaxFailures"/>
/// are ever checked, and a right one behind them is refused. The row is keyed by the user name as typed
/// (normalised), whether or not such a user exists: an unknown name locks exactly like a real one, so the
/// answers cannot tell them apart.
/// </summary>
public sealed class SignInAttempts(IDocumentStore store, SignInSettings settings, TimeProvider time)
{
    public const string TableName = "ct_sign_in_attempts";

    private string Table => $"{store.Options.DatabaseSchemaName}.{TableName}";

    /// <summary>The table, created with the rest of the schema (start-up, db-apply).</summary>
    public static Table Definition(string schema)
    {
        var table = new Table(PostgresqlProvider.Instance.Parse(schema, TableName));
        table.AddColumn("username", "text").AsPrimaryKey();
        table.AddColumn("failed", "integer").NotNull();
        table.AddColumn("locked_until", "timestamp with time zone");
        table.AddColumn("last_at", "timestamp with time zone").NotNull();
        return table;
    }

    /// <summary>
    /// Counts this attempt. True when its password may be checked: the name is not locked and fewer than
    /// <see cref="SignInSettings.MaxFailures"/> earlier attempts are failed or still in flight. A lock that has
    /// run out starts the count again; more attempts in flight than the limit lock the name at once.
    /// </summary>
    public async Task<bool> ReserveAsync(string username, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var conn = await OpenAsync(ct);
        await using var cmd = new NpgsqlCommand($"""
            insert into {Table} as a (username, failed, locked_until, last_at) values (@u, 1, null, @now)
            on conflict (username) do update set
              failed = case when a.locked_until is not null and a.locked_until <= @now then 1 else a.failed + 1 end,
              locked_until = case
                when a.locked_until is not null and a.locked_until <= @now then null
                when a.locked_until is null and a.failed + 1 > @max then @lock
                else a.locked_until end,
              last_at = @now
            returning failed, locked_until
            """, conn);
        cmd.Parameters.AddWithValue("u", username);
        cmd.Parameters.AddWithValue("now", now);
        cmd.Parameters.AddWithValue("max", settings.MaxFailures);
        cmd.Parameters.AddWithValue("lock", now + settings.Lockout);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var failed = reader.GetInt32(0);
        var locked = !reader.IsDBNull(1) && reader.GetFieldValue<DateTimeOffset>(1) > now;
        return failed <= settings.MaxFailures && !locked;
    }

    /// <summary>A wrong password (or a refused attempt): the reserved count stays; reaching the limit locks the name.</summary>
    public async Task FailedAsync(string username, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var conn = await OpenAsync(ct);
        await using var cmd = new NpgsqlCommand(
            $"update {Table} set locked_until = @lock where username = @u and failed >= @max and locked_until is null", conn);
        cmd.Parameters.AddWithValue("u", username);
        cmd.Parameters.AddWithValue("max", settings.MaxFailures);
        cmd.Parameters.AddWithValue("lock", now + settings.Lockout);
        await cmd.ExecuteNonQueryAsync(ct);
        await ForgetOldAsync(conn, now, ct);
    }

    /// <summary>The right password: the count starts again.</summary>
    public async Task SucceededAsync(string username, CancellationToken ct)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = new NpgsqlCommand($"delete from {Table} where username = @u", conn);
        cmd.Parameters.AddWithValue("u", username);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The same, inside a document session's transaction (a password reset clears the lock as it commits).</summary>
    public void Clear(IDocumentSession session, string username) =>
        session.QueueSqlCommand($"delete from {Table} where username = ?", username);

    private long _lastCleanup;

    /// <summary>Rows of names nobody tried for a day go (random names would otherwise pile up), at most once an hour per node.</summary>
    private async Task ForgetOldAsync(NpgsqlConnection conn, DateTimeOffset now, CancellationToken ct)
    {
        var last = Interlocked.Read(ref _lastCleanup);
        if (now.UtcTicks - last < TimeSpan.TicksPerHour || Interlocked.CompareExchange(ref _lastCleanup, now.UtcTicks, last) != last) return;
        await using var cmd = new NpgsqlCommand(
            $"delete from {Table} where last_at < @before and (locked_until is null or locked_until < @now)", conn);
        cmd.Parameters.AddWithValue("before", now.AddDays(-1));
        cmd.Parameters.AddWithValue("now", now);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken ct)
    {
        var conn = store.Storage.Database.CreateConnection();
        await conn.OpenAsync(ct);
        return conn;
    }
}

/// <summary>
/// Rate limits of sign-in, partitioned per client address and per user name, chained: an attempt needs a
/// permit from both. These are the limiters of System.Threading.RateLimiting that ASP.NET Core's rate-limiting
/// middleware is built on; they are called here rather than from the middleware because the user name is in
/// the body (JSON or form), which the middleware's partition key cannot read. Real time, not the app's clock:
/// a window is wall-clock seconds.
/// </summary>
public sealed class SignInLimits : IDisposable
{
    private readonly PartitionedRateLimiter<(string Client, string User)> _limiter;

    public SignInLimits(SignInSettings settings)
    {
        var window = TimeSpan.FromSeconds(settings.WindowSeconds);
        FixedWindowRateLimiterOptions Options(int permits) => new()
        {
            PermitLimit = permits, Window = window, QueueLimit = 0, AutoReplenishment = true
        };
        _limiter = PartitionedRateLimiter.CreateChained(
            PartitionedRateLimiter.Create<(string Client, string User), string>(r =>
                RateLimitPartition.GetFixedWindowLimiter("c:" + r.Client, _ => Options(settings.PerClientPermits))),
            PartitionedRateLimiter.Create<(string Client, string User), string>(r =>
                RateLimitPartition.GetFixedWindowLimiter("u:" + r.User, _ => Options(settings.PerUserPermits))));
        Window = window;
    }

    private TimeSpan Window { get; }

    /// <summary>Null when the attempt may go on, else how long to wait.</summary>
    public TimeSpan? TryAcquire(HttpContext http, string username)
    {
        using var lease = _limiter.AttemptAcquire((ClientOf(http), username));
        if (lease.IsAcquired) return null;
        return lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) && retryAfter > TimeSpan.Zero ? retryAfter : Window;
    }

    /// <summary>
    /// The connection's address. Behind a reverse proxy configure ASP.NET Core's forwarded headers so this is
    /// the real client (docs/security.md); X-Forwarded-For is not trusted here on its own.
    /// </summary>
    public static string ClientOf(HttpContext http) => http.Connection.RemoteIpAddress is { } ip
        ? (ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip).ToString()
        : IPAddress.None.ToString();

    public static string RetryAfterSeconds(TimeSpan wait) =>
        Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    public void Dispose() => _limiter.Dispose();
}
