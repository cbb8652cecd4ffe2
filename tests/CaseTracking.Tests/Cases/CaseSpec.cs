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
/// Each use case as its HTTP shell wires it (<c>Outcome.Of(Validate, () =&gt; Decide)</c>), with the shell's
/// look-ups (organisation, users, ward) handed in. Role and scope (403/404) stay with <see cref="CasePolicy"/>.
/// </summary>
public static class When
{
    public static Outcome Assign(Case state, AssignCase cmd, Decider by, Organisation? organisation, User? mentor, User? supervisor) =>
        Outcome.Of(AssignCaseHandler.Validate(state, cmd, organisation, mentor, supervisor), () => AssignCaseHandler.Decide(cmd, by));

    public static Outcome LogReview(Case state, LogReview cmd, Decider by, Guid? reviewId = null) =>
        Outcome.Of(LogReviewHandler.Validate(state, cmd, by), () => LogReviewHandler.Decide(cmd, by, reviewId ?? Guid.CreateVersion7()));

    public static Outcome RecordProgress(Case state, RecordProgress cmd, Decider by) =>
        Outcome.Of(RecordProgressHandler.Validate(state, cmd, by), () => RecordProgressHandler.Decide(cmd, by));

    public static Outcome RecordViolation(Case state, RecordViolation cmd, Decider by) =>
        Outcome.Of(RecordViolationHandler.Validate(state, cmd, by), () => RecordViolationHandler.Decide(cmd, by));

    public static Outcome ChangeTerm(Case state, ChangeTerm cmd, Decider by) =>
        Outcome.Of(ChangeTermHandler.Validate(state, cmd, by, Kinds[state.Kind]), () => ChangeTermHandler.Decide(state, cmd, by));

    private static readonly SupervisionKinds Kinds = new();

    public static Outcome RecommendRelease(Case state, RecommendRelease cmd, Decider by) =>
        Outcome.Of(RecommendReleaseHandler.Validate(state, cmd, by), () => RecommendReleaseHandler.Decide(cmd, by));

    public static Outcome ApproveRelease(Case state, ApproveRelease cmd, Decider by, long? seenVersion = null) =>
        Outcome.Of(ApproveReleaseHandler.Validate(state, cmd, by), () => ApproveReleaseHandler.Decide(state, cmd, by, seenVersion ?? state.Version));

    public static Outcome RejectRelease(Case state, RejectRelease cmd, Decider by) =>
        Outcome.Of(RejectReleaseHandler.Validate(state, by), () => RejectReleaseHandler.Decide(state, cmd, by));

    public static Outcome WithdrawRelease(Case state, WithdrawRelease cmd, Decider by) =>
        Outcome.Of(WithdrawReleaseHandler.Validate(state, by), () => WithdrawReleaseHandler.Decide(state, cmd, by));

    public static Outcome Transfer(Case state, TransferCase cmd, Decider by, bool wardExists = true) =>
        Outcome.Of(TransferCaseHandler.Validate(state, cmd, wardExists), () => TransferCaseHandler.Decide(state, cmd, by));

    public static Outcome Revoke(Case state, RevokeCase cmd, Decider by) =>
        Outcome.Of(Rules.NotTerminal(state), () => EndCaseHandler.Decide(cmd, by));

    public static Outcome Close(Case state, CloseCase cmd, Decider by) =>
        Outcome.Of(Rules.NotTerminal(state), () => EndCaseHandler.Decide(cmd, by));
}
