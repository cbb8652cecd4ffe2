using CaseTracking.Access;
using CaseTracking.Infrastructure;
using FluentValidation;
using Wolverine.Http;

using static CaseTracking.Cases.Releasing.ApproveReleaseHandler;

namespace CaseTracking.Cases.Releasing;

public sealed record ApproveRelease(string? DecisionNumber, DateOnly? EffectiveOn)
{
    public sealed class Validator : AbstractValidator<ApproveRelease>
    {
        public Validator(DateWindow window)
        {
            RuleFor(x => x.DecisionNumber).NotEmpty().MaximumLength(100);
            RuleFor(x => x.EffectiveOn).NotNull().InWindow(window);
        }
    }
}

public static class ApproveReleaseHandler
{
    public static readonly CaseUseCase<ApproveRelease> UseCase =
        CaseUseCase<ApproveRelease>.Pure(CaseAction.ApproveRelease, (state, cmd, by) => Outcome.Of(Validate(state, cmd, by), () => Decide(state, cmd, by)));

    public static readonly Rejection NonePending = new("release.none-pending", "There is no open release recommendation to decide.");

    public static Rejection? Validate(Case state, ApproveRelease cmd, Acting by) =>
        Rules.NotTerminal(state)
        ?? (state.PendingRelease is null ? NonePending : null)
        ?? (state.PendingRelease!.RecommendedBy == by.Actor.UserId
            ? new Rejection("release.same-approver", "Release needs two different people: you recommended it, so another supervisor must approve.") : null)
        ?? (cmd.EffectiveOn!.Value < state.StartsOn ? new Rejection("release.effective-before-start", "Release cannot take effect before supervision starts.") : null)
        ?? (cmd.EffectiveOn.Value > by.Today.AddDays(Rules.ReleaseLeadDays)
            ? new Rejection("release.effective-too-late", $"A release takes effect at most {Rules.ReleaseLeadDays} days after it is approved.") : null);

    /// <summary>The release records the version the approver had on screen (If-Match), else the current one.</summary>
    public static object[] Decide(Case state, ApproveRelease cmd, Acting by) =>
        [new CaseReleased(state.PendingRelease!.Grounds, state.PendingRelease.RecommendedBy, by.Actor.UserId,
            cmd.DecisionNumber!.Trim(), cmd.EffectiveOn!.Value, by.SeenVersion)];
}

/// <summary>The HTTP edge of <see cref="ApproveReleaseHandler"/>.</summary>
public static class ApproveReleaseEndpoint
{
    [WolverinePost("/api/cases/{caseId}/release/approve")]
    [RequestBody(typeof(ApproveRelease))]
    public static Task<Reply> Post(Guid caseId, HttpContext http, CaseWrites cases) => cases.RunAsync(http, caseId, ApproveReleaseHandler.UseCase);
}
