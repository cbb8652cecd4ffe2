using CaseTracking.Access;
using CaseTracking.Cases;
using CaseTracking.Infrastructure;
using Marten;
using Wolverine.Http;

namespace CaseTracking.Caseloads;

/// <summary>Caseload settings: <c>CaseTracking:Caseload</c>.</summary>
public sealed record CaseloadSettings
{
    /// <summary>Active cases a volunteer mentor can carry before supervisors are told to rebalance.</summary>
    public int MentorLimit { get; init; } = 5;
}

public sealed record CaseloadLine(CaseloadDimension Dimension, Guid Key, string? Name, int ActiveCases, int OverdueReviews,
    int TermEndedNotReleased, int PendingReleases, bool OverLimit);

public static class CaseloadQueries
{
    /// <summary>
    /// Rows of one dimension, counted against today and restricted to the cases the user may see
    /// (entries of other wards or organisations are left out before counting).
    /// </summary>
    public static async Task<IReadOnlyList<CaseloadLine>> LinesAsync(IQuerySession session, Actor actor, CaseloadDimension dimension,
        CaseClock clock, CaseloadSettings settings, CancellationToken ct)
    {
        var rows = await session.Query<CaseloadRow>().Where(r => r.Dimension == dimension).ToListAsync(ct);
        var today = clock.Today;
        var grace = clock.Settings.ReviewGraceDays;
        var lines = new List<CaseloadLine>();
        foreach (var row in rows)
        {
            var visible = row.Cases.Values.Where(e => actor.Role switch
            {
                Role.Supervisor => actor.WardIds.Contains(e.WardId),
                Role.Reviewer => e.OrganisationId is not null && e.OrganisationId == actor.OrganisationId,
                Role.Auditor => true,
                _ => false
            }).ToList();
            if (visible.Count == 0) continue;
            lines.Add(new CaseloadLine(dimension, row.Key, null, visible.Count,
                visible.Count(e => e.ReviewDue is { } d && today > d.AddDays(grace)),
                visible.Count(e => today > e.EndsOn),
                visible.Count(e => e.Pending),
                dimension == CaseloadDimension.Mentor && visible.Count > settings.MentorLimit));
        }

        return await NameAsync(session, dimension, lines, ct);
    }

    private static async Task<IReadOnlyList<CaseloadLine>> NameAsync(IQuerySession session, CaseloadDimension dimension,
        List<CaseloadLine> lines, CancellationToken ct)
    {
        var keys = lines.Select(l => l.Key).ToArray();
        Dictionary<Guid, string> names = dimension switch
        {
            CaseloadDimension.Ward => (await session.LoadManyAsync<Ward>(ct, keys)).ToDictionary(w => w.Id, w => w.Name),
            CaseloadDimension.Organisation => (await session.LoadManyAsync<Organisation>(ct, keys)).ToDictionary(o => o.Id, o => o.Name),
            _ => (await session.LoadManyAsync<User>(ct, keys)).ToDictionary(u => u.Id, u => u.DisplayName)
        };
        return [.. lines.Select(l => l with { Name = names.GetValueOrDefault(l.Key) })
            .OrderByDescending(l => l.OverLimit).ThenByDescending(l => l.ActiveCases).ThenBy(l => l.Name, StringComparer.Ordinal)];
    }
}

public static class CaseloadEndpoint
{
    [WolverineGet("/api/caseload")]
    public static Task<IResult> Get(CaseloadDimension? groupBy, HttpContext http, Reads reads, CaseClock clock, CaseloadSettings settings) =>
        reads.Run(http, [Role.Supervisor, Role.Auditor, Role.Reviewer], async (actor, session) =>
            Results.Json(await CaseloadQueries.LinesAsync(session, actor, groupBy ?? CaseloadDimension.Ward, clock, settings, http.RequestAborted),
                Json.Options));
}
