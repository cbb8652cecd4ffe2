using CaseTracking.Access;
using CaseTracking.Cases;
using CaseTracking.Cases.Assigning;
using static CaseTracking.Tests.Cases.CaseSpec;
using Case = CaseTracking.Cases.Case;

namespace CaseTracking.Tests.Cases.Decisions;

public sealed class assigning_a_case
{
    private readonly Province p = new();

    private Outcome Assign(Case state, AssignCase cmd, Organisation? organisation = null, User? mentor = null, User? supervisor = null) =>
        When.Assign(state, cmd, p.By(p.Supervisor),
            organisation ?? new[] { p.Organisation, p.NeighbourOrganisation, p.OtherWardOrganisation }.SingleOrDefault(o => o.Id == cmd.OrganisationId),
            mentor ?? new[] { p.MentorUser, p.NeighbourReviewerUser, p.OtherWardReviewerUser }.SingleOrDefault(u => u.Id == cmd.MentorUserId),
            supervisor ?? new[] { p.SupervisorUser, p.SecondSupervisorUser, p.OtherWardSupervisorUser }.SingleOrDefault(u => u.Id == cmd.SupervisorUserId));

    [Fact]
    public void assigns_an_organisation_mentor_and_supervisor_and_the_case_becomes_active()
    {
        var state = Given(p.Opened());
        var cmd = p.Assign();

        var outcome = Assign(state, cmd);

        outcome.ShouldAccept<CaseAssigned>().ShouldBe(new CaseAssigned(p.Organisation.Id, p.MentorUser.Id, p.SupervisorUser.Id, cmd.Reason!, p.Supervisor.UserId));
        var after = state.Then(outcome);
        after.Assignment.ShouldBe(new Assignment(p.Organisation.Id, p.MentorUser.Id, p.SupervisorUser.Id));
        after.Status.ShouldBe(CaseStatus.Active);
    }

    [Fact]
    public void reassigns_to_another_organisation_of_the_ward() =>
        Assign(Given(p.Opened(), p.Assigned()), p.Assign(p.NeighbourOrganisation, p.NeighbourReviewerUser, p.SecondSupervisorUser))
            .ShouldAccept<CaseAssigned>().OrganisationId.ShouldBe(p.NeighbourOrganisation.Id);

    [Fact]
    public void rejects_an_organisation_of_another_ward() =>
        Assign(Given(p.Opened()), p.Assign(p.OtherWardOrganisation, p.OtherWardReviewerUser))
            .ShouldReject("assignment.organisation-not-in-ward");

    [Fact]
    public void rejects_an_unknown_organisation()
    {
        var cmd = p.Assign() with { OrganisationId = p.Fake.Random.Guid() };
        When.Assign(Given(p.Opened()), cmd, p.By(p.Supervisor), null, p.MentorUser, p.SupervisorUser)
            .ShouldReject("assignment.organisation-not-in-ward");
    }

    [Fact]
    public void rejects_a_mentor_of_another_organisation() =>
        Assign(Given(p.Opened()), p.Assign(p.Organisation, p.NeighbourReviewerUser))
            .ShouldReject("assignment.mentor-not-in-organisation");

    [Fact]
    public void rejects_a_mentor_who_is_not_a_reviewer()
    {
        var supervisorOfOrganisation = p.NewUser(Role.Supervisor, [p.WardId], p.Organisation.Id);
        Assign(Given(p.Opened()), p.Assign(mentor: supervisorOfOrganisation), mentor: supervisorOfOrganisation)
            .ShouldReject("assignment.mentor-not-in-organisation");
    }

    [Fact]
    public void rejects_a_deactivated_mentor()
    {
        var former = p.NewUser(Role.Reviewer, [], p.Organisation.Id);
        former.Active = false;
        Assign(Given(p.Opened()), p.Assign(mentor: former), mentor: former).ShouldReject("assignment.mentor-not-in-organisation");
    }

    [Fact]
    public void rejects_a_supervisor_of_another_ward() =>
        Assign(Given(p.Opened()), p.Assign(supervisor: p.OtherWardSupervisorUser)).ShouldReject("assignment.supervisor-not-in-ward");

    [Fact]
    public void rejects_a_reviewer_as_supervisor() =>
        Assign(Given(p.Opened()), p.Assign(supervisor: p.NeighbourReviewerUser)).ShouldReject("assignment.supervisor-not-in-ward");

    [Fact]
    public void rejects_the_same_assignment_again() =>
        Assign(Given(p.Opened(), p.Assigned()), p.Assign()).ShouldReject("assignment.unchanged");

    [Fact]
    public void after_a_transfer_the_new_wards_organisation_is_assigned_and_the_old_one_rejected()
    {
        var state = Given(p.Opened(), p.Assigned(), p.Transferred());

        Assign(state, p.Assign()).ShouldReject("assignment.organisation-not-in-ward");
        Assign(state, p.Assign(p.OtherWardOrganisation, p.OtherWardReviewerUser, p.SecondSupervisorUser)).ShouldAccept<CaseAssigned>();
    }
}
