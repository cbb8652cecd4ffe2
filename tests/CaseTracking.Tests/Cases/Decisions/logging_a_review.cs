using CaseTracking.Cases;
using static CaseTracking.Tests.Cases.CaseSpec;
using Case = CaseTracking.Cases.Case;

namespace CaseTracking.Tests.Cases.Decisions;

public sealed class logging_a_review
{
    private readonly Province p = new();
    private readonly Case assigned;

    public logging_a_review() => assigned = Given(p.Opened(), p.Assigned());

    [Fact]
    public void logs_a_review_for_the_period_and_remembers_its_rating()
    {
        var reviewId = p.Fake.Random.Guid();
        var cmd = p.Review("2026-04", new DateOnly(2026, 4, 28), ReviewRating.Fair);

        var outcome = When.LogReview(assigned, cmd, p.By(p.Mentor), reviewId);

        outcome.ShouldAccept<ReviewLogged>()
            .ShouldBe(new ReviewLogged(reviewId, "2026-04", new DateOnly(2026, 4, 28), ReviewRating.Fair, cmd.Summary!, p.Mentor.UserId));
        assigned.Then(outcome).Reviews["2026-04"].ShouldBe(ReviewRating.Fair);
    }

    [Fact]
    public void rejects_a_second_review_for_the_same_period()
    {
        var state = Given(p.Opened(), p.Assigned(), p.Reviewed("2026-03"));

        When.LogReview(state, p.Review("2026-03", new DateOnly(2026, 3, 30)), p.By(p.Mentor)).ShouldReject("review.period-duplicate");
    }

    [Fact]
    public void accepts_the_next_period_after_one_already_reviewed() =>
        When.LogReview(Given(p.Opened(), p.Assigned(), p.Reviewed("2026-03")), p.Review("2026-04"), p.By(p.Mentor))
            .ShouldAccept<ReviewLogged>();

    [Fact]
    public void accepts_a_review_held_today() =>
        When.LogReview(assigned, p.Review("2026-05", Province.Today), p.By(p.Mentor)).ShouldAccept<ReviewLogged>();

    [Fact]
    public void rejects_a_review_held_in_the_future() =>
        When.LogReview(assigned, p.Review("2026-05", Province.Today.AddDays(1)), p.By(p.Mentor)).ShouldReject("review.in-future");

    [Fact]
    public void accepts_a_review_held_on_the_first_day_of_supervision() =>
        When.LogReview(assigned, p.Review("2025-01", Province.StartsOn), p.By(p.Mentor)).ShouldAccept<ReviewLogged>();

    [Fact]
    public void rejects_a_review_held_before_supervision_starts() =>
        When.LogReview(assigned, p.Review("2025-01", Province.StartsOn.AddDays(-1)), p.By(p.Mentor)).ShouldReject("review.before-start");

    [Fact]
    public void rejects_a_period_before_the_term()
    {
        var state = Given(p.Opened(startsOn: new(2025, 3, 10), endsOn: new(2027, 3, 9)), p.Assigned());
        When.LogReview(state, p.Review("2025-02", new DateOnly(2025, 3, 20)), p.By(p.Mentor)).ShouldReject("review.period-outside-term");
    }

    [Fact]
    public void rejects_a_period_after_the_term()
    {
        var state = Given(p.Opened(startsOn: new(2024, 1, 1), endsOn: new(2024, 12, 31)), p.Assigned());
        When.LogReview(state, p.Review("2025-01", new DateOnly(2025, 1, 10)), p.By(p.Mentor)).ShouldReject("review.period-outside-term");
    }

    [Fact]
    public void rejects_a_period_that_has_not_begun() =>
        When.LogReview(assigned, p.Review("2026-06", Province.Today), p.By(p.Mentor)).ShouldReject("review.period-in-future");

    [Fact]
    public void rejects_a_reviewer_of_another_organisation() =>
        When.LogReview(assigned, p.Review("2026-04"), p.By(p.NeighbourReviewer)).ShouldReject("review.not-assigned");

    [Fact]
    public void rejects_a_review_on_an_unassigned_case() =>
        When.LogReview(Given(p.Opened()), p.Review("2026-04"), p.By(p.Mentor)).ShouldReject("review.not-assigned");

    [Fact]
    public void after_a_transfer_the_old_organisation_can_no_longer_log_reviews() =>
        When.LogReview(Given(p.Opened(), p.Assigned(), p.Transferred()), p.Review("2026-04"), p.By(p.Mentor)).ShouldReject("review.not-assigned");
}
