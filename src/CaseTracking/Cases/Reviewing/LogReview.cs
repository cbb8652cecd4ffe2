using CaseTracking.Access;
using CaseTracking.Infrastructure;
using FluentValidation;
using Wolverine.Http;

using static CaseTracking.Cases.Reviewing.LogReviewHandler;

namespace CaseTracking.Cases.Reviewing;

public sealed record LogReview(string? Period, DateOnly? HeldOn, ReviewRating? Rating, string? Summary)
{
    public sealed class Validator : AbstractValidator<LogReview>
    {
        public Validator(DateWindow window)
        {
            RuleFor(x => x.Period).NotEmpty().Must(p => Rules.PeriodStart(p) is not null)
                .WithMessage(_ => Messages.Text("Period.Format"));
            RuleFor(x => x.Period).Must(p => window.ContainsMonth(Rules.PeriodStart(p)!.Value))
                .When(x => Rules.PeriodStart(x.Period) is not null)
                .WithMessage(_ => Messages.Format("DateWindow.Outside", window.Earliest, window.Latest));
            RuleFor(x => x.HeldOn).NotNull().InWindow(window);
            RuleFor(x => x.Rating).NotNull();
            RuleFor(x => x.Summary).NotEmpty().MaximumLength(4000);
        }
    }
}

public sealed record ReviewCreated(Guid ReviewId, long Version);

public static class LogReviewHandler
{
    public static readonly CaseUseCase<LogReview> UseCase =
        CaseUseCase<LogReview>.Pure(CaseAction.LogReview, (state, cmd, by) => Outcome.Of(Validate(state, cmd, by), () => Decide(cmd, by, by.NewId)))
            with { Status = StatusCodes.Status201Created, Respond = (by, version) => new ReviewCreated(by.NewId, version) };

    public static Rejection? Validate(Case state, LogReview cmd, Acting by)
    {
        var period = Rules.PeriodStart(cmd.Period)!.Value;
        var heldOn = cmd.HeldOn!.Value;
        return Rules.NotTerminal(state)
            ?? (state.Assignment is null || state.Assignment.OrganisationId != by.Actor.OrganisationId
                ? new Rejection("review.not-assigned", "Only a reviewer of the assigned organisation can log reviews.") : null)
            ?? (state.Reviews.ContainsKey(cmd.Period!)
                ? new Rejection("review.period-duplicate", $"A review for {cmd.Period} is already logged.") : null)
            ?? Rules.NotInFuture(heldOn, by.Today, "review")
            ?? (heldOn < state.StartsOn ? new Rejection("review.before-start", "A review cannot be held before supervision starts.") : null)
            ?? (period < new DateOnly(state.StartsOn.Year, state.StartsOn.Month, 1) || period > new DateOnly(state.EndsOn.Year, state.EndsOn.Month, 1)
                ? new Rejection("review.period-outside-term", "The review period lies outside the term.") : null)
            ?? (period > new DateOnly(by.Today.Year, by.Today.Month, 1)
                ? new Rejection("review.period-in-future", "A review cannot be logged for a future month.") : null);
    }

    public static object[] Decide(LogReview cmd, Acting by, Guid reviewId) =>
        [new ReviewLogged(reviewId, cmd.Period!, cmd.HeldOn!.Value, cmd.Rating!.Value, cmd.Summary!.Trim(), by.Actor.UserId)];
}

/// <summary>The HTTP edge of <see cref="LogReviewHandler"/>.</summary>
public static class LogReviewEndpoint
{
    [WolverinePost("/api/cases/{caseId}/reviews")]
    [RequestBody(typeof(LogReview))]
    public static Task<Reply> Post(Guid caseId, HttpContext http, CaseWrites cases) => cases.RunAsync(http, caseId, LogReviewHandler.UseCase);
}
