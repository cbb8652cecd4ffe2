using CaseTracking.Access;
using CaseTracking.Infrastructure;
using FluentValidation;
using Wolverine.Http;

using static CaseTracking.Cases.Releasing.WithdrawReleaseHandler;

namespace CaseTracking.Cases.Releasing;

public sealed record WithdrawRelease(string? Reason)
{
    public sealed class Validator : AbstractValidator<WithdrawRelease>
    {
        public Validator() => RuleFor(x => x.Reason).NotEmpty().MaximumLength(4000);
    }
}

public static class WithdrawReleaseHandler
{
    /// <summary>The recommender takes their own recommendation back; a supervisor of the ward may withdraw any.</summary>
    public static Rejection? Validate(Case state, Decider by) =>
        Rules.NotTerminal(state) ?? (state.PendingRelease is null ? ApproveReleaseHandler.NonePending : null)
        ?? (state.PendingRelease!.RecommendedBy != by.Actor.UserId && by.Actor.Role != Role.Supervisor
            ? new Rejection("release.not-recommender", "Only the person who recommended this release, or a supervisor of the ward, can withdraw it.") : null);

    public static object[] Decide(Case state, WithdrawRelease cmd, Decider by) =>
        [new ReleaseRecommendationWithdrawn(cmd.Reason!.Trim(), state.PendingRelease!.RecommendedBy, by.Actor.UserId)];
}

/// <summary>The HTTP shell: I/O around the pure functions of <see cref="WithdrawReleaseHandler"/>.</summary>
public static class WithdrawReleaseEndpoint
{
    [WolverinePost("/api/cases/{caseId}/release/withdraw")]
    [RequestBody(typeof(WithdrawRelease))]
    public static Task<Reply> Post(Guid caseId, HttpContext http, CaseWrites cases) => PostCommand(caseId, null, http, cases);

    /// <summary>The same use case for the UI, which already holds the command.</summary>
    public static Task<Reply> PostCommand(Guid caseId, WithdrawRelease? given, HttpContext http, CaseWrites cases) =>
        cases.Execute<WithdrawRelease>(http, caseId, CaseAction.WithdrawRelease, (state, ctx, by) =>
            Task.FromResult(Outcome.Of(Validate(state, by), () => Decide(state, ctx.Command, by))), given: given);
}
