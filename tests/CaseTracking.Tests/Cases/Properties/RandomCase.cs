using CaseTracking.Access;
using CaseTracking.Cases;
using CaseTracking.Cases.Ending;
using CaseTracking.Cases.Releasing;
using CaseTracking.Cases.Transferring;
using CaseTracking.Infrastructure;
using CsCheck;
using static CaseTracking.Tests.Cases.CaseSpec;
using Case = CaseTracking.Cases.Case;

namespace CaseTracking.Tests.Cases.Properties;

/// <summary>One thing someone tries to do to a case, some days after the previous one.</summary>
public sealed record Attempt(int Command, int Actor, int DaysLater, int MonthsBack, ReviewRating Rating, int Choice);

/// <summary>
/// Random command sequences run the way the HTTP shell runs them: role and scope first
/// (<see cref="CasePolicy"/>), then the real Validate/Decide, then <see cref="Case.Apply(CaseAssigned)"/> and friends.
/// Everyone acts in a province with two wards, so attempts are often out of scope or break a rule.
/// </summary>
public static class RandomCase
{
    public static readonly Gen<Attempt> Attempts = Gen.Select(Gen.Int[0, 99], Gen.Int[0, 4], Gen.Int[0, 25], Gen.Int[0, 3],
        // Mostly Good, so that early release is reachable at all.
        Gen.Frequency((8, Gen.Const(ReviewRating.Good)), (1, Gen.Const(ReviewRating.Fair)), (1, Gen.Const(ReviewRating.Poor))),
        Gen.Int[0, 5], (c, a, d, m, r, x) => new Attempt(c, a, d, m, r, x));

    public static readonly Gen<Attempt[]> Sequences = Attempts.Array[1, 100];

    public sealed record Run(IReadOnlyList<object> Events, IReadOnlyList<string> Rejections, Case Final);

    // One province per thread: CsCheck samples on several threads, and a Faker is not thread-safe.
    private static readonly ThreadLocal<Province> Provinces = new(() => new Province(seed: 7));

    /// <summary>Plays <paramref name="attempts"/> on a case opened with <paramref name="term"/> (by default a two-year suspended sentence).</summary>
    public static Run Play(Attempt[] attempts, (SupervisionKind Kind, DateOnly StartsOn, DateOnly EndsOn)? term = null)
    {
        var p = Provinces.Value!;
        var actors = new[] { p.Supervisor, p.SecondSupervisor, p.OtherWardSupervisor, p.Mentor, p.OtherWardReviewer };
        var organisations = new[] { (p.Organisation, p.MentorUser), (p.OtherWardOrganisation, p.OtherWardReviewerUser) };
        var supervisors = new[] { p.SupervisorUser, p.SecondSupervisorUser, p.OtherWardSupervisorUser };

        var opened = term is { } t ? p.Opened(t.Kind, t.StartsOn, t.EndsOn) : p.Opened();
        var events = new List<object> { opened };
        var rejections = new List<string>();
        var state = Given(opened);
        var today = opened.StartsOn;

        foreach (var a in attempts)
        {
            today = today.AddDays(a.DaysLater);
            var actor = actors[a.Actor];
            // Reviews are the mentor's work: most review attempts come from the current mentor, the rest from anyone.
            if (a.Command is >= 10 and < 40 && a.Actor < 3 && state.Assignment is { } assigned)
                actor = assigned.OrganisationId == p.Organisation.Id ? p.Mentor : p.OtherWardReviewer;
            var by = p.By(actor, today, state.Version);
            var (action, decide) = Attempt(a, p, state, by, today, organisations, supervisors);
            if (CasePolicy.Decide(actor, action, state) != Verdict.Allowed) continue;

            var outcome = decide();
            if (outcome.Rejection is { } rejection)
            {
                rejections.Add(rejection.Code);
                continue;
            }

            events.AddRange(outcome.Events);
            state = state.Then(outcome);
        }

        return new Run(events, rejections, state);
    }

    private static (CaseAction, Func<Outcome>) Attempt(Attempt a, Province p, Case state, Acting by, DateOnly today,
        (Organisation Organisation, User Mentor)[] organisations, User[] supervisors) => a.Command switch
    {
        < 10 => (CaseAction.Assign, () =>
        {
            // Mostly a valid assignment for the ward the case is in; Choice 4 and 5 break one rule each.
            var home = state.WardId == p.WardId ? 0 : 1;
            var (organisation, mentor) = organisations[a.Choice == 4 ? 1 - home : home];
            var supervisor = a.Choice == 5 ? supervisors[home == 0 ? 2 : 0] : supervisors[home == 0 ? a.Choice % 2 : 1 + a.Choice % 2];
            return When.Assign(state, p.Assign(organisation, mentor, supervisor), by, organisation, mentor, supervisor);
        }),
        < 40 => (CaseAction.LogReview, () =>
            When.LogReview(state, p.Review(Rules.PeriodOf(today.AddMonths(-a.MonthsBack)), today.AddDays(-a.Choice), a.Rating), by)),
        < 45 => (CaseAction.RecordProgress, () => When.RecordProgress(state, p.Progress(today.AddDays(-a.Choice)), by)),
        < 53 => (CaseAction.RecordViolation, () => When.RecordViolation(state,
            p.Violation(today.AddDays(-10 * a.Choice), a.Choice % 2 == 0 ? ViolationSeverity.Minor : ViolationSeverity.Serious), by)),
        < 60 => (CaseAction.ChangeTerm, () => a.Choice % 2 == 0
            // The validator's date window (today + 10 years) refuses a later end before any decision sees it.
            ? state.EndsOn.AddMonths(a.MonthsBack + 1) > today.AddYears(10)
                ? new Rejection("validator.date-window", "outside the date window")
                : When.ChangeTerm(state, p.Term(state.EndsOn.AddMonths(a.MonthsBack + 1), TermChangeReason.Extended), by)
            : When.ChangeTerm(state, p.Term(state.EndsOn.AddMonths(-(a.MonthsBack + 1)), TermChangeReason.Shortened), by)),
        < 72 => (CaseAction.RecommendRelease, () =>
            When.RecommendRelease(state, p.Recommend(a.Choice % 2 == 0 ? ReleaseGrounds.TermCompleted : ReleaseGrounds.EarlyForProgress), by)),
        < 82 => (CaseAction.ApproveRelease, () => When.ApproveRelease(state, p.Approve(today), by)),
        < 88 => (CaseAction.RejectRelease, () => When.RejectRelease(state, new RejectRelease(p.Text()), by)),
        < 96 => (CaseAction.Transfer, () =>
            When.Transfer(state, new TransferCase(a.Choice == 5 ? state.WardId : state.WardId == p.WardId ? p.OtherWardId : p.WardId, p.Text()), by)),
        < 98 => (CaseAction.Revoke, () => When.Revoke(state, new RevokeCase(p.DecisionNumber(today.Year), p.Text()), by)),
        _ => (CaseAction.Close, () => When.Close(state, new CloseCase(ClosureReason.Other, p.Text()), by))
    };

    public static bool IsTerminal(object evt) => evt is CaseReleased or CaseRevoked or CaseClosed;
}
