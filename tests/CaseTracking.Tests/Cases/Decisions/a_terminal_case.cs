using CaseTracking.Cases;
using static CaseTracking.Tests.Cases.CaseSpec;
using Case = CaseTracking.Cases.Case;

namespace CaseTracking.Tests.Cases.Decisions;

/// <summary>DESIGN §2: no event is accepted on a released, revoked or closed case (<c>case.terminal</c>, 422).</summary>
public sealed class a_terminal_case
{
    private static readonly Province P = new();

    private static readonly Dictionary<string, Func<Case>> Endings = new()
    {
        ["released"] = () => Given(P.Opened(), P.Assigned(), P.Recommended(ReleaseGrounds.TermCompleted, Province.Today, P.Mentor),
            P.Released(ReleaseGrounds.TermCompleted, P.Mentor.UserId, Province.Today)),
        ["revoked"] = () => Given(P.Opened(), P.Assigned(), P.Revoked(Province.Today)),
        ["closed"] = () => Given(P.Opened(), P.Assigned(), P.Closed(Province.Today))
    };

    /// <summary>Every command on a case, each one that would be accepted were the case still open.</summary>
    private static readonly Dictionary<string, Func<Case, Outcome>> Commands = new()
    {
        ["assign"] = s => When.Assign(s, P.Assign(P.NeighbourOrganisation, P.NeighbourReviewerUser), P.By(P.Supervisor),
            P.NeighbourOrganisation, P.NeighbourReviewerUser, P.SupervisorUser),
        ["log review"] = s => When.LogReview(s, P.Review("2026-04"), P.By(P.Mentor)),
        ["record progress"] = s => When.RecordProgress(s, P.Progress(Province.Today), P.By(P.Mentor)),
        ["record violation"] = s => When.RecordViolation(s, P.Violation(Province.Today, ViolationSeverity.Serious), P.By(P.Supervisor)),
        ["extend term"] = s => When.ChangeTerm(s, P.Term(Province.EndsOn.AddMonths(6), TermChangeReason.Extended), P.By(P.Supervisor)),
        ["shorten term"] = s => When.ChangeTerm(s, P.Term(Province.EndsOn.AddMonths(-6), TermChangeReason.Shortened), P.By(P.Supervisor)),
        ["recommend release"] = s => When.RecommendRelease(s, P.Recommend(ReleaseGrounds.TermCompleted), P.By(P.Supervisor, Province.EndsOn)),
        ["approve release"] = s => When.ApproveRelease(s, P.Approve(Province.Today), P.By(P.SecondSupervisor)),
        ["reject release"] = s => When.RejectRelease(s, P.Reject(), P.By(P.SecondSupervisor)),
        ["transfer"] = s => When.Transfer(s, P.Transfer(), P.By(P.Supervisor)),
        ["revoke"] = s => When.Revoke(s, P.Revoke(), P.By(P.Supervisor)),
        ["close"] = s => When.Close(s, P.Close(), P.By(P.Supervisor))
    };

    public static TheoryData<string, string> EveryEndingAndCommand()
    {
        var data = new TheoryData<string, string>();
        foreach (var ending in Endings.Keys)
            foreach (var command in Commands.Keys)
                data.Add(ending, command);
        return data;
    }

    [Theory]
    [MemberData(nameof(EveryEndingAndCommand))]
    public void rejects_every_command_once_the_case_has_ended(string ending, string command)
    {
        var state = Endings[ending]();
        state.IsTerminal.ShouldBeTrue();

        Commands[command](state).ShouldReject("case.terminal");
    }

    [Theory]
    [InlineData("assign")]
    [InlineData("log review")]
    [InlineData("record progress")]
    [InlineData("record violation")]
    [InlineData("extend term")]
    [InlineData("shorten term")]
    [InlineData("recommend release")]
    [InlineData("transfer")]
    [InlineData("revoke")]
    [InlineData("close")]
    public void the_same_commands_are_accepted_while_the_case_is_open(string command) =>
        Commands[command](Given(P.Opened(), P.Assigned())).Rejection.ShouldBeNull();

    [Theory]
    [InlineData("approve release")]
    [InlineData("reject release")]
    public void the_release_decisions_are_accepted_while_a_recommendation_is_open(string command) =>
        Commands[command](Given(P.Opened(), P.Assigned(), P.Recommended(ReleaseGrounds.TermCompleted, Province.EndsOn, P.Supervisor)))
            .Rejection.ShouldBeNull();
}
