using CaseTracking.Access;
using CaseTracking.Infrastructure;
using FluentValidation;
using Marten;
using Wolverine.Http;

using static CaseTracking.Cases.Assigning.AssignCaseHandler;

namespace CaseTracking.Cases.Assigning;

public sealed record AssignCase(Guid OrganisationId, Guid MentorUserId, Guid SupervisorUserId, string? Reason)
{
    public sealed class Validator : AbstractValidator<AssignCase>
    {
        public Validator()
        {
            RuleFor(x => x.OrganisationId).NotEmpty();
            RuleFor(x => x.MentorUserId).NotEmpty();
            RuleFor(x => x.SupervisorUserId).NotEmpty();
            RuleFor(x => x.Reason).NotEmpty().MaximumLength(500);
        }
    }
}

public static class AssignCaseHandler
{
    /// <summary>The shell looks up the organisation and both users in the province; the rest is pure.</summary>
    public static readonly CaseUseCase<AssignCase> UseCase = new(CaseAction.Assign, async (state, cmd, by, session, ct) =>
    {
        var organisation = await session.LoadAsync<Organisation>(cmd.OrganisationId, ct);
        var users = await session.LoadManyAsync<User>(ct, cmd.MentorUserId, cmd.SupervisorUserId);
        var mentor = users.FirstOrDefault(u => u.Id == cmd.MentorUserId && u.Tenant == by.Actor.Tenant);
        var supervisor = users.FirstOrDefault(u => u.Id == cmd.SupervisorUserId && u.Tenant == by.Actor.Tenant);
        return Outcome.Of(Validate(state, cmd, organisation, mentor, supervisor), () => Decide(cmd, by));
    });

    public static Rejection? Validate(Case state, AssignCase cmd, Organisation? organisation, User? mentor, User? supervisor) =>
        Rules.NotTerminal(state)
        ?? (organisation is null || organisation.WardId != state.WardId
            ? new Rejection("assignment.organisation-not-in-ward", "The organisation must belong to the case's ward.") : null)
        ?? (mentor is null || !mentor.Active || mentor.Role != Role.Reviewer || mentor.OrganisationId != cmd.OrganisationId
            ? new Rejection("assignment.mentor-not-in-organisation", "The mentor must be an active reviewer of that organisation.") : null)
        ?? (supervisor is null || !supervisor.Active || supervisor.Role != Role.Supervisor || !supervisor.WardIds.Contains(state.WardId)
            ? new Rejection("assignment.supervisor-not-in-ward", "The supervisor must be an active supervisor of the case's ward.") : null)
        ?? (state.Assignment == new Assignment(cmd.OrganisationId, cmd.MentorUserId, cmd.SupervisorUserId)
            ? new Rejection("assignment.unchanged", "The case is already assigned exactly so.") : null);

    public static object[] Decide(AssignCase cmd, Acting by) =>
        [new CaseAssigned(cmd.OrganisationId, cmd.MentorUserId, cmd.SupervisorUserId, cmd.Reason!.Trim(), by.Actor.UserId)];
}

/// <summary>The HTTP edge of <see cref="AssignCaseHandler"/>.</summary>
public static class AssignCaseEndpoint
{
    [WolverinePost("/api/cases/{caseId}/assignment")]
    [RequestBody(typeof(AssignCase))]
    public static Task<Reply> Post(Guid caseId, HttpContext http, CaseWrites cases) => cases.RunAsync(http, caseId, AssignCaseHandler.UseCase);
}
