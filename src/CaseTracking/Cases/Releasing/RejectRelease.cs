using CaseTracking.Access;
using CaseTracking.Infrastructure;
using FluentValidation;
using Wolverine.Http;

using static CaseTracking.Cases.Releasing.RejectReleaseHandler;

namespace CaseTracking.Cases.Releasing;

public sealed record RejectRelease(string? Reason)
{
    public sealed class Validator : AbstractValidator<RejectRelease>
    {
        public Validator() => RuleFor(x => x.Reason).NotEmpty().MaximumLength(4000);
    }
}

public static class RejectReleaseHandler
{
    public static readonly CaseUseCase<RejectRelease> UseCase =
        CaseUseCase<RejectRelease>.Pure(CaseAction.RejectRelease, (state, cmd, by) => Outcome.Of(Validate(state, by), () => Decide(state, cmd, by)));

    /// <summary>Four-eyes both ways: the recommender cannot reject their own recommendation either; they withdraw it.</summary>
    public static Rejection? Validate(Case state, Acting by) =>
        Rules.NotTerminal(state) ?? (state.PendingRelease is null ? ApproveReleaseHandler.NonePending : null)
        ?? (state.PendingRelease!.RecommendedBy == by.Actor.UserId
            ? new Rejection("release.same-rejecter", "You recommended this release: withdraw it, or let another supervisor decide.") : null);

    public static object[] Decide(Case state, RejectRelease cmd, Acting by) =>
        [new ReleaseRejected(cmd.Reason!.Trim(), state.PendingRelease!.RecommendedBy, by.Actor.UserId)];
}

/// <summary>The HTTP edge of <see cref="RejectReleaseHandler"/>.</summary>
public static class RejectReleaseEndpoint
{
    [WolverinePost("/api/cases/{caseId}/release/reject")]
    [RequestBody(typeof(RejectRelease))]
    public static Task<Reply> Post(Guid caseId, HttpContext http, CaseWrites cases) => cases.RunAsync(http, caseId, RejectReleaseHandler.UseCase);
}
