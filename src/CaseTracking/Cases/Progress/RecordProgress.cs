using CaseTracking.Access;
using CaseTracking.Infrastructure;
using FluentValidation;
using Wolverine.Http;

using static CaseTracking.Cases.Progress.RecordProgressHandler;

namespace CaseTracking.Cases.Progress;

public sealed record RecordProgress(ProgressArea? Area, ProgressDirection? Direction, string? Note, DateOnly? RecordedOn)
{
    public sealed class Validator : AbstractValidator<RecordProgress>
    {
        public Validator(DateWindow window)
        {
            RuleFor(x => x.Area).NotNull();
            RuleFor(x => x.Direction).NotNull();
            RuleFor(x => x.Note).NotEmpty().MaximumLength(4000);
            RuleFor(x => x.RecordedOn).NotNull().InWindow(window);
        }
    }
}

public static class RecordProgressHandler
{
    public static readonly CaseUseCase<RecordProgress> UseCase =
        CaseUseCase<RecordProgress>.Pure(CaseAction.RecordProgress, (state, cmd, by) => Outcome.Of(Validate(state, cmd, by), () => Decide(cmd, by)));

    public static Rejection? Validate(Case state, RecordProgress cmd, Acting by) =>
        Rules.NotTerminal(state)
        ?? Rules.NotInFuture(cmd.RecordedOn!.Value, by.Today, "progress")
        ?? (cmd.RecordedOn.Value < state.StartsOn ? new Rejection("progress.before-start", "Progress cannot be dated before supervision starts.") : null)
        ?? (by.Actor.Role == Role.Reviewer && state.Assignment?.OrganisationId != by.Actor.OrganisationId
            ? new Rejection("progress.not-assigned", "Only a reviewer of the assigned organisation can record progress.") : null);

    public static object[] Decide(RecordProgress cmd, Acting by) =>
        [new ProgressRecorded(cmd.Area!.Value, cmd.Direction!.Value, cmd.Note!.Trim(), cmd.RecordedOn!.Value, by.Actor.UserId)];
}

/// <summary>The HTTP edge of <see cref="RecordProgressHandler"/>.</summary>
public static class RecordProgressEndpoint
{
    [WolverinePost("/api/cases/{caseId}/progress")]
    [RequestBody(typeof(RecordProgress))]
    public static Task<Reply> Post(Guid caseId, HttpContext http, CaseWrites cases) => cases.RunAsync(http, caseId, RecordProgressHandler.UseCase);
}
