using CaseTracking.Access;
using CaseTracking.Cases;
using CaseTracking.Cases.Reading;
using CaseTracking.Infrastructure;
using Marten;
using Wolverine.Http;

namespace CaseTracking.Auditing;

public sealed record CaseExport(Guid CaseId, string Tenant, DateTimeOffset ExportedAt, CaseSummary Summary,
    IReadOnlyList<HistoryEntry> History, VerifyResult Verify);

public static class CaseExports
{
    public static async Task<CaseExport?> BuildAsync(IQuerySession session, HashChain chain, string tenant, Guid caseId,
        DateTimeOffset now, CancellationToken ct)
    {
        var summary = await session.LoadAsync<CaseSummary>(caseId, ct);
        if (summary is null) return null;
        var events = await session.Events.FetchStreamAsync(caseId, token: ct);
        return new CaseExport(caseId, tenant, now, summary, [.. events.Select(CaseReads.ToEntry)],
            await chain.VerifyAsync(tenant, caseId, ct));
    }
}

public static class ExportEndpoint
{
    [WolverineGet("/api/cases/{caseId}/export")]
    public static Task<IResult> Get(Guid caseId, HttpContext http, Reads reads, HashChain chain, TimeProvider time) =>
        reads.Case(http, caseId, CaseAction.Export, async (actor, session, _) =>
        {
            var export = await CaseExports.BuildAsync(session, chain, actor.Tenant, caseId, time.GetUtcNow(), http.RequestAborted);
            http.Response.Headers.ContentDisposition = $"attachment; filename=case-{caseId}.json";
            return Results.Json(export, Json.Options);
        });
}
