using CaseTracking.Access;
using CaseTracking.Infrastructure;
using Marten;

namespace CaseTracking.Cases;

/// <summary>What a decision may know beyond the case and the command: who acts, today, the case's kind, a new id.</summary>
/// <param name="SeenVersion">The version the user had on screen (If-Match), else the current one.</param>
/// <param name="NewId">An id made at the edge, for what the decision creates (a review).</param>
public sealed record Acting(Actor Actor, DateOnly Today, KindRule Kind, long SeenVersion, Guid NewId);

/// <summary>A use case on one case: its action (role and scope), its handling function, and its answer.</summary>
public sealed record CaseUseCase<TCommand>(CaseAction Action, Func<Case, TCommand, Acting, IQuerySession, CancellationToken, Task<Outcome>> Handle)
{
    public int Status { get; init; } = StatusCodes.Status200OK;

    /// <summary>The body of a success; by default <c>{version}</c>.</summary>
    public Func<Acting, long, object>? Respond { get; init; }

    /// <summary>A use case whose decision needs nothing but the case, the command and who acts.</summary>
    public static CaseUseCase<TCommand> Pure(CaseAction action, Func<Case, TCommand, Acting, Outcome> handle) =>
        new(action, (state, command, by, _, _) => Task.FromResult(handle(state, command, by)));
}

/// <summary>
/// The write path of an existing case: fetch the stream for writing, scope (403/404) before If-Match (409), decide,
/// append. Role, fields, idempotency and saving belong to <see cref="Writes"/>.
/// </summary>
public sealed class CaseWrites(Writes writes, SupervisionKinds kinds, CaseClock clock)
{
    /// <summary>The event header holding when an offline write was captured on the device.</summary>
    public const string CapturedAtHeader = "capturedAt";

    public Task<Reply> Run<TCommand>(WriteRequest<TCommand> request, Guid caseId, CaseUseCase<TCommand> useCase, CancellationToken ct) =>
        writes.Run(request, CasePolicy.RolesFor(useCase.Action), async ctx =>
        {
            // No stream has the all-zero id (ids are v7) and Marten refuses to fetch it: as for any unknown case.
            if (caseId == Guid.Empty) return Problems.NotFound();
            // Existence and scope first: a stale version on an unknown case must be 404, not 409.
            var stream = await ctx.Session.Events.FetchForWriting<Case>(caseId, ct);
            if (CasePolicy.Decide(ctx.Actor, useCase.Action, stream.Aggregate) != Verdict.Allowed) return Problems.NotFound();

            var current = stream.CurrentVersion ?? 0;
            if (ctx.ExpectedVersion is { } expected && expected != current)
            {
                Hosting.Telemetry.WriteConflicts.Add(1, new KeyValuePair<string, object?>("kind", "if-match"));
                return Problems.Stale($"You sent If-Match \"{expected}\" but the case is at version {current}; nothing was saved. Reload to see what changed.");
            }

            // The version decisions see is the stream's, whatever the live aggregation filled in.
            var state = stream.Aggregate! with { Version = current };
            if (request.CapturedAt is { } captured)
            {
                // An offline write keeps both times: Marten's timestamp (received) and this header (captured on the device).
                if (DateOnly.FromDateTime(captured.ToOffset(clock.Offset).DateTime) < state.StartsOn)
                    return Problems.Field(HttpWrites.CapturedAtHeader, "X-Captured-At lies before the case's start.");
                ctx.Session.SetHeader(CapturedAtHeader, captured.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
            }

            var by = new Acting(ctx.Actor, ctx.Today, kinds[state.Kind], ctx.ExpectedVersion ?? current, Guid.CreateVersion7());
            var outcome = await useCase.Handle(state, ctx.Command, by, ctx.Session, ct);
            if (outcome.Rejection is not null) return Problems.Rule(outcome.Rejection);

            stream.AppendMany(outcome.Events.ToArray());
            var version = current + outcome.Events.Count;
            return new Reply(useCase.Status, useCase.Respond?.Invoke(by, version) ?? new VersionResponse(version), ETag: $"\"{version}\"");
        }, ct, oneConnection: true); // a case's use cases see only the session: no second connection while this one is held
}

public sealed record VersionResponse(long Version);
