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
    public static readonly CaseUseCase<RecommendRelease> UseCase =
        CaseUseCase<RecommendRelease>.Pure(CaseAction.RecommendRelease, (state, cmd, by) => Outcome.Of(Validate(state, cmd, by), () => Decide(cmd, by)));

    public static Rejection? Validate(Case state, RecommendRelease cmd, Acting by) =>
        Rules.NotTerminal(state)
        ?? (state.PendingRelease is not null ? new Rejection("release.already-recommended", "A release recommendation is already open.") : null)
        ?? (by.Actor.Role == Role.Reviewer && state.Assignment?.OrganisationId != by.Actor.OrganisationId
            ? new Rejection("release.not-assigned", "Only a reviewer of the assigned organisation can recommend release.") : null)
        ?? (cmd.Grounds == ReleaseGrounds.TermCompleted
            ? (by.Today < state.EndsOn ? new Rejection("release.term-not-completed", $"The term ends on {state.EndsOn:yyyy-MM-dd}.") : null)
            : Rules.EarlyReleaseAllowed(state.StartsOn, state.EndsOn, [.. state.Reviews.Values], state.SeriousViolations, by.Today));

    public static object[] Decide(RecommendRelease cmd, Acting by) =>
        [new ReleaseRecommended(cmd.Grounds!.Value, cmd.Note!.Trim(), by.Today, by.Actor.UserId)];
}

/// <summary>The HTTP edge of <see cref="RecommendReleaseHandler"/>.</summary>
public static class RecommendReleaseEndpoint
{
    [WolverinePost("/api/cases/{caseId}/release/recommend")]
    [RequestBody(typeof(RecommendRelease))]
    public static Task<Reply> Post(Guid caseId, HttpContext http, CaseWrites cases) => cases.RunAsync(http, caseId, RecommendReleaseHandler.UseCase);
}
