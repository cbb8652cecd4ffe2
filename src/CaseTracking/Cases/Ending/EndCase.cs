using CaseTracking.Access;
using CaseTracking.Infrastructure;
using FluentValidation;
using Wolverine.Http;

using static CaseTracking.Cases.Ending.EndCaseHandler;

namespace CaseTracking.Cases.Ending;

public sealed record RevokeCase(string? DecisionNumber, string? Reason)
{
    public sealed class Validator : AbstractValidator<RevokeCase>
    {
        public Validator()
        {
            RuleFor(x => x.DecisionNumber).NotEmpty().MaximumLength(100);
            RuleFor(x => x.Reason).NotEmpty().MaximumLength(4000);
        }
    }
}

public sealed record CloseCase(ClosureReason? Reason, string? Note)
{
    public sealed class Validator : AbstractValidator<CloseCase>
    {
        public Validator()
        {
            RuleFor(x => x.Reason).NotNull();
            RuleFor(x => x.Note).NotEmpty().MaximumLength(4000);
        }
    }
}

public static class EndCaseHandler
{
    public static readonly CaseUseCase<RevokeCase> Revoking =
        CaseUseCase<RevokeCase>.Pure(CaseAction.Revoke, (state, cmd, by) => Outcome.Of(Rules.NotTerminal(state), () => Decide(cmd, by)));

    public static readonly CaseUseCase<CloseCase> Closing =
        CaseUseCase<CloseCase>.Pure(CaseAction.Close, (state, cmd, by) => Outcome.Of(Rules.NotTerminal(state), () => Decide(cmd, by)));

    public static object[] Decide(RevokeCase cmd, Acting by) =>
        [new CaseRevoked(cmd.DecisionNumber!.Trim(), cmd.Reason!.Trim(), by.Today, by.Actor.UserId)];

    public static object[] Decide(CloseCase cmd, Acting by) =>
        [new CaseClosed(cmd.Reason!.Value, cmd.Note!.Trim(), by.Today, by.Actor.UserId)];
}

/// <summary>The HTTP edge of <see cref="EndCaseHandler"/>.</summary>
public static class EndCaseEndpoint
{
    [WolverinePost("/api/cases/{caseId}/revoke")]
    [RequestBody(typeof(RevokeCase))]
    public static Task<Reply> Revoke(Guid caseId, HttpContext http, CaseWrites cases) => cases.RunAsync(http, caseId, EndCaseHandler.Revoking);

    [WolverinePost("/api/cases/{caseId}/close")]
    [RequestBody(typeof(CloseCase))]
    public static Task<Reply> Close(Guid caseId, HttpContext http, CaseWrites cases) => cases.RunAsync(http, caseId, EndCaseHandler.Closing);
}
