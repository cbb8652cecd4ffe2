using CaseTracking.Access;
using CaseTracking.Cases;
using CaseTracking.Cases.Reading;
using CaseTracking.Pages.Shared;
using CaseTracking.People;
using CaseTracking.Web;
using Marten;
using Marten.Pagination;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace CaseTracking.Pages.Auditor;

/// <summary>Every case of the province, filtered by ward, status or person, paged; a case opens its timeline.</summary>
public sealed class IndexModel(IStringLocalizer<SharedResource> l, IDocumentStore store, CaseClock clock, TimeProvider time) : UiPage(l)
{
    protected override Role[] Allowed => [Role.Auditor];
    public const int PageSize = 50;

    [BindProperty(SupportsGet = true)] public Guid? WardId { get; set; }
    [BindProperty(SupportsGet = true)] public CaseStatus? Status { get; set; }
    [BindProperty(SupportsGet = true, Name = "q")] public string? Query { get; set; }
    /// <summary>The page number, as <see cref="Paging.Key"/>: "page" is Razor Pages' own route value and never binds.</summary>
    [BindProperty(SupportsGet = true, Name = Paging.Key)] public int? PageNumber { get; set; }

    public Paging Paging { get; private set; } = null!;

    public List<CaseView> Cases { get; private set; } = [];
    public long Total { get; private set; }
    public Lookup Names { get; private set; } = null!;

    /// <summary>Grants of case access in the admin audit trail in the last 30 days: shown as an alert.</summary>
    public int AdminAlerts { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        if (!ModelState.IsValid || !Paging.Valid(PageNumber) || Query is { } q && (q.Length > 200 || !CaseTracking.Infrastructure.Text.IsSingleLine(q)))
            return BadRequest();
        var ct = HttpContext.RequestAborted;
        await using var session = store.QuerySession(Me.Tenant);
        AdminAlerts = await AdminTrailModel.RecentAlertsAsync(session, time.GetUtcNow(), ct);
        var query = CaseReads.Scoped(session, Me);
        if (WardId is { } w) query = query.Where(s => s.WardId == w);
        if (Status is { } st) query = query.Where(s => s.Status == st);
        if (Query?.Trim() is { Length: >= 2 } term)
        {
            var people = await HttpContext.RequestServices.GetRequiredService<PersonSearch>().FindAsync(session, Me, term, ct, limit: 200);
            var ids = people.Select(p => p.Id).ToArray();
            query = query.Where(s => ids.Contains(s.PersonId));
        }

        var number = PageNumber ?? 1;
        var paged = await query.OrderByDescending(s => s.LastChangedAt).ThenBy(s => s.Id).ToPagedListAsync(number, PageSize, ct);
        Total = paged.TotalItemCount;
        Paging = new Paging(number, PageSize, Total, "/audit", Paging.QueryOf(Request));
        if (number > 1 && number > Paging.Pages) return NotFound();
        Cases = [.. paged.Select(clock.View)];
        Names = await Lookup.LoadAsync(session, Me.Tenant, Cases.Select(c => c.Case.PersonId), ct, [.. Cases.Select(c => c.Case.MentorUserId)]);
        return Page();
    }
}
