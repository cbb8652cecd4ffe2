using Wolverine;
using Wolverine.Http;

namespace CaseTracking.Health;

/// <summary>A node as the balancer sees it: serving or not, and its number among Wolverine's nodes (<c>wolverine_nodes</c>).</summary>
public sealed record NodeStatus(string Status, int Node, string? Reason = null);

/// <summary>
/// What a load balancer asks of each node (issue 19): may this node take requests now? Yes when it reaches PostgreSQL
/// and is not shutting down. Unlike <c>/health/ready</c>, a stalled or stuck projection does not count: that state is
/// the database's, the same on every node, and taking every node out of the balancer for it would turn a late
/// caseload into an outage. During a clean stop the node answers 503 first, so the balancer sends nothing new to it.
/// </summary>
public static class NodeHealth
{
    [WolverineGet("/health/serving")]
    public static async Task<IResult> Serving(DatabaseProbe probe, IHostApplicationLifetime lifetime, WolverineOptions wolverine, CancellationToken ct)
    {
        var node = wolverine.Durability.AssignedNodeNumber;
        if (lifetime.ApplicationStopping.IsCancellationRequested)
            return Results.Json(new NodeStatus("stopping", node), statusCode: StatusCodes.Status503ServiceUnavailable);
        var problem = await probe.ProblemAsync(ct);
        return problem is null
            ? Results.Json(new NodeStatus("serving", node))
            : Results.Json(new NodeStatus("unavailable", node, problem), statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}
