using CaseTracking.Access;
using CaseTracking.Infrastructure;
using Marten;
using Wolverine.Http;

namespace CaseTracking.Auditing;

/// <summary>One read of a case: who, when, which case, what was shown.</summary>
public sealed class AccessRecord
{
    public Guid Id { get; set; }
    public DateTimeOffset At { get; set; }
    public Guid UserId { get; set; }
    public string Username { get; set; } = "";
    public Role Role { get; set; }
    public Guid CaseId { get; set; }

    /// <summary>Set when a person record was read (then <see cref="CaseId"/> is empty).</summary>
    public Guid? PersonId { get; set; }

    public string What { get; set; } = "";
    public string? Query { get; set; }
}

public static class AccessLogEndpoint
{
    [WolverineGet("/api/audit/access")]
    /// <param name="personId">Reads of this person's record and of any of their cases.</param>
    public static Task<IResult> Get(Guid? caseId, string? user, Guid? personId, DateTimeOffset? from, DateTimeOffset? to, int? page, int? pageSize,
        HttpContext http, Reads reads) =>
        reads.Run(http, [Role.Auditor], async (_, session) =>
        {
            if (QueryValues.Page(page) is { } bad) return bad;
            var size = Math.Clamp(pageSize ?? 100, 1, 1000);
            var number = page ?? 1;
            var query = session.Query<AccessRecord>().AsQueryable();
            if (caseId is { } c) query = query.Where(r => r.CaseId == c);
            if (personId is { } p)
            {
                var cases = (await session.Query<CaseTracking.Cases.CaseSummary>().Where(s => s.PersonId == p).Select(s => s.Id).ToListAsync(http.RequestAborted)).ToArray();
                Guid? person = p;
                query = query.Where(r => r.PersonId == person || cases.Contains(r.CaseId));
            }
            if (!string.IsNullOrWhiteSpace(user)) query = query.Where(r => r.Username == user.Trim().ToLowerInvariant());
            if (from is { } f) query = query.Where(r => r.At >= f);
            if (to is { } t) query = query.Where(r => r.At <= t);
            var rows = await query.OrderByDescending(r => r.At).Skip((number - 1) * size).Take(size).ToListAsync(http.RequestAborted);
            return Results.Json(rows, Json.Options);
        });
}
