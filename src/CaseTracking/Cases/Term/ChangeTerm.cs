using CaseTracking.Access;
using CaseTracking.Infrastructure;
using FluentValidation;
using Wolverine.Http;

using static CaseTracking.Cases.Term.ChangeTermHandler;

namespace CaseTracking.Cases.Term;

public sealed record ChangeTerm(DateOnly? NewEndsOn, string? DecisionNumber, TermChangeReason? Reason)
{
    public sealed class Validator : AbstractValidator<ChangeTerm>
    {
        public Validator(DateWindow window)
        {
            RuleFor(x => x.NewEndsOn).NotNull().InWindow(window);
            RuleFor(x => x.DecisionNumber).NotEmpty().MaximumLength(100);
            RuleFor(x => x.Reason).NotNull();
        }
    }
}

public static class ChangeTermHandler
{
    public static readonly CaseUseCase<ChangeTerm> UseCase =
        CaseUseCase<ChangeTerm>.Pure(CaseAction.ChangeTerm, (state, cmd, by) => Outcome.Of(Validate(state, cmd, by), () => Decide(state, cmd, by)));

    /// <summary>The changed term must still fit its kind's legal range (DESIGN §2), like the term at opening.</summary>
    public static Rejection? Validate(Case state, ChangeTerm cmd, Acting by)
    {
        var newEnd = cmd.NewEndsOn!.Value;
        return Rules.NotTerminal(state)
            ?? (newEnd <= state.StartsOn ? new Rejection("term.ends-before-start", "The term must end after it starts.") : null)
            ?? (cmd.Reason == TermChangeReason.Extended && newEnd <= state.EndsOn
                ? new Rejection("term.not-extended", "An extension must move the end date later.") : null)
            ?? (cmd.Reason == TermChangeReason.Shortened && newEnd >= state.EndsOn
                ? new Rejection("term.not-shortened", "A shortening must move the end date earlier.") : null)
            ?? (!by.Kind.TermFits(state.StartsOn, newEnd) ? Rules.TermOutOfRange(by.Kind) : null)
            ?? (cmd.Reason == TermChangeReason.Shortened && !state.HalfServed(by.Today)
                ? new Rejection("term.half-not-served", "A term can be shortened only once half of it has been served.") : null)
            ?? (state.PendingRelease is not null
                ? new Rejection("release.pending", "Decide the pending release recommendation first.") : null);
    }

    public static object[] Decide(Case state, ChangeTerm cmd, Acting by) =>
        [new TermChanged(cmd.NewEndsOn!.Value, cmd.DecisionNumber!.Trim(), cmd.Reason!.Value, state.EndsOn, by.Actor.UserId)];
}

/// <summary>The HTTP edge of <see cref="ChangeTermHandler"/>.</summary>
public static class ChangeTermEndpoint
{
    [WolverinePost("/api/cases/{caseId}/term")]
    [RequestBody(typeof(ChangeTerm))]
    public static Task<Reply> Post(Guid caseId, HttpContext http, CaseWrites cases) => cases.RunAsync(http, caseId, ChangeTermHandler.UseCase);
}
