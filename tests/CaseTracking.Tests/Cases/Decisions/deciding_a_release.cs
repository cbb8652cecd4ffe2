using CaseTracking.Access;
using CaseTracking.Cases;
using CaseTracking.Cases.Releasing;
using static CaseTracking.Tests.Cases.CaseSpec;
using Case = CaseTracking.Cases.Case;

namespace CaseTracking.Tests.Cases.Decisions;

public sealed class deciding_a_release
{
    private readonly Province p = new();
    private static readonly DateOnly RecommendedOn = new(2026, 5, 2);

    private Case RecommendedBy(Actor recommender, params object[] more) =>
        Given([p.Opened(), p.Assigned(), p.Reviewed("2026-02"), p.Reviewed("2026-03"), p.Reviewed("2026-04"),
            p.Recommended(ReleaseGrounds.EarlyForProgress, RecommendedOn, recommender), .. more]);

    [Fact]
    public void another_supervisor_approves_and_the_case_is_released()
    {
        var state = RecommendedBy(p.Mentor);
        var cmd = p.Approve(new(2026, 5, 20));

        var outcome = When.ApproveRelease(state, cmd, p.By(p.Supervisor), seenVersion: 6);

        outcome.ShouldAccept<CaseReleased>().ShouldBe(new CaseReleased(ReleaseGrounds.EarlyForProgress, p.Mentor.UserId, p.Supervisor.UserId,
            cmd.DecisionNumber!, new(2026, 5, 20), 6));
        var after = state.Then(outcome);
        after.Status.ShouldBe(CaseStatus.Released);
        after.IsTerminal.ShouldBeTrue();
        after.PendingRelease.ShouldBeNull();
    }

    [Fact]
    public void rejects_approval_by_the_supervisor_who_recommended() =>
        When.ApproveRelease(RecommendedBy(p.Supervisor), p.Approve(Province.Today), p.By(p.Supervisor)).ShouldReject("release.same-approver");

    [Fact]
    public void a_second_supervisor_approves_what_the_first_recommended() =>
        When.ApproveRelease(RecommendedBy(p.Supervisor), p.Approve(Province.Today), p.By(p.SecondSupervisor))
            .ShouldAccept<CaseReleased>().ApprovedBy.ShouldBe(p.SecondSupervisor.UserId);

    [Fact]
    public void four_eyes_is_checked_against_the_open_recommendation_not_an_earlier_one()
    {
        var state = RecommendedBy(p.Supervisor, p.RejectedRelease(p.Supervisor.UserId),
            p.Recommended(ReleaseGrounds.EarlyForProgress, RecommendedOn.AddDays(3), p.SecondSupervisor));

        When.ApproveRelease(state, p.Approve(Province.Today), p.By(p.SecondSupervisor)).ShouldReject("release.same-approver");
        When.ApproveRelease(state, p.Approve(Province.Today), p.By(p.Supervisor)).ShouldAccept<CaseReleased>().RecommendedBy.ShouldBe(p.SecondSupervisor.UserId);
    }

    [Fact]
    public void rejects_approval_without_a_recommendation() =>
        When.ApproveRelease(Given(p.Opened(), p.Assigned()), p.Approve(Province.Today), p.By(p.Supervisor)).ShouldReject("release.none-pending");

    [Fact]
    public void rejects_approval_after_the_recommendation_was_rejected() =>
        When.ApproveRelease(RecommendedBy(p.Mentor, p.RejectedRelease(p.Mentor.UserId)), p.Approve(Province.Today), p.By(p.Supervisor))
            .ShouldReject("release.none-pending");

    [Fact]
    public void rejects_a_release_effective_before_supervision_starts() =>
        When.ApproveRelease(RecommendedBy(p.Mentor), p.Approve(Province.StartsOn.AddDays(-1)), p.By(p.Supervisor))
            .ShouldReject("release.effective-before-start");

    [Fact]
    public void a_supervisor_rejects_the_recommendation_and_the_case_is_active_again()
    {
        var state = RecommendedBy(p.Mentor);
        var cmd = p.Reject();

        var outcome = When.RejectRelease(state, cmd, p.By(p.Supervisor));

        outcome.ShouldAccept<ReleaseRejected>().ShouldBe(new ReleaseRejected(cmd.Reason!, p.Mentor.UserId, p.Supervisor.UserId));
        var after = state.Then(outcome);
        after.PendingRelease.ShouldBeNull();
        after.Status.ShouldBe(CaseStatus.Active);
    }

    [Fact]
    public void rejects_rejecting_when_nothing_is_pending() =>
        When.RejectRelease(Given(p.Opened(), p.Assigned()), p.Reject(), p.By(p.Supervisor)).ShouldReject("release.none-pending");

    [Fact]
    public void rejects_a_release_effective_more_than_a_month_after_approval()
    {
        When.ApproveRelease(RecommendedBy(p.Mentor), p.Approve(Province.Today.AddDays(31)), p.By(p.Supervisor)).ShouldAccept<CaseReleased>();
        When.ApproveRelease(RecommendedBy(p.Mentor), p.Approve(Province.Today.AddDays(32)), p.By(p.Supervisor)).ShouldReject("release.effective-too-late");
        When.ApproveRelease(RecommendedBy(p.Mentor), p.Approve(new(9999, 12, 1)), p.By(p.Supervisor)).ShouldReject("release.effective-too-late");
    }

    [Fact]
    public void rejects_rejection_by_the_supervisor_who_recommended() =>
        When.RejectRelease(RecommendedBy(p.Supervisor), p.Reject(), p.By(p.Supervisor)).ShouldReject("release.same-rejecter");

    [Fact]
    public void the_recommender_withdraws_and_the_case_is_active_again()
    {
        var state = RecommendedBy(p.Mentor);
        var outcome = When.WithdrawRelease(state, new("Cần thêm một kỳ đánh giá"), p.By(p.Mentor));

        outcome.ShouldAccept<ReleaseRecommendationWithdrawn>()
            .ShouldBe(new ReleaseRecommendationWithdrawn("Cần thêm một kỳ đánh giá", p.Mentor.UserId, p.Mentor.UserId));
        var after = state.Then(outcome);
        after.PendingRelease.ShouldBeNull();
        after.Status.ShouldBe(CaseStatus.Active);
    }

    [Fact]
    public void a_supervisor_of_the_ward_may_withdraw_a_reviewers_recommendation() =>
        When.WithdrawRelease(RecommendedBy(p.Mentor), new("Sai căn cứ"), p.By(p.SecondSupervisor))
            .ShouldAccept<ReleaseRecommendationWithdrawn>().WithdrawnBy.ShouldBe(p.SecondSupervisor.UserId);

    [Fact]
    public void another_reviewer_cannot_withdraw_it() =>
        When.WithdrawRelease(RecommendedBy(p.Supervisor), new("x"), p.By(p.Mentor)).ShouldReject("release.not-recommender");

    [Fact]
    public void rejects_withdrawing_when_nothing_is_pending() =>
        When.WithdrawRelease(Given(p.Opened(), p.Assigned()), new("x"), p.By(p.Mentor)).ShouldReject("release.none-pending");
}
