using CaseTracking.Access;
using CaseTracking.Infrastructure;
using FluentValidation;
using Marten;
using Wolverine.Http;

using static CaseTracking.Cases.Transferring.TransferCaseHandler;

namespace CaseTracking.Cases.Transferring;

public sealed record TransferCase(Guid ToWardId, string? Reason)
{
    public sealed class Validator : AbstractValidator<TransferCase>
    {
        public Validator()
        {
            RuleFor(x => x.ToWardId).NotEmpty();
            RuleFor(x => x.Reason).NotEmpty().MaximumLength(1000);
        }
    }
}

public static class TransferCaseHandler
{
    /// <summary>The shell looks up the target ward in the province; the rest is pure.</summary>
    public static readonly CaseUseCase<TransferCase> UseCase = new(CaseAction.Transfer, async (state, cmd, by, session, ct) =>
    {
        var ward = await session.LoadAsync<Ward>(cmd.ToWardId, ct);
        return Outcome.Of(Validate(state, cmd, ward is not null), () => Decide(state, cmd, by));
    });

    public static Rejection? Validate(Case state, TransferCase cmd, bool wardExists) =>
        Rules.NotTerminal(state)
        ?? (!wardExists ? new Rejection("transfer.ward-not-found", "No such ward in your province.") : null)
        ?? (cmd.ToWardId == state.WardId ? new Rejection("transfer.same-ward", "The case is already in that ward.") : null)
        ?? (state.PendingRelease is not null ? new Rejection("release.pending", "Decide the pending release recommendation before transferring.") : null);

    /// <summary>The new ward must assign again: <see cref="Case.Apply(CaseTransferred)"/> clears the assignment.</summary>
    public static object[] Decide(Case state, TransferCase cmd, Acting by) =>
        [new CaseTransferred(state.WardId, cmd.ToWardId, cmd.Reason!.Trim(), by.Actor.UserId)];
}

/// <summary>The HTTP edge of <see cref="TransferCaseHandler"/>.</summary>
public static class TransferCaseEndpoint
{
    [WolverinePost("/api/cases/{caseId}/transfer")]
    [RequestBody(typeof(TransferCase))]
    public static Task<Reply> Post(Guid caseId, HttpContext http, CaseWrites cases) => cases.RunAsync(http, caseId, TransferCaseHandler.UseCase);
}
