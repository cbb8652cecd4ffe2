using CaseTracking.Access;
using CaseTracking.Auditing;
using CaseTracking.Cases;
using Marten;

namespace CaseTracking.Infrastructure;

/// <summary>
/// The read path: who acts (401), role (403), then for a case its scope (404) and the access record,
/// written in the same request as the answer.
/// </summary>
public sealed class Reads(IDocumentStore store, ActorResolver actors, TimeProvider time)
{
    public async Task<IResult> Run(HttpContext http, Role[] roles, Func<Actor, IQuerySession, Task<IResult>> read)
    {
        var actor = await actors.CurrentAsync(http);
        if (actor is null) return Problems.Problem(401, "Not signed in.", "Sign in first.", "auth.required");
        if (!roles.Contains(actor.Role)) return Problems.Forbidden($"A {actor.Role} may not read this.");
        await using var session = store.QuerySession(actor.Tenant);
        return await read(actor, session);
    }

    public async Task<IResult> Case(HttpContext http, Guid caseId, CaseAction action,
        Func<Actor, IQuerySession, CaseSummary, Task<IResult>> read)
    {
        var actor = await actors.CurrentAsync(http);
        if (actor is null) return Problems.Problem(401, "Not signed in.", "Sign in first.", "auth.required");
        if (!CasePolicy.RoleMay(actor.Role, action)) return Problems.Forbidden($"A {actor.Role} may not {action}.");
        await using var session = store.LightweightSession(actor.Tenant);
        var summary = await session.LoadAsync<CaseSummary>(caseId, http.RequestAborted);
        if (CasePolicy.Decide(actor, action, summary) != Verdict.Allowed) return Problems.NotFound();

        var result = await read(actor, session, summary!);
        // Only what was shown is logged: a refused or malformed read showed nothing of the case.
        if (result is IStatusCodeHttpResult { StatusCode: >= 400 }) return result;
        session.Insert(new AccessRecord
        {
            Id = Guid.CreateVersion7(), At = time.GetUtcNow(), UserId = actor.UserId, Username = actor.Username,
            Role = actor.Role, CaseId = caseId, What = action.ToString(), Query = http.Request.QueryString.Value
        });
        await session.SaveChangesAsync(http.RequestAborted);
        return result;
    }
}

/// <summary>Checks of query values that parse but make no sense: a page beyond any list, an enum number that names nothing.</summary>
public static class QueryValues
{
    /// <summary>No list has this many pages; beyond it the offset arithmetic itself would overflow.</summary>
    public const int MaxPage = 100_000;

    public static Reply? Page(int? page) =>
        page is < 1 or > MaxPage ? Problems.Field("page", $"'page' must be between 1 and {MaxPage}.") : null;

    /// <summary>An enum given as a number ("groupBy=99") parses, but names no member: a 400, not a silent empty answer.</summary>
    public static Reply? Defined<T>(T? value, string field) where T : struct, Enum =>
        value is { } v && !Enum.IsDefined(v) ? Problems.Field(field, $"'{field}' must be one of: {string.Join(", ", Enum.GetNames<T>())}.") : null;
}
