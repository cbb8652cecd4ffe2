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
    public static object[] Decide(RevokeCase cmd, Decider by) =>
        [new CaseRevoked(cmd.DecisionNumber!.Trim(), cmd.Reason!.Trim(), by.Today, by.Actor.UserId)];

    public static object[] Decide(CloseCase cmd, Decider by) =>
        [new CaseClosed(cmd.Reason!.Value, cmd.Note!.Trim(), by.Today, by.Actor.UserId)];
}

/// <summary>The HTTP shell: I/O around the pure functions of <see cref="EndCaseHandler"/>.</summary>
public static class EndCaseEndpoint
{
    [WolverinePost("/api/cases/{caseId}/revoke")]
    [RequestBody(typeof(RevokeCase))]
    public static Task<Reply> Revoke(Guid caseId, HttpContext http, CaseWrites cases) => RevokeCommand(caseId, null, http, cases);

    /// <summary>The same use case for the UI, which already holds the command.</summary>
    public static Task<Reply> RevokeCommand(Guid caseId, RevokeCase? given, HttpContext http, CaseWrites cases) =>
        cases.Execute<RevokeCase>(http, caseId, CaseAction.Revoke, (state, ctx, by) =>
        {
            return Task.FromResult(Outcome.Of(Rules.NotTerminal(state), () => Decide(ctx.Command, by)));
        }, given: given);

    [WolverinePost("/api/cases/{caseId}/close")]
    [RequestBody(typeof(CloseCase))]
    public static Task<Reply> Close(Guid caseId, HttpContext http, CaseWrites cases) => CloseCommand(caseId, null, http, cases);

    /// <summary>The same use case for the UI, which already holds the command.</summary>
    public static Task<Reply> CloseCommand(Guid caseId, CloseCase? given, HttpContext http, CaseWrites cases) =>
        cases.Execute<CloseCase>(http, caseId, CaseAction.Close, (state, ctx, by) =>
        {
            return Task.FromResult(Outcome.Of(Rules.NotTerminal(state), () => Decide(ctx.Command, by)));
        }, given: given);
}
