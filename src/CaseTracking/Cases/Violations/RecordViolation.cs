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
    public static readonly CaseUseCase<RecordViolation> UseCase =
        CaseUseCase<RecordViolation>.Pure(CaseAction.RecordViolation, (state, cmd, by) => Outcome.Of(Validate(state, cmd, by), () => Decide(cmd, by)));

    public static Rejection? Validate(Case state, RecordViolation cmd, Acting by) =>
        Rules.NotTerminal(state)
        ?? Rules.NotInFuture(cmd.OccurredOn!.Value, by.Today, "violation")
        ?? (cmd.OccurredOn.Value < state.StartsOn ? new Rejection("violation.before-start", "A violation cannot be dated before supervision starts.") : null);

    public static object[] Decide(RecordViolation cmd, Acting by) =>
        [new ViolationRecorded(cmd.Severity!.Value, cmd.Description!.Trim(), cmd.OccurredOn!.Value, by.Actor.UserId)];
}

/// <summary>The HTTP edge of <see cref="RecordViolationHandler"/>.</summary>
public static class RecordViolationEndpoint
{
    [WolverinePost("/api/cases/{caseId}/violations")]
    [RequestBody(typeof(RecordViolation))]
    public static Task<Reply> Post(Guid caseId, HttpContext http, CaseWrites cases) => cases.RunAsync(http, caseId, RecordViolationHandler.UseCase);
}
