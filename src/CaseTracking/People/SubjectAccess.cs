using System.Security.Cryptography;
using System.Text.Json;
using CaseTracking.Access;
using CaseTracking.Auditing;
using CaseTracking.Cases;
using CaseTracking.Cases.Reading;
using CaseTracking.Infrastructure;
using CaseTracking.Web;
using Marten;
using Microsoft.Extensions.Localization;
using Wolverine.Http;

namespace CaseTracking.People;

public sealed record CaseRecord(CaseSummary Summary, IReadOnlyList<HistoryEntry> History, VerifyResult Verify);

/// <summary>Everything held about one person (the data subject's right of access).</summary>
public sealed record PersonRecord(Guid PersonId, string Tenant, DateTimeOffset ProducedAt, string ProducedBy, Person Person,
    IReadOnlyList<PersonCorrection> Corrections, IReadOnlyList<CaseRecord> Cases, IReadOnlyList<AccessRecord> Access);

/// <summary>
/// A person's own record: the person document, its corrections, every case with its full history and verify result,
/// and every access-log entry about the person or their cases. A supervisor of the person's ward or an auditor
/// produces it; the request is logged before the record is gathered (so it appears in it), the delivery after,
/// with the SHA-256 of what was handed over.
/// </summary>
public static class SubjectAccess
{
    public const string Requested = "SubjectAccessRequested";
    public const string Delivered = "SubjectAccessDelivered";

    public static bool RoleMay(Role role) => role is Role.Supervisor or Role.Auditor;

    /// <summary>The person when the actor may produce their record; null for 404 (absent or outside the actor's wards).</summary>
    public static async Task<Person?> FindAsync(IQuerySession session, Actor actor, Guid personId, CancellationToken ct)
    {
        var person = await session.LoadAsync<Person>(personId, ct);
        return person is not null && (actor.Role == Role.Auditor || actor.WardIds.Contains(person.WardId)) ? person : null;
    }

    public static async Task LogAsync(IDocumentStore store, Actor actor, Guid personId, string what, string query, DateTimeOffset at, CancellationToken ct)
    {
        await using var session = store.LightweightSession(actor.Tenant);
        session.Insert(new AccessRecord
        {
            Id = Guid.CreateVersion7(), At = at, UserId = actor.UserId, Username = actor.Username, Role = actor.Role,
            PersonId = personId, What = what, Query = query
        });
        await session.SaveChangesAsync(ct);
    }

    public static async Task<PersonRecord> BuildAsync(IQuerySession session, HashChain chain, IStringLocalizer<SharedResource> localizer,
        string tenant, Person person, string producedBy, DateTimeOffset now, CancellationToken ct)
    {
        var summaries = await session.Query<CaseSummary>().Where(s => s.PersonId == person.Id).OrderBy(s => s.OpenedAt).ToListAsync(ct);
        var cases = new List<CaseRecord>();
        foreach (var summary in summaries)
            cases.Add(new CaseRecord(summary, await CaseReads.HistoryAsync(session, tenant, summary.Id, localizer, ct),
                await chain.VerifyAsync(tenant, summary.Id, ct)));
        var caseIds = summaries.Select(s => s.Id).ToArray();
        var personId = person.Id;
        var access = await session.Query<AccessRecord>()
            .Where(r => r.PersonId == personId || caseIds.Contains(r.CaseId))
            .OrderBy(r => r.At).ToListAsync(ct);
        var corrections = await session.Query<PersonCorrection>().Where(c => c.PersonId == personId).OrderBy(c => c.At).ToListAsync(ct);
        return new PersonRecord(person.Id, tenant, now, producedBy, person, [.. corrections], cases, [.. access]);
    }

    public static string Receipt(PersonRecord record, byte[] delivered) =>
        $"sha256={Convert.ToHexString(SHA256.HashData(delivered)).ToLowerInvariant()};cases={record.Cases.Count};access={record.Access.Count}";

    [WolverineGet("/api/people/{personId}/record")]
    public static async Task<IResult> Get(Guid personId, HttpContext http, ActorResolver actors, IDocumentStore store, HashChain chain,
        IStringLocalizer<SharedResource> localizer, TimeProvider time)
    {
        var actor = await actors.CurrentAsync(http);
        if (actor is null) return Problems.Problem(401, "Not signed in.", "Sign in first.", "auth.required");
        if (!RoleMay(actor.Role)) return Problems.Forbidden("Only a supervisor of the person's ward or an auditor produces a person's record.");
        var ct = http.RequestAborted;
        await using var session = store.QuerySession(actor.Tenant);
        var person = await FindAsync(session, actor, personId, ct);
        if (person is null) return Problems.NotFound("person");

        await LogAsync(store, actor, personId, Requested, "json", time.GetUtcNow(), ct);
        var record = await BuildAsync(session, chain, localizer, actor.Tenant, person, actor.Username, time.GetUtcNow(), ct);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(record, Json.Options);
        await LogAsync(store, actor, personId, Delivered, "json;" + Receipt(record, bytes), time.GetUtcNow(), ct);
        http.Response.Headers.ContentDisposition = $"attachment; filename=person-{personId}.json";
        return Results.Bytes(bytes, "application/json");
    }
}
