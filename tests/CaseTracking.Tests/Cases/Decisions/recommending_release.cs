using CaseTracking.Cases;
using static CaseTracking.Tests.Cases.CaseSpec;
using Case = CaseTracking.Cases.Case;

namespace CaseTracking.Tests.Cases.Decisions;

/// <summary>
/// The default case runs 2025-01-01 to 2026-12-31 and today is 2026-05-15: more than half served, and six
/// months back is 2025-11-15.
/// </summary>
public sealed class recommending_release
{
    private readonly Province p = new();

    private Case WithReviews(params (string Period, ReviewRating Rating)[] reviews) =>
        Given([p.Opened(), p.Assigned(), .. reviews.Select(r => p.Reviewed(r.Period, r.Rating))]);

    private Case ThreeGoodReviews(params object[] more) =>
        Given([p.Opened(), p.Assigned(), p.Reviewed("2026-02"), p.Reviewed("2026-03"), p.Reviewed("2026-04"), .. more]);

    private Outcome Early(Case state, DateOnly? today = null) =>
        When.RecommendRelease(state, p.Recommend(ReleaseGrounds.EarlyForProgress), p.By(p.Mentor, today));

    [Fact]
    public void recommends_early_release_for_progress_and_the_release_is_pending()
    {
        var state = ThreeGoodReviews();
        var cmd = p.Recommend(ReleaseGrounds.EarlyForProgress);

        var outcome = When.RecommendRelease(state, cmd, p.By(p.Mentor));

        outcome.ShouldAccept<ReleaseRecommended>()
            .ShouldBe(new ReleaseRecommended(ReleaseGrounds.EarlyForProgress, cmd.Note!, Province.Today, p.Mentor.UserId));
        var after = state.Then(outcome);
        after.Status.ShouldBe(CaseStatus.ReleasePending);
        after.PendingRelease.ShouldBe(new PendingRelease(ReleaseGrounds.EarlyForProgress, p.Mentor.UserId, Province.Today));
    }

    [Fact]
    public void recommends_release_on_the_day_the_term_ends() =>
        When.RecommendRelease(Given(p.Opened(), p.Assigned()), p.Recommend(ReleaseGrounds.TermCompleted), p.By(p.Supervisor, Province.EndsOn))
            .ShouldAccept<ReleaseRecommended>().Grounds.ShouldBe(ReleaseGrounds.TermCompleted);

    [Fact]
    public void rejects_term_completed_before_the_term_ends() =>
        When.RecommendRelease(Given(p.Opened(), p.Assigned()), p.Recommend(ReleaseGrounds.TermCompleted), p.By(p.Supervisor, Province.EndsOn.AddDays(-1)))
            .ShouldReject("release.term-not-completed");

    [Fact]
    public void term_completed_follows_a_shortened_term()
    {
        var state = Given(p.Opened(), p.Assigned(),
            new TermChanged(new(2026, 3, 31), "9/2026/QĐ-TA", TermChangeReason.Shortened, Province.EndsOn, p.Supervisor.UserId));
        When.RecommendRelease(state, p.Recommend(ReleaseGrounds.TermCompleted), p.By(p.Supervisor)).ShouldAccept<ReleaseRecommended>();
    }

    [Fact]
    public void early_release_is_allowed_from_the_day_half_the_term_is_served()
    {
        var state = WithReviews(("2025-10", ReviewRating.Good), ("2025-11", ReviewRating.Good), ("2025-12", ReviewRating.Good));

        Early(state, new(2025, 12, 31)).ShouldReject("release.half-term-not-served");
        Early(state, new(2026, 1, 1)).ShouldAccept<ReleaseRecommended>();
    }

    [Fact]
    public void rejects_early_release_when_one_of_the_last_three_reviews_is_not_good() =>
        Early(WithReviews(("2026-02", ReviewRating.Good), ("2026-03", ReviewRating.Fair), ("2026-04", ReviewRating.Good)))
            .ShouldReject("release.reviews-not-good");

    [Fact]
    public void rejects_early_release_with_fewer_than_three_reviews() =>
        Early(WithReviews(("2026-03", ReviewRating.Good), ("2026-04", ReviewRating.Good))).ShouldReject("release.reviews-not-good");

    [Fact]
    public void an_older_poor_review_does_not_block_early_release() =>
        Early(WithReviews(("2026-01", ReviewRating.Poor), ("2026-02", ReviewRating.Good), ("2026-03", ReviewRating.Good), ("2026-04", ReviewRating.Good)))
            .ShouldAccept<ReleaseRecommended>();

    [Fact]
    public void the_last_three_reviews_are_the_latest_periods_not_the_latest_logged()
    {
        // Logged last, but for the earliest period: it is not among "the last three".
        Early(WithReviews(("2026-02", ReviewRating.Good), ("2026-03", ReviewRating.Good), ("2026-04", ReviewRating.Good), ("2026-01", ReviewRating.Poor)))
            .ShouldAccept<ReleaseRecommended>();
        // Logged first, but for the latest period: it is.
        Early(WithReviews(("2026-04", ReviewRating.Poor), ("2026-01", ReviewRating.Good), ("2026-02", ReviewRating.Good), ("2026-03", ReviewRating.Good)))
            .ShouldReject("release.reviews-not-good");
    }

    [Fact]
    public void rejects_early_release_within_six_months_of_a_serious_violation() =>
        Early(ThreeGoodReviews(p.Violated(ViolationSeverity.Serious, new(2025, 11, 16)))).ShouldReject("release.recent-serious-violation");

    [Fact]
    public void a_serious_violation_six_months_ago_no_longer_blocks_early_release() =>
        Early(ThreeGoodReviews(p.Violated(ViolationSeverity.Serious, new(2025, 11, 15)))).ShouldAccept<ReleaseRecommended>();

    [Fact]
    public void a_recent_minor_violation_does_not_block_early_release() =>
        Early(ThreeGoodReviews(p.Violated(ViolationSeverity.Minor, new(2026, 5, 1)))).ShouldAccept<ReleaseRecommended>();

    [Fact]
    public void rejects_a_second_recommendation_while_one_is_open() =>
        Early(ThreeGoodReviews(p.Recommended(ReleaseGrounds.EarlyForProgress, new(2026, 5, 1), p.Supervisor)))
            .ShouldReject("release.already-recommended");

    [Fact]
    public void recommends_again_after_a_rejected_recommendation() =>
        Early(ThreeGoodReviews(p.Recommended(ReleaseGrounds.EarlyForProgress, new(2026, 5, 1)), p.RejectedRelease(p.Mentor.UserId)))
            .ShouldAccept<ReleaseRecommended>();

    [Fact]
    public void rejects_a_reviewer_of_another_organisation() =>
        When.RecommendRelease(ThreeGoodReviews(), p.Recommend(ReleaseGrounds.EarlyForProgress), p.By(p.NeighbourReviewer))
            .ShouldReject("release.not-assigned");

    [Fact]
    public void a_supervisor_recommends_on_a_case_they_supervise() =>
        When.RecommendRelease(ThreeGoodReviews(), p.Recommend(ReleaseGrounds.EarlyForProgress), p.By(p.Supervisor))
            .ShouldAccept<ReleaseRecommended>().RecommendedBy.ShouldBe(p.Supervisor.UserId);
}
