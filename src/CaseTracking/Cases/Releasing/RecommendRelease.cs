using CaseTracking.Access;
using CaseTracking.Infrastructure;
using FluentValidation;
using Wolverine.Http;

using static CaseTracking.Cases.Releasing.RecommendReleaseHandler;

namespace CaseTracking.Cases.Releasing;

public sealed record RecommendRelease(ReleaseGrounds? Grounds, string? Note)
{
    public sealed class Validator : AbstractValidator<RecommendRelease>
    {
        public Validator()
        {
            RuleFor(x => x.Grounds).NotNull();
            RuleFor(x => x.Note).NotEmpty().MaximumLength(4000);
        }
    }
}

public static class RecommendReleaseHandler
{
    public static Rejection? Validate(Case state, RecommendRelease cmd, Decider by) =>
        Rules.NotTerminal(state)
        ?? (state.PendingRelease is not null ? new Rejection("release.already-recommended", "A release recommendation is already open.") : null)
        ?? (by.Actor.Role == Role.Reviewer && state.Assignment?.OrganisationId != by.Actor.OrganisationId
            ? new Rejection("release.not-assigned", "Only a reviewer of the assigned organisation can recommend release.") : null)
        ?? (cmd.Grounds == ReleaseGrounds.TermCompleted
            ? (by.Today < state.EndsOn ? new Rejection("release.term-not-completed", $"The term ends on {state.EndsOn:yyyy-MM-dd}.") : null)
            : Rules.EarlyReleaseAllowed(state.StartsOn, state.EndsOn, [.. state.Reviews.Values], state.SeriousViolations, by.Today));

    public static object[] Decide(RecommendRelease cmd, Decider by) =>
        [new ReleaseRecommended(cmd.Grounds!.Value, cmd.Note!.Trim(), by.Today, by.Actor.UserId)];
}

/// <summary>The HTTP shell: I/O around the pure functions of <see cref="RecommendReleaseHandler"/>.</summary>
public static class RecommendReleaseEndpoint
{
    [WolverinePost("/api/cases/{caseId}/release/recommend")]
    [RequestBody(typeof(RecommendRelease))]
    public static Task<Reply> Post(Guid caseId, HttpContext http, CaseWrites cases) => PostCommand(caseId, null, http, cases);

    /// <summary>The same use case for the UI, which already holds the command.</summary>
    public static Task<Reply> PostCommand(Guid caseId, RecommendRelease? given, HttpContext http, CaseWrites cases) =>
        cases.Execute<RecommendRelease>(http, caseId, CaseAction.RecommendRelease, (state, ctx, by) =>
        {
            return Task.FromResult(Outcome.Of(Validate(state, ctx.Command, by), () => Decide(ctx.Command, by)));
        }, given: given);
}
