using CaseTracking.Access;
using CaseTracking.Pages.Shared;
using CaseTracking.Web;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace CaseTracking.Pages.Auditor;

/// <summary>The admin audit trail of the province, newest first; alerts (grants of case access) can be shown alone.</summary>
public sealed class AdminTrailModel(IStringLocalizer<SharedResource> l, IDocumentStore store) : UiPage(l)
{
    protected override Role[] Allowed => [Role.Auditor];
    public const int PageSize = 100;

    [BindProperty(SupportsGet = true, Name = "alerts")] public bool AlertsOnly { get; set; }
    /// <summary>The page number, as <see cref="Paging.Key"/>: "page" is Razor Pages' own route value and never binds.</summary>
    [BindProperty(SupportsGet = true, Name = Paging.Key)] public int? PageNumber { get; set; }

    public IReadOnlyList<AdminAuditEntry> Entries { get; private set; } = [];
    public Paging Paging { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync()
    {
        if (!ModelState.IsValid || !Paging.Valid(PageNumber)) return BadRequest();
        var number = PageNumber ?? 1;
        await using var session = store.QuerySession(Me.Tenant);
        var page = await AdminAuditEndpoint.PageAsync(session, null, null, AlertsOnly, number, PageSize, HttpContext.RequestAborted);
        Paging = new Paging(number, PageSize, page.TotalItemCount, "/audit/admin", Paging.QueryOf(Request));
        if (number > 1 && number > Paging.Pages) return NotFound();
        Entries = [.. page];
        return Page();
    }

    /// <summary>Alerts of the last 30 days, for the banner on the auditor's start page.</summary>
    public static async Task<int> RecentAlertsAsync(IQuerySession session, DateTimeOffset now, CancellationToken ct) =>
        await session.Query<AdminAuditEntry>().CountAsync(e => e.Alert && e.At >= now.AddDays(-30).ToUniversalTime(), ct);
}
