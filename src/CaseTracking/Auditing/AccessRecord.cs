using CaseTracking.Access;
using CaseTracking.Infrastructure;
using Marten;
using Wolverine.Http;

namespace CaseTracking.Auditing;

/// <summary>
/// One read of a case or a person: who, when, which case, what was shown. Insert-only and hash-chained per province
/// (<see cref="DocumentChain"/>): the database fills <see cref="ChainSeq"/>, <see cref="PrevHash"/> and <see cref="Hash"/>.
/// </summary>
public sealed class AccessRecord
{
    public Guid Id { get; set; }
    public DateTimeOffset At { get; set; }
    public Guid UserId { get; set; }
    public string Username { get; set; } = "";

    /// <summary>The user's role; null for an operator's command on the server (then <see cref="Username"/> starts with "cli:").</summary>
    public Role? Role { get; set; }
    public Guid CaseId { get; set; }

    /// <summary>Set when a person record was read (then <see cref="CaseId"/> is empty).</summary>
    public Guid? PersonId { get; set; }

    public string What { get; set; } = "";
    public string? Query { get; set; }

    public long? ChainSeq { get; set; }
    public string? PrevHash { get; set; }
    public string? Hash { get; set; }

    /// <summary>An operator's read with the command line: no user of the app, so the server account is named.</summary>
    public static AccessRecord ByOperator(DateTimeOffset at, string what, Guid caseId, Guid? personId = null, string? query = null) => new()
    {
        Id = Guid.CreateVersion7(), At = at, UserId = Guid.Empty, Username = "cli:" + Environment.UserName, Role = null,
        CaseId = caseId, PersonId = personId, What = what, Query = query
    };
}

public static class AccessChainEndpoint
{
    /// <summary>The access log's own chain, checked like a case's events.</summary>
    [WolverineGet("/api/audit/access/verify")]
    public static Task<IResult> Get(HttpContext http, Reads reads, DocumentChain chains) =>
        reads.Run(http, [Role.Auditor], async (actor, _) =>
            Results.Json(await chains.VerifyAsync(DocumentChain.Access, actor.Tenant, http.RequestAborted), Json.Options));
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
