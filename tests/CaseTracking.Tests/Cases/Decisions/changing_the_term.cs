using CaseTracking.Cases;
using static CaseTracking.Tests.Cases.CaseSpec;
using Case = CaseTracking.Cases.Case;

namespace CaseTracking.Tests.Cases.Decisions;

/// <summary>The default case runs 2025-01-01 to 2026-12-31 (729 days): half of it is served on 2026-01-01.</summary>
public sealed class changing_the_term
{
    private readonly Province p = new();
    private readonly Case assigned;
    private static readonly DateOnly HalfServedOn = new(2026, 1, 1);

    public changing_the_term() => assigned = Given(p.Opened(), p.Assigned());

    [Fact]
    public void extends_the_term_at_any_time_and_remembers_the_previous_end()
    {
        var cmd = p.Term(new(2027, 6, 30), TermChangeReason.Extended);
        var outcome = When.ChangeTerm(assigned, cmd, p.By(p.Supervisor, Province.StartsOn.AddDays(10)));

        outcome.ShouldAccept<TermChanged>()
            .ShouldBe(new TermChanged(new(2027, 6, 30), cmd.DecisionNumber!, TermChangeReason.Extended, Province.EndsOn, p.Supervisor.UserId));
        assigned.Then(outcome).EndsOn.ShouldBe(new DateOnly(2027, 6, 30));
    }

    [Fact]
    public void shortens_the_term_once_half_of_it_is_served() =>
        When.ChangeTerm(assigned, p.Term(new(2026, 9, 30), TermChangeReason.Shortened), p.By(p.Supervisor, HalfServedOn))
            .ShouldAccept<TermChanged>().NewEndsOn.ShouldBe(new DateOnly(2026, 9, 30));

    [Fact]
    public void rejects_shortening_before_half_the_term_is_served() =>
        When.ChangeTerm(assigned, p.Term(new(2026, 9, 30), TermChangeReason.Shortened), p.By(p.Supervisor, HalfServedOn.AddDays(-1)))
            .ShouldReject("term.half-not-served");

    [Fact]
    public void half_is_measured_against_the_extended_term()
    {
        // Extended to 2028-12-31 the term is 1460 days; on 2026-05-15 only 499 have passed.
        var state = Given(p.Opened(), p.Assigned(), new TermChanged(new(2028, 12, 31), "1/2025/QĐ-TA", TermChangeReason.Extended, Province.EndsOn, p.Supervisor.UserId));
        When.ChangeTerm(state, p.Term(new(2028, 6, 30), TermChangeReason.Shortened), p.By(p.Supervisor)).ShouldReject("term.half-not-served");
    }

    [Fact]
    public void rejects_an_extension_that_does_not_move_the_end_later() =>
        When.ChangeTerm(assigned, p.Term(Province.EndsOn, TermChangeReason.Extended), p.By(p.Supervisor)).ShouldReject("term.not-extended");

    [Fact]
    public void rejects_a_shortening_that_does_not_move_the_end_earlier() =>
        When.ChangeTerm(assigned, p.Term(Province.EndsOn.AddDays(1), TermChangeReason.Shortened), p.By(p.Supervisor)).ShouldReject("term.not-shortened");

    [Fact]
    public void rejects_an_end_on_or_before_the_start() =>
        When.ChangeTerm(assigned, p.Term(Province.StartsOn, TermChangeReason.Shortened), p.By(p.Supervisor)).ShouldReject("term.ends-before-start");

    [Fact]
    public void rejects_a_change_while_a_release_is_pending()
    {
        var state = Given(p.Opened(), p.Assigned(), p.Recommended(ReleaseGrounds.EarlyForProgress, new(2026, 5, 1)));
        When.ChangeTerm(state, p.Term(new(2027, 6, 30), TermChangeReason.Extended), p.By(p.Supervisor)).ShouldReject("release.pending");
    }

    [Fact]
    public void rejects_an_extension_beyond_the_kinds_longest_term()
    {
        // A suspended sentence runs at most 60 months: from 2025-01-01, to 2030-01-01.
        When.ChangeTerm(assigned, p.Term(new(2030, 1, 1), TermChangeReason.Extended), p.By(p.Supervisor)).ShouldAccept<TermChanged>();
        When.ChangeTerm(assigned, p.Term(new(2030, 1, 2), TermChangeReason.Extended), p.By(p.Supervisor)).ShouldReject("term.out-of-range");
        When.ChangeTerm(assigned, p.Term(new(2045, 1, 1), TermChangeReason.Extended), p.By(p.Supervisor)).ShouldReject("term.out-of-range");
    }

    [Fact]
    public void rejects_a_shortening_below_the_kinds_shortest_term() =>
        // At least 12 months: from 2025-01-01, not before 2025-12-31.
        When.ChangeTerm(assigned, p.Term(new(2025, 12, 30), TermChangeReason.Shortened), p.By(p.Supervisor, HalfServedOn.AddDays(-10)))
            .ShouldReject("term.out-of-range");

    [Fact]
    public void a_conditional_early_release_is_extended_at_most_to_fifteen_years()
    {
        var early = Given(p.Opened(SupervisionKind.ConditionalEarlyRelease, new(2025, 1, 1), new(2026, 1, 1)), p.Assigned());
        When.ChangeTerm(early, p.Term(new(2040, 1, 1), TermChangeReason.Extended), p.By(p.Supervisor)).ShouldAccept<TermChanged>();
        When.ChangeTerm(early, p.Term(new(9999, 12, 31), TermChangeReason.Extended), p.By(p.Supervisor)).ShouldReject("term.out-of-range");
    }
}
