using Npgsql;
using Wolverine.Http;

namespace CaseTracking.Health;

public sealed record HealthStatus(string Status, string? Reason = null, IReadOnlyList<ProjectionLag>? Projections = null);

/// <summary>
/// One shard as readiness shows it. The page is public: it names the event by sequence, type and version and the
/// fault by exception type, not by stream id or message (those may say more than an anonymous caller should
/// learn); the <c>projections</c> verb shows everything.
/// </summary>
public sealed record ProjectionLag(string Name, long Sequence, long HighWaterMark, long Lag, ProjectionState State, bool Stalled,
    StuckAt? StuckAt = null, string Database = Provinces.ProvinceTenancy.SharedLabel);

public sealed record StuckAt(long Sequence, string? EventType, long? Version, string Category, string ErrorType,
    DateTimeOffset Since, DateTimeOffset LastAttempt, int Attempts);

/// <summary>Opens its own short-lived connection so a stopped server is noticed at once.</summary>
public sealed class DatabaseProbe(string connectionString)
{
    private readonly string _connectionString = new NpgsqlConnectionStringBuilder(connectionString)
    {
        Timeout = 3,
        CommandTimeout = 3,
        Pooling = false
    }.ConnectionString;

    public async Task<string?> ProblemAsync(CancellationToken ct)
    {
        try
        {
            await using var conn = new NpgsqlConnection(_connectionString);
            await conn.OpenAsync(ct);
            await using var cmd = new NpgsqlCommand("select 1", conn);
            await cmd.ExecuteScalarAsync(ct);
            return null;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
        {
            return $"PostgreSQL is not reachable: {e.Message}";
        }
    }
}

public static class HealthEndpoints
{
    [WolverineGet("/health")]
    public static HealthStatus Alive() => new("alive");

    [WolverineGet("/health/ready")]
    public static async Task<IResult> Ready(DatabaseProbe probe, ProjectionWatch watch, CancellationToken ct)
    {
        var problem = await probe.ProblemAsync(ct);
        if (problem is not null)
        {
            return Results.Json(new HealthStatus("unavailable", problem), statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        var shards = await watch.ReadAsync(ct);
        var projections = shards.Select(View).ToList();
        var problems = Describe(shards.Where(s => s.State != ProjectionState.Running)).ToList();
        return problems.Count > 0
            ? Results.Json(new HealthStatus("degraded", string.Join("; ", problems), projections),
                statusCode: StatusCodes.Status503ServiceUnavailable)
            : Results.Json(new HealthStatus("ready", null, projections));
    }

    private static ProjectionLag View(ShardReport s) =>
        new(s.Name, s.Position, s.HighWaterMark, s.Lag, s.State, s.State != ProjectionState.Running,
            s.OpenFailure is { } f
                ? new StuckAt(f.Sequence, f.EventType, f.Version, f.Category, f.ErrorType, f.FirstFailedAt, f.LastFailedAt, f.Attempts)
                : null, s.Database);

    /// <summary>Every database's shards count (ADR 0007): a province on its own database is named by it.</summary>
    private static IEnumerable<string> Describe(IEnumerable<ShardReport> stopped) =>
        stopped.GroupBy(s => (s.Database, s.State == ProjectionState.Unreachable)).SelectMany(g => g.Key.Item2
            ? [$"Database {g.Key.Database} is not reachable: its projections cannot be read"]
            : g.Select(s =>
            {
                var name = s.OnShared ? s.Name : $"{s.Name} in {s.Database}";
                return s.OpenFailure is { } f
                    ? $"Projection {name} is stuck at {f.EventText}: {f.ErrorType}, {f.Attempts} attempt(s) since {f.FirstFailedAt:u}"
                    : $"Projection {name} is stalled at {s.Position} of {s.HighWaterMark}";
            }));
}
