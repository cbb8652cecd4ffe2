using CaseTracking.Cases;
using static CaseTracking.Tests.Cases.CaseSpec;
using Case = CaseTracking.Cases.Case;

namespace CaseTracking.Tests.Cases.Decisions;

public sealed class ending_a_case
{
    private readonly Province p = new();
    private readonly Case assigned;

    public ending_a_case() => assigned = Given(p.Opened(), p.Assigned());

    [Fact]
    public void revokes_the_case_on_today()
    {
        var cmd = p.Revoke();
        var outcome = When.Revoke(assigned, cmd, p.By(p.Supervisor));

        outcome.ShouldAccept<CaseRevoked>().ShouldBe(new CaseRevoked(cmd.DecisionNumber!, cmd.Reason!, Province.Today, p.Supervisor.UserId));
        assigned.Then(outcome).Status.ShouldBe(CaseStatus.Revoked);
    }

    [Fact]
    public void closes_the_case_on_today()
    {
        var cmd = p.Close(ClosureReason.Deceased);
        var outcome = When.Close(assigned, cmd, p.By(p.Supervisor));

        outcome.ShouldAccept<CaseClosed>().ShouldBe(new CaseClosed(ClosureReason.Deceased, cmd.Note!, Province.Today, p.Supervisor.UserId));
        assigned.Then(outcome).Status.ShouldBe(CaseStatus.Closed);
    }

    [Fact]
    public void revoking_drops_a_pending_release()
    {
        var state = Given(p.Opened(), p.Assigned(), p.Recommended(ReleaseGrounds.TermCompleted, Province.Today));
        var after = state.Then(When.Revoke(state, p.Revoke(), p.By(p.Supervisor)));
        after.PendingRelease.ShouldBeNull();
        after.Status.ShouldBe(CaseStatus.Revoked);
    }
}
