using CaseTracking.Access;
using CaseTracking.Infrastructure;
using Marten;
using Wolverine.Http;

namespace CaseTracking.Cases.Reading;

public sealed record AlertLine(AlertKind Kind, Guid CaseId, Guid WardId, Guid? OrganisationId, SupervisionKind CaseKind,
    CaseStatus Status, DateOnly EndsOn, DateOnly? NextReviewDue, DateOnly? PendingSince);

public static class AlertQueries
{
    /// <summary>
    /// Alerts are a query over <see cref="CaseSummary"/> with today's date: open cases in scope whose
    /// computed flags include the kind asked for (all kinds when none is given).
    /// </summary>
    public static async Task<IReadOnlyList<AlertLine>> LinesAsync(IQuerySession session, Actor actor, AlertKind? kind, CaseClock clock,
        CancellationToken ct)
    {
        var today = clock.Today;
        var query = CaseReads.Scoped(session, actor)
            .Where(s => !CaseStatuses.Terminal.Contains(s.Status));
        if (kind == AlertKind.TermEnded) query = query.Where(s => s.EndsOn < today);
        if (kind == AlertKind.ReleasePending) query = query.Where(s => s.Status == CaseStatus.ReleasePending);
        var summaries = await query.ToListAsync(ct);
        return [.. summaries.Select(clock.View)
            .SelectMany(v => v.Flags.Where(f => kind is null || f == kind).Select(f => new AlertLine(f, v.Case.Id, v.Case.WardId,
                v.Case.OrganisationId, v.Case.Kind, v.Case.Status, v.Case.EndsOn, v.NextReviewDue, v.Case.PendingSince)))
            .OrderBy(a => a.Kind).ThenBy(a => a.EndsOn)];
    }
}

public static class AlertsEndpoint
{
    /// <summary>Alerts in scope, paged (default all up to 500 at a time); <c>X-Total-Count</c> gives the number of alerts.</summary>
    [WolverineGet("/api/alerts")]
    public static Task<IResult> Get(AlertKind? kind, int? page, int? pageSize, HttpContext http, Reads reads, CaseClock clock) =>
        reads.Run(http, [Role.Supervisor, Role.Auditor, Role.Reviewer], async (actor, session) =>
        {
            if ((QueryValues.Page(page) ?? QueryValues.Defined(kind, "kind")) is { } bad) return bad;
            var lines = await AlertQueries.LinesAsync(session, actor, kind, clock, http.RequestAborted);
            var size = Math.Clamp(pageSize ?? 500, 1, 5000);
            http.Response.Headers["X-Total-Count"] = lines.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Results.Json(lines.Skip(((page ?? 1) - 1) * size).Take(size), Json.Options);
        });
}
