using CaseTracking.Access;
using CaseTracking.Cases;
using CaseTracking.Cases.Assigning;
using CaseTracking.Cases.Ending;
using CaseTracking.Cases.Progress;
using CaseTracking.Cases.Releasing;
using CaseTracking.Cases.Reviewing;
using CaseTracking.Cases.Term;
using CaseTracking.Cases.Transferring;
using CaseTracking.Cases.Violations;
using CaseTracking.Infrastructure;
using Case = CaseTracking.Cases.Case;

namespace CaseTracking.Tests.Cases;

/// <summary>Given events, when a command, then events or a rejection: the write model folded the way Marten folds it.</summary>
public static class CaseSpec
{
    public static Case Given(params object[] events)
    {
        events.Length.ShouldBePositive("a case starts with CaseOpened");
        var opened = events[0].ShouldBeOfType<CaseOpened>();
        // Marten sets Version on the aggregate as it folds; the pure fold mirrors that.
        return events.Skip(1).Aggregate(Case.Create(opened) with { Version = 1 }, Apply);
    }

    public static Case Apply(Case state, object evt) => (evt switch
    {
        CaseAssigned e => state.Apply(e),
        ReviewLogged e => state.Apply(e),
        ProgressRecorded e => state.Apply(e),
        ViolationRecorded e => state.Apply(e),
        TermChanged e => state.Apply(e),
        ReleaseRecommended e => state.Apply(e),
        ReleaseRejected e => state.Apply(e),
        ReleaseRecommendationWithdrawn e => state.Apply(e),
        CaseReleased e => state.Apply(e),
        CaseTransferred e => state.Apply(e),
        CaseRevoked e => state.Apply(e),
        CaseClosed e => state.Apply(e),
        _ => throw new ArgumentException($"{evt.GetType().Name} is not an event of an open case stream", nameof(evt))
    }) with { Version = state.Version + 1 };

    public static Case Then(this Case state, Outcome outcome) => outcome.Events.Aggregate(state, Apply);

    public static T ShouldAccept<T>(this Outcome outcome)
    {
        outcome.Rejection.ShouldBeNull($"expected {typeof(T).Name}, was rejected");
        return outcome.Events.ShouldHaveSingleItem().ShouldBeOfType<T>();
    }

    public static void ShouldReject(this Outcome outcome, string code)
    {
        outcome.Rejection.ShouldNotBeNull($"expected the rejection {code}, got {string.Join(", ", outcome.Events.Select(e => e.GetType().Name))}");
        outcome.Rejection.Code.ShouldBe(code);
        outcome.Events.ShouldBeEmpty();
    }

    public static void ShouldReject(this Rejection? rejection, string code) => rejection.ShouldNotBeNull().Code.ShouldBe(code);
}

/// <summary>
/// Each use case through the same handling function the API and the pages call (<c>XxxHandler.UseCase</c>), with
/// the case's kind filled in as <see cref="CaseWrites"/> does. Assignment and transfer take the shell's look-ups
/// (organisation, users, ward) as arguments. Role and scope (403/404) stay with <see cref="CasePolicy"/>.
/// </summary>
public static class When
{
    private static readonly SupervisionKinds Kinds = new();

    private static Outcome Run<T>(CaseUseCase<T> useCase, Case state, T cmd, Acting by) =>
        useCase.Handle(state, cmd, by with { Kind = Kinds[state.Kind] }, null!, CancellationToken.None).GetAwaiter().GetResult();

    public static Outcome Assign(Case state, AssignCase cmd, Acting by, Organisation? organisation, User? mentor, User? supervisor) =>
        Outcome.Of(AssignCaseHandler.Validate(state, cmd, organisation, mentor, supervisor), () => AssignCaseHandler.Decide(cmd, by));

    public static Outcome LogReview(Case state, LogReview cmd, Acting by, Guid? reviewId = null) =>
        Run(LogReviewHandler.UseCase, state, cmd, reviewId is { } id ? by with { NewId = id } : by);

    public static Outcome RecordProgress(Case state, RecordProgress cmd, Acting by) => Run(RecordProgressHandler.UseCase, state, cmd, by);

    public static Outcome RecordViolation(Case state, RecordViolation cmd, Acting by) => Run(RecordViolationHandler.UseCase, state, cmd, by);

    public static Outcome ChangeTerm(Case state, ChangeTerm cmd, Acting by) => Run(ChangeTermHandler.UseCase, state, cmd, by);

    public static Outcome RecommendRelease(Case state, RecommendRelease cmd, Acting by) => Run(RecommendReleaseHandler.UseCase, state, cmd, by);

    public static Outcome ApproveRelease(Case state, ApproveRelease cmd, Acting by, long? seenVersion = null) =>
        Run(ApproveReleaseHandler.UseCase, state, cmd, by with { SeenVersion = seenVersion ?? state.Version });

    public static Outcome RejectRelease(Case state, RejectRelease cmd, Acting by) => Run(RejectReleaseHandler.UseCase, state, cmd, by);

    public static Outcome WithdrawRelease(Case state, WithdrawRelease cmd, Acting by) => Run(WithdrawReleaseHandler.UseCase, state, cmd, by);

    public static Outcome Transfer(Case state, TransferCase cmd, Acting by, bool wardExists = true) =>
        Outcome.Of(TransferCaseHandler.Validate(state, cmd, wardExists), () => TransferCaseHandler.Decide(state, cmd, by));

    public static Outcome Revoke(Case state, RevokeCase cmd, Acting by) => Run(EndCaseHandler.Revoking, state, cmd, by);

    public static Outcome Close(Case state, CloseCase cmd, Acting by) => Run(EndCaseHandler.Closing, state, cmd, by);
}
