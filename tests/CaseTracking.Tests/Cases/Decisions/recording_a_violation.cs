using CaseTracking.Cases;
using static CaseTracking.Tests.Cases.CaseSpec;
using Case = CaseTracking.Cases.Case;

namespace CaseTracking.Tests.Cases.Decisions;

public sealed class recording_a_violation
{
    private readonly Province p = new();
    private readonly Case assigned;

    public recording_a_violation() => assigned = Given(p.Opened(), p.Assigned());

    [Fact]
    public void records_a_serious_violation_which_the_case_remembers()
    {
        var cmd = p.Violation(new(2026, 4, 1), ViolationSeverity.Serious);
        var outcome = When.RecordViolation(assigned, cmd, p.By(p.Supervisor));

        outcome.ShouldAccept<ViolationRecorded>()
            .ShouldBe(new ViolationRecorded(ViolationSeverity.Serious, cmd.Description!, new(2026, 4, 1), p.Supervisor.UserId));
        assigned.Then(outcome).SeriousViolations.ShouldBe([new DateOnly(2026, 4, 1)]);
    }

    [Fact]
    public void a_minor_violation_does_not_count_as_serious()
    {
        var outcome = When.RecordViolation(assigned, p.Violation(new(2026, 4, 1)), p.By(p.Supervisor));

        outcome.ShouldAccept<ViolationRecorded>().Severity.ShouldBe(ViolationSeverity.Minor);
        assigned.Then(outcome).SeriousViolations.ShouldBeEmpty();
    }

    [Fact]
    public void rejects_a_violation_dated_in_the_future() =>
        When.RecordViolation(assigned, p.Violation(Province.Today.AddDays(1)), p.By(p.Supervisor)).ShouldReject("violation.in-future");

    [Fact]
    public void rejects_a_violation_dated_before_supervision_starts() =>
        When.RecordViolation(assigned, p.Violation(Province.StartsOn.AddDays(-1)), p.By(p.Supervisor)).ShouldReject("violation.before-start");
}
