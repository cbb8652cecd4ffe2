using Npgsql;
using Wolverine.Http;

namespace CaseTracking.Health;

public sealed record HealthStatus(string Status, string? Reason = null, IReadOnlyList<ProjectionLag>? Projections = null);

public sealed record ProjectionLag(string Name, long Sequence, long HighWaterMark, bool Stalled);

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

        var projections = await watch.ReadAsync(ct);
        var stalled = projections.Where(p => p.Stalled).Select(p => p.Name).ToList();
        return stalled.Count > 0
            ? Results.Json(new HealthStatus("degraded", $"Async projections stalled: {string.Join(", ", stalled)}", projections),
                statusCode: StatusCodes.Status503ServiceUnavailable)
            : Results.Json(new HealthStatus("ready", null, projections));
    }
}
