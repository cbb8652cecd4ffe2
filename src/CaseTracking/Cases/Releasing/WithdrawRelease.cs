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
    public static readonly CaseUseCase<WithdrawRelease> UseCase =
        CaseUseCase<WithdrawRelease>.Pure(CaseAction.WithdrawRelease, (state, cmd, by) => Outcome.Of(Validate(state, by), () => Decide(state, cmd, by)));

    /// <summary>The recommender takes their own recommendation back; a supervisor of the ward may withdraw any.</summary>
    public static Rejection? Validate(Case state, Acting by) =>
        Rules.NotTerminal(state) ?? (state.PendingRelease is null ? ApproveReleaseHandler.NonePending : null)
        ?? (state.PendingRelease!.RecommendedBy != by.Actor.UserId && by.Actor.Role != Role.Supervisor
            ? new Rejection("release.not-recommender", "Only the person who recommended this release, or a supervisor of the ward, can withdraw it.") : null);

    public static object[] Decide(Case state, WithdrawRelease cmd, Acting by) =>
        [new ReleaseRecommendationWithdrawn(cmd.Reason!.Trim(), state.PendingRelease!.RecommendedBy, by.Actor.UserId)];
}

/// <summary>The HTTP edge of <see cref="WithdrawReleaseHandler"/>.</summary>
public static class WithdrawReleaseEndpoint
{
    [WolverinePost("/api/cases/{caseId}/release/withdraw")]
    [RequestBody(typeof(WithdrawRelease))]
    public static Task<Reply> Post(Guid caseId, HttpContext http, CaseWrites cases) => cases.RunAsync(http, caseId, WithdrawReleaseHandler.UseCase);
}
