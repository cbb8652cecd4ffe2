using CaseTracking.Cases;
using static CaseTracking.Tests.Cases.CaseSpec;
using Case = CaseTracking.Cases.Case;

namespace CaseTracking.Tests.Cases.Decisions;

public sealed class recording_progress
{
    private readonly Province p = new();
    private readonly Case assigned;

    public recording_progress() => assigned = Given(p.Opened(), p.Assigned());

    [Fact]
    public void the_mentor_records_progress()
    {
        var cmd = p.Progress(new(2026, 5, 2));
        var outcome = When.RecordProgress(assigned, cmd, p.By(p.Mentor));

        outcome.ShouldAccept<ProgressRecorded>()
            .ShouldBe(new ProgressRecorded(cmd.Area!.Value, cmd.Direction!.Value, cmd.Note!, new(2026, 5, 2), p.Mentor.UserId));
        assigned.Then(outcome).ShouldBe(assigned with { Version = assigned.Version + 1 });
    }

    [Fact]
    public void a_supervisor_records_progress_on_an_unassigned_case() =>
        When.RecordProgress(Given(p.Opened()), p.Progress(Province.Today), p.By(p.Supervisor)).ShouldAccept<ProgressRecorded>();

    [Fact]
    public void rejects_a_reviewer_of_another_organisation() =>
        When.RecordProgress(assigned, p.Progress(Province.Today), p.By(p.NeighbourReviewer)).ShouldReject("progress.not-assigned");

    [Fact]
    public void rejects_progress_dated_in_the_future() =>
        When.RecordProgress(assigned, p.Progress(Province.Today.AddDays(1)), p.By(p.Mentor)).ShouldReject("progress.in-future");

    [Fact]
    public void rejects_progress_dated_before_supervision_starts() =>
        When.RecordProgress(assigned, p.Progress(Province.StartsOn.AddDays(-1)), p.By(p.Mentor)).ShouldReject("progress.before-start");
}
