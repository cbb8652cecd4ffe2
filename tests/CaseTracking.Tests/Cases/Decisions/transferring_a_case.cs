using CaseTracking.Cases;
using static CaseTracking.Tests.Cases.CaseSpec;
using Case = CaseTracking.Cases.Case;

namespace CaseTracking.Tests.Cases.Decisions;

public sealed class transferring_a_case
{
    private readonly Province p = new();
    private readonly Case assigned;

    public transferring_a_case() => assigned = Given(p.Opened(), p.Assigned());

    [Fact]
    public void transfers_to_another_ward_and_clears_the_assignment()
    {
        var cmd = p.Transfer();
        var outcome = When.Transfer(assigned, cmd, p.By(p.Supervisor));

        outcome.ShouldAccept<CaseTransferred>().ShouldBe(new CaseTransferred(p.WardId, p.OtherWardId, cmd.Reason!, p.Supervisor.UserId));
        var after = assigned.Then(outcome);
        after.WardId.ShouldBe(p.OtherWardId);
        after.Assignment.ShouldBeNull();
        after.Status.ShouldBe(CaseStatus.Open);
    }

    [Fact]
    public void keeps_reviews_and_violations_across_the_transfer()
    {
        var state = Given(p.Opened(), p.Assigned(), p.Reviewed("2026-04"), p.Violated(ViolationSeverity.Serious, new(2026, 1, 5)), p.Transferred());
        state.Reviews.Keys.ShouldBe(["2026-04"]);
        state.SeriousViolations.ShouldBe([new DateOnly(2026, 1, 5)]);
    }

    [Fact]
    public void rejects_a_transfer_to_the_same_ward() =>
        When.Transfer(assigned, p.Transfer(p.WardId), p.By(p.Supervisor)).ShouldReject("transfer.same-ward");

    [Fact]
    public void rejects_an_unknown_ward() =>
        When.Transfer(assigned, p.Transfer(p.Fake.Random.Guid()), p.By(p.Supervisor), wardExists: false).ShouldReject("transfer.ward-not-found");

    [Fact]
    public void rejects_a_transfer_while_a_release_is_pending() =>
        When.Transfer(Given(p.Opened(), p.Assigned(), p.Recommended(ReleaseGrounds.TermCompleted, Province.EndsOn)), p.Transfer(), p.By(p.Supervisor))
            .ShouldReject("release.pending");
}
