using CaseTracking.Access;
using CaseTracking.Cases;
using CaseTracking.Cases.Releasing;
using CaseTracking.Infrastructure;
using CaseTracking.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace CaseTracking.Pages.Cases;

/// <summary>
/// Approve or reject a pending release, with the case as it is now, the recommendation's grounds and note, and the
/// four-eyes rule stated. The recommender (a supervisor or the reviewer who wrote it) may only withdraw it here.
/// </summary>
public sealed class ReleaseModel(IStringLocalizer<SharedResource> l, Reads reads, CaseWrites cases, CaseClock clock) : UiPage(l)
{
    protected override Role[] Allowed => [Role.Supervisor, Role.Reviewer];

    public bool MayDecide => Me.Role == Role.Supervisor && !RecommendedByMe;

    public Guid Id { get; private set; }
    public CaseView View { get; private set; } = null!;
    public CaseSummary S => View.Case;
    public Lookup Names { get; private set; } = null!;

    public bool RecommendedByMe => S.PendingRecommendedBy == Me.UserId;

    public long FormVersion => FailedForm is not null && !Stale && SeenVersion is { } v ? v : S.Version;

    [BindProperty] public string? DecisionNumber { get; set; }
    [BindProperty] public string? EffectiveOn { get; set; }
    [BindProperty] public string? Reason { get; set; }

    public async Task<IActionResult> OnGetAsync(Guid id)
    {
        EffectiveOn ??= Iso(clock.Today);
        return await LoadAsync(id) ?? Page();
    }

    public Task<IActionResult> OnPostApproveAsync(Guid id) => Write(id, "approve", () =>
        cases.Run(WriteOf(new ApproveRelease(DecisionNumber, ParseDate(EffectiveOn))), id, ApproveReleaseHandler.UseCase, HttpContext.RequestAborted));

    public Task<IActionResult> OnPostRejectAsync(Guid id) => Write(id, "reject", () =>
        cases.Run(WriteOf(new RejectRelease(Reason)), id, RejectReleaseHandler.UseCase, HttpContext.RequestAborted));

    public Task<IActionResult> OnPostWithdrawAsync(Guid id) => Write(id, "withdraw", () =>
        cases.Run(WriteOf(new WithdrawRelease(Reason)), id, WithdrawReleaseHandler.UseCase, HttpContext.RequestAborted));

    private Task<IActionResult> Write(Guid id, string form, Func<Task<Reply>> run) => WriteCase(id, form, run, LoadAsync);

    private async Task<IActionResult?> LoadAsync(Guid id)
    {
        Id = id;
        var read = await reads.Case(HttpContext, id, CaseAction.ReadSummary, async (actor, session, summary) =>
        {
            View = clock.View(summary);
            Names = await Lookup.LoadAsync(session, actor.Tenant, [summary.PersonId], HttpContext.RequestAborted,
                [summary.PendingRecommendedBy, summary.MentorUserId]);
            return Results.Empty;
        });
        return read is Reply { IsSuccess: false } refused ? StatusCode(refused.Status) : null;
    }
}
