using CaseTracking.Cases;
using CsCheck;

namespace CaseTracking.Tests.Cases.Properties;

public sealed class case_lifecycle_properties
{
    // 2,000 sequences of up to 100 attempts: well under a second each on two idle cores.
    private const int Iterations = 2_000;

    [Fact]
    public void no_sequence_records_anything_after_the_case_has_ended() =>
        RandomCase.Sequences.Sample(attempts =>
        {
            var events = RandomCase.Play(attempts).Events;
            var ending = events.ToList().FindIndex(RandomCase.IsTerminal);
            if (ending >= 0) events.Count.ShouldBe(ending + 1, $"events after {events[ending].GetType().Name}");
        }, iter: Iterations);

    [Fact]
    public void no_sequence_logs_two_reviews_for_one_period() =>
        RandomCase.Sequences.Sample(attempts =>
        {
            var periods = RandomCase.Play(attempts).Events.OfType<ReviewLogged>().Select(r => r.Period).ToList();
            periods.ShouldBeUnique();
        }, iter: Iterations);

    [Fact]
    public void no_sequence_releases_a_case_approved_by_the_one_who_recommended_it() =>
        RandomCase.Sequences.Sample(attempts =>
        {
            foreach (var released in RandomCase.Play(attempts).Events.OfType<CaseReleased>())
                released.ApprovedBy.ShouldNotBe(released.RecommendedBy);
        }, iter: Iterations);

    [Fact]
    public void a_release_names_the_open_recommendation_it_approves() =>
        RandomCase.Sequences.Sample(attempts =>
        {
            ReleaseRecommended? open = null;
            foreach (var evt in RandomCase.Play(attempts).Events)
            {
                switch (evt)
                {
                    case ReleaseRecommended r: open.ShouldBeNull("a second recommendation while one is open"); open = r; break;
                    case ReleaseRejected: open.ShouldNotBeNull(); open = null; break;
                    case CaseReleased r:
                        open.ShouldNotBeNull("released without a recommendation");
                        r.RecommendedBy.ShouldBe(open.RecommendedBy);
                        r.Grounds.ShouldBe(open.Grounds);
                        break;
                }
            }
        }, iter: Iterations);

    /// <summary>
    /// An oracle written from DESIGN §2 alone, over the history before each recommendation: TermCompleted on or
    /// after the end; EarlyForProgress with half the term served, the three latest periods Good, no Serious
    /// violation in the six months before.
    /// </summary>
    [Fact]
    public void every_recommendation_meets_its_grounds_on_the_day_it_is_made() =>
        RandomCase.Sequences.Sample(attempts =>
        {
            var events = RandomCase.Play(attempts).Events;
            var opened = (CaseOpened)events[0];
            var endsOn = opened.EndsOn;
            var ratings = new SortedDictionary<string, ReviewRating>(StringComparer.Ordinal);
            var serious = new List<DateOnly>();
            foreach (var evt in events)
            {
                switch (evt)
                {
                    case TermChanged t: endsOn = t.NewEndsOn; break;
                    case ReviewLogged r: ratings[r.Period] = r.Rating; break;
                    case ViolationRecorded { Severity: ViolationSeverity.Serious } v: serious.Add(v.OccurredOn); break;
                    case ReleaseRecommended { Grounds: ReleaseGrounds.TermCompleted } r:
                        r.RecommendedOn.ShouldBeGreaterThanOrEqualTo(endsOn);
                        break;
                    case ReleaseRecommended r:
                        var today = r.RecommendedOn;
                        (2 * (today.DayNumber - opened.StartsOn.DayNumber)).ShouldBeGreaterThanOrEqualTo(endsOn.DayNumber - opened.StartsOn.DayNumber);
                        ratings.Values.TakeLast(3).ShouldBe([ReviewRating.Good, ReviewRating.Good, ReviewRating.Good]);
                        serious.Max(v => (DateOnly?)v).GetValueOrDefault().ShouldBeLessThanOrEqualTo(today.AddMonths(-6));
                        break;
                }
            }
        }, iter: Iterations);

    /// <summary>The properties above mean little unless the generator reaches the states they are about.</summary>
    [Fact]
    public void the_generator_reaches_every_ending_and_the_rules_under_test()
    {
        var seen = new HashSet<string>();
        RandomCase.Sequences.Sample(attempts =>
        {
            var run = RandomCase.Play(attempts);
            foreach (var evt in run.Events) seen.Add(evt.GetType().Name);
            foreach (var code in run.Rejections) seen.Add(code);
        }, iter: 2_000, threads: 1);

        string[] wanted =
        [
            nameof(CaseReleased), nameof(CaseRevoked), nameof(CaseClosed), nameof(ReleaseRejected), nameof(CaseTransferred),
            nameof(TermChanged), "case.terminal", "release.reviews-not-good", "release.recent-serious-violation",
            "release.half-term-not-served", "release.term-not-completed", "review.period-duplicate", "release.same-approver", "release.none-pending",
            "release.already-recommended"
        ];
        wanted.Except(seen).ShouldBeEmpty(string.Join(", ", seen));
    }
}
