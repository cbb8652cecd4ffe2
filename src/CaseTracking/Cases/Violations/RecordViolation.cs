using CaseTracking.Access;
using CaseTracking.Infrastructure;
using FluentValidation;
using Wolverine.Http;

using static CaseTracking.Cases.Violations.RecordViolationHandler;

namespace CaseTracking.Cases.Violations;

public sealed record RecordViolation(ViolationSeverity? Severity, string? Description, DateOnly? OccurredOn)
{
    public sealed class Validator : AbstractValidator<RecordViolation>
    {
        public Validator(DateWindow window)
        {
            RuleFor(x => x.Severity).NotNull();
            RuleFor(x => x.Description).NotEmpty().MaximumLength(4000);
            RuleFor(x => x.OccurredOn).NotNull().InWindow(window);
        }
    }
}

public static class RecordViolationHandler
{
    public static Rejection? Validate(Case state, RecordViolation cmd, Decider by) =>
        Rules.NotTerminal(state)
        ?? Rules.NotInFuture(cmd.OccurredOn!.Value, by.Today, "violation")
        ?? (cmd.OccurredOn.Value < state.StartsOn ? new Rejection("violation.before-start", "A violation cannot be dated before supervision starts.") : null);

    public static object[] Decide(RecordViolation cmd, Decider by) =>
        [new ViolationRecorded(cmd.Severity!.Value, cmd.Description!.Trim(), cmd.OccurredOn!.Value, by.Actor.UserId)];
}

/// <summary>The HTTP shell: I/O around the pure functions of <see cref="RecordViolationHandler"/>.</summary>
public static class RecordViolationEndpoint
{
    [WolverinePost("/api/cases/{caseId}/violations")]
    [RequestBody(typeof(RecordViolation))]
    public static Task<Reply> Post(Guid caseId, HttpContext http, CaseWrites cases) => PostCommand(caseId, null, http, cases);

    /// <summary>The same use case for the UI, which already holds the command.</summary>
    public static Task<Reply> PostCommand(Guid caseId, RecordViolation? given, HttpContext http, CaseWrites cases) =>
        cases.Execute<RecordViolation>(http, caseId, CaseAction.RecordViolation, (state, ctx, by) =>
        {
            return Task.FromResult(Outcome.Of(Validate(state, ctx.Command, by), () => Decide(ctx.Command, by)));
        }, given: given);
}
