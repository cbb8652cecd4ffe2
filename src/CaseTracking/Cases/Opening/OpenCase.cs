using CaseTracking.Access;
using CaseTracking.Infrastructure;
using CaseTracking.People;
using FluentValidation;
using Marten;
using Wolverine.Http;

using static CaseTracking.Cases.Opening.OpenCaseHandler;

namespace CaseTracking.Cases.Opening;

public sealed record LegalBasisInput(string? DecisionNumber, string? IssuedBy, DateOnly? IssuedOn);

public sealed record OpenCase(Guid PersonId, SupervisionKind? Kind, LegalBasisInput? LegalBasis,
    DateOnly? StartsOn, DateOnly? EndsOn, Guid WardId)
{
    public sealed class Validator : AbstractValidator<OpenCase>
    {
        public Validator(DateWindow window)
        {
            RuleFor(x => x.PersonId).NotEmpty();
            RuleFor(x => x.Kind).NotNull();
            RuleFor(x => x.WardId).NotEmpty();
            RuleFor(x => x.StartsOn).NotNull().InWindow(window);
            RuleFor(x => x.EndsOn).NotNull().InWindow(window);
            RuleFor(x => x.LegalBasis).NotNull();
            RuleFor(x => x.LegalBasis!.DecisionNumber).NotEmpty().MaximumLength(100).When(x => x.LegalBasis is not null);
            RuleFor(x => x.LegalBasis!.IssuedBy).NotEmpty().MaximumLength(200).When(x => x.LegalBasis is not null);
            RuleFor(x => x.LegalBasis!.IssuedOn).NotNull().InWindow(window).When(x => x.LegalBasis is not null);
        }
    }
}

public sealed record CaseCreated(Guid CaseId, long Version);

public static class OpenCaseHandler
{
    /// <summary>
    /// Opening starts a stream: the shell looks up the person and whether they already have an unfinished case of
    /// this kind, then the pure rules decide.
    /// </summary>
    public static UseCase<OpenCase> UseCase(SupervisionKinds kinds) => new(CasePolicy.RolesFor(CaseAction.Open), async ctx =>
    {
        var (cmd, actor, session, ct) = (ctx.Command, ctx.Actor, ctx.Session, ctx.Cancellation);
        if (!actor.WardIds.Contains(cmd.WardId)) return Problems.Forbidden("You may open cases only in your own wards.");

        var person = await session.LoadAsync<Person>(cmd.PersonId, ct);
        var duplicate = person is not null && await session.Query<CaseSummary>().AnyAsync(s =>
            s.PersonId == cmd.PersonId && s.Kind == cmd.Kind && !CaseStatuses.Terminal.Contains(s.Status), ct);
        var rejection = Validate(cmd, kinds[cmd.Kind!.Value], person?.WardId, duplicate, ctx.Today);
        if (rejection is not null) return Problems.Rule(rejection);

        var caseId = Guid.CreateVersion7();
        session.Events.StartStream<Case>(caseId, Decide(cmd, caseId, actor.UserId));
        return new Reply(StatusCodes.Status201Created, new CaseCreated(caseId, 1), $"/api/cases/{caseId}", "\"1\"");
    });

    /// <summary>
    /// State rules, given what the shell looked up: the ward the person is registered in (null when no such person),
    /// and whether they already have such a case.
    /// </summary>
    public static Rejection? Validate(OpenCase cmd, KindRule kind, Guid? personWardId, bool hasActiveCaseOfKind, DateOnly today)
    {
        var startsOn = cmd.StartsOn!.Value;
        var endsOn = cmd.EndsOn!.Value;
        if (personWardId is null) return new("person.not-found", "No person with that id is registered in your province.");
        // A case is supervised where the person lives (DESIGN §2): move the person's registration first.
        if (personWardId != cmd.WardId)
            return new("case.person-in-other-ward", "The person is registered in another ward; a case is opened in the person's own ward.");
        if (endsOn <= startsOn) return new("term.ends-before-start", "The term must end after it starts.");
        if (!kind.TermFits(startsOn, endsOn)) return Rules.TermOutOfRange(kind);
        if (cmd.LegalBasis!.IssuedOn!.Value > startsOn) return new("legal-basis.issued-after-start", "The decision must be issued on or before the start of supervision.");
        if (cmd.LegalBasis.IssuedOn.Value > today) return new("legal-basis.issued-in-future", "The decision date lies in the future.");
        if (hasActiveCaseOfKind) return new("case.duplicate-active", $"This person already has an active {kind.Kind} case.");
        return null;
    }

    public static CaseOpened Decide(OpenCase cmd, Guid caseId, Guid openedBy) =>
        new(caseId, cmd.PersonId, cmd.Kind!.Value,
            new LegalBasis(cmd.LegalBasis!.DecisionNumber!.Trim(), cmd.LegalBasis.IssuedBy!.Trim(), cmd.LegalBasis.IssuedOn!.Value),
            cmd.StartsOn!.Value, cmd.EndsOn!.Value, cmd.WardId, openedBy);
}

/// <summary>The HTTP edge of <see cref="OpenCaseHandler"/>.</summary>
public static class OpenCaseEndpoint
{
    [WolverinePost("/api/cases")]
    [RequestBody(typeof(OpenCase))]
    public static Task<Reply> Post(HttpContext http, Writes writes, SupervisionKinds kinds) => writes.RunAsync(http, OpenCaseHandler.UseCase(kinds));
}
