using CaseTracking.Access;
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
    [BindProperty(SupportsGet = true, Name = "page")] public int PageNumber { get; set; } = 1;

    public IReadOnlyList<AdminAuditEntry> Entries { get; private set; } = [];

    public async Task OnGetAsync()
    {
        PageNumber = Math.Clamp(PageNumber, 1, 1_000_000);
        await using var session = store.QuerySession(Me.Tenant);
        Entries = await AdminAuditEndpoint.QueryAsync(session, null, null, AlertsOnly, PageNumber, PageSize, HttpContext.RequestAborted);
    }

    /// <summary>Alerts of the last 30 days, for the banner on the auditor's start page.</summary>
    public static async Task<int> RecentAlertsAsync(IQuerySession session, DateTimeOffset now, CancellationToken ct) =>
        await session.Query<AdminAuditEntry>().CountAsync(e => e.Alert && e.At >= now.AddDays(-30).ToUniversalTime(), ct);
}
