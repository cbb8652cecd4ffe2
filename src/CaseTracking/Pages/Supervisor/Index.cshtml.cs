using CaseTracking.Access;
using CaseTracking.Cases;
using CaseTracking.Cases.Reading;
using CaseTracking.Web;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace CaseTracking.Pages.Supervisor;

/// <summary>The supervisor's desk: alerts first (open cases with a flag), then every case of their wards.</summary>
public sealed class IndexModel(IStringLocalizer<SharedResource> l, IDocumentStore store, CaseClock clock) : UiPage(l)
{
    protected override Role[] Allowed => [Role.Supervisor];

    public List<CaseView> Alerts { get; private set; } = [];
    public List<CaseView> Cases { get; private set; } = [];
    public Lookup Names { get; private set; } = null!;

    [BindProperty(SupportsGet = true)] public CaseStatus? Status { get; set; }

    /// <summary>The ward a case was just transferred to (from the case page), named in a confirmation.</summary>
    [BindProperty(SupportsGet = true)] public Guid? Transferred { get; set; }

    public string? TransferredTo { get; private set; }

    public async Task OnGetAsync()
    {
        var ct = HttpContext.RequestAborted;
        await using var session = store.QuerySession(Me.Tenant);
        var all = (await CaseReads.Scoped(session, Me).OrderBy(s => s.EndsOn).ToListAsync(ct)).Select(clock.View).ToList();
        // Every open case with a flag, plus fresh pending releases (someone must decide them). Pending releases
        // first, then terms ended, then overdue reviews; "eligible for early release" is good news, last.
        Alerts = [.. all.Where(v => v.Flags.Count > 0 || v.Case.Status == CaseStatus.ReleasePending)
            .OrderByDescending(v => v.Case.Status == CaseStatus.ReleasePending)
            .ThenByDescending(v => v.Flags.Contains(AlertKind.TermEnded))
            .ThenBy(v => v.Flags.All(f => f == AlertKind.EarlyReleaseEligible))
            .ThenBy(v => v.NextReviewDue ?? DateOnly.MaxValue)];
        Cases = [.. all.Where(v => Status is null ? !v.Case.IsTerminal : v.Case.Status == Status)];
        Names = await Lookup.LoadAsync(session, Me.Tenant, all.Select(c => c.Case.PersonId), ct, [.. all.Select(c => c.Case.MentorUserId)]);
        if (Transferred is { } ward && ward != Guid.Empty && await session.LoadAsync<Ward>(ward, ct) is { } to) TransferredTo = to.Name;
    }
}
