using CaseTracking.Access;
using CaseTracking.Infrastructure;
using Marten;

namespace CaseTracking.Cases;

/// <summary>
/// The write path of an existing case: fetch the stream for writing, check scope (403/404) and
/// If-Match (409), decide, append. Idempotency, body shape and saving belong to <see cref="Writes"/>.
/// </summary>
public sealed class CaseWrites(Writes writes)
{
    public Task<Reply> Execute<TCommand>(HttpContext http, Guid caseId, CaseAction action,
        Func<Case, WriteContext<TCommand>, Decider, Task<Outcome>> decide,
        Func<long, object>? respond = null, int status = StatusCodes.Status200OK, TCommand? given = default) =>
        writes.Run<TCommand>(http, CasePolicy.RolesFor(action), async ctx =>
        {
            // Existence and scope first: a stale version on an unknown case must be 404, not 409. No stream has the
            // all-zero id (ids are v7), and Marten refuses to fetch it: answer as for any unknown case.
            if (caseId == Guid.Empty) return Problems.NotFound();
            var stream = await ctx.Session.Events.FetchForWriting<Case>(caseId, http.RequestAborted);
            var state = stream.Aggregate;
            switch (CasePolicy.Decide(ctx.Actor, action, state))
            {
                case Verdict.Forbidden: return Problems.Forbidden($"A {ctx.Actor.Role} may not {action} a case.");
                case Verdict.NotFound: return Problems.NotFound();
            }

            var current = stream.CurrentVersion ?? 0;
            if (ctx.ExpectedVersion is { } expected && expected != current)
                return Problems.Stale($"You sent If-Match \"{expected}\" but the case is at version {current}; nothing was saved. Reload to see what changed.");

            // The version decisions see is the stream's, whatever the live aggregation filled in.
            var outcome = await decide(state! with { Version = current }, ctx, new Decider(ctx.Actor, ctx.Today, current));
            if (outcome.Rejection is not null) return Problems.Rule(outcome.Rejection);

            stream.AppendMany(outcome.Events.ToArray());
            var version = current + outcome.Events.Count;
            return new Reply(status, respond?.Invoke(version) ?? new VersionResponse(version), ETag: $"\"{version}\"");
        }, given);
}

public sealed record VersionResponse(long Version);
