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

    public static object[] Decide(AssignCase cmd, Decider by) =>
        [new CaseAssigned(cmd.OrganisationId, cmd.MentorUserId, cmd.SupervisorUserId, cmd.Reason!.Trim(), by.Actor.UserId)];
}

/// <summary>The HTTP shell: I/O around the pure functions of <see cref="AssignCaseHandler"/>.</summary>
public static class AssignCaseEndpoint
{
    [WolverinePost("/api/cases/{caseId}/assignment")]
    [RequestBody(typeof(AssignCase))]
    public static Task<Reply> Post(Guid caseId, HttpContext http, CaseWrites cases) => PostCommand(caseId, null, http, cases);

    /// <summary>The same use case for the UI, which already holds the command.</summary>
    public static Task<Reply> PostCommand(Guid caseId, AssignCase? given, HttpContext http, CaseWrites cases) =>
        cases.Execute<AssignCase>(http, caseId, CaseAction.Assign, async (state, ctx, by) =>
        {
            var ct = http.RequestAborted;
            var organisation = await ctx.Session.LoadAsync<Organisation>(ctx.Command.OrganisationId, ct);
            var users = await ctx.Session.LoadManyAsync<User>(ct, ctx.Command.MentorUserId, ctx.Command.SupervisorUserId);
            var mentor = users.FirstOrDefault(u => u.Id == ctx.Command.MentorUserId && u.Tenant == ctx.Actor.Tenant);
            var supervisor = users.FirstOrDefault(u => u.Id == ctx.Command.SupervisorUserId && u.Tenant == ctx.Actor.Tenant);
            return Outcome.Of(Validate(state, ctx.Command, organisation, mentor, supervisor),
                () => Decide(ctx.Command, by));
        }, given: given);
}
