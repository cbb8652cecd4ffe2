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
    private sealed record Count(Guid Key, int Active, int Overdue, int TermEnded, int Pending);

    /// <summary>
    /// The lines of one dimension, counted in PostgreSQL against today over the cases the user may see:
    /// a supervisor's by the case's current ward, a reviewer's by the assigned organisation.
    /// </summary>
    public static async Task<IReadOnlyList<CaseloadLine>> LinesAsync(IQuerySession session, Actor actor, CaseloadDimension dimension,
        CaseClock clock, CaseloadSettings settings, CancellationToken ct)
    {
        var key = dimension switch
        {
            CaseloadDimension.Ward => "ward_id",
            CaseloadDimension.Organisation => "organisation_id",
            CaseloadDimension.Mentor => "(data ->> 'mentorUserId')::uuid",
            _ => "(data ->> 'supervisorUserId')::uuid"
        };
        var (scope, parameters) = actor.Role switch
        {
            Role.Supervisor => ("and ward_id = any(?)", new object[] { actor.WardIds.ToArray() }),
            Role.Reviewer => ("and organisation_id = ?", new object[] { actor.OrganisationId ?? Guid.Empty }),
            Role.Auditor => ("", []),
            _ => ("and false", [])
        };
        var today = clock.Today;
        // overdue: today > reviewDue + grace (CaseView.FlagsOf); term ended: today > endsOn.
        var overdueBefore = today.AddDays(-clock.Settings.ReviewGraceDays);
        var table = $"{session.DocumentStore.Options.DatabaseSchemaName}.mt_doc_caseloadmember";
        var sql = $"""
            select jsonb_build_object('key', {key}, 'active', count(*),
                     'overdue', count(*) filter (where (data ->> 'reviewDue')::date < ?),
                     'termEnded', count(*) filter (where (data ->> 'endsOn')::date < ?),
                     'pending', count(*) filter (where (data ->> 'pending')::boolean)) as data
              from {table}
             where tenant_id = ? and {key} is not null {scope}
             group by {key}
            """;
        var counts = await session.AdvancedSql.QueryAsync<Count>(sql, ct,
            [overdueBefore.ToDateTime(TimeOnly.MinValue), today.ToDateTime(TimeOnly.MinValue), session.TenantId, .. parameters]);
        var lines = counts.Select(c => new CaseloadLine(dimension, c.Key, null, c.Active, c.Overdue, c.TermEnded, c.Pending,
            dimension == CaseloadDimension.Mentor && c.Active > settings.MentorLimit)).ToList();
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
            QueryValues.Defined(groupBy, "groupBy") as IResult
            ?? Results.Json(await CaseloadQueries.LinesAsync(session, actor, groupBy ?? CaseloadDimension.Ward, clock, settings, http.RequestAborted),
                Json.Options));
}
