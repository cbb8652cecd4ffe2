using System.Globalization;
using System.Text;
using CaseTracking.Access;
using CaseTracking.Cases;
using CaseTracking.Web;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace CaseTracking.Pages.Auditor;

public sealed record MonthRow(string Month, int Opened, int Released, int Revoked, int Closed);

/// <summary>
/// Cases opened and ended by month, for a ward or the province: a chart (enhancement) over a table (the data),
/// and the same rows as CSV. Counted from the case summaries until the SupervisionStatistics projection lands.
/// </summary>
public sealed class StatisticsModel(IStringLocalizer<SharedResource> l, IDocumentStore store, CaseClock clock) : UiPage(l)
{
    protected override Role[] Allowed => [Role.Auditor];

    [BindProperty(SupportsGet = true)] public Guid? WardId { get; set; }
    [BindProperty(SupportsGet = true)] public string? Format { get; set; }

    public List<MonthRow> Rows { get; private set; } = [];
    public List<Ward> Wards { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync()
    {
        var ct = HttpContext.RequestAborted;
        await using var session = store.QuerySession(Me.Tenant);
        Wards = [.. await session.Query<Ward>().OrderBy(w => w.Name).ToListAsync(ct)];
        var query = session.Query<CaseSummary>().AsQueryable();
        if (WardId is { } w) query = query.Where(s => s.WardId == w);
        var since = clock.Today.AddMonths(-23);
        var first = new DateOnly(since.Year, since.Month, 1);
        var cases = await query.Select(s => new CaseDates(s.OpenedAt, s.Status, s.EndedOn)).ToListAsync(ct);
        string Month(DateOnly d) => d.ToString("yyyy-MM", CultureInfo.InvariantCulture);
        var months = Enumerable.Range(0, 24).Select(i => Month(first.AddMonths(i))).ToList();
        Rows = [.. months.Select(m => new MonthRow(m,
            cases.Count(c => Month(DateOnly.FromDateTime(c.OpenedAt.ToLocalTime().DateTime)) == m),
            cases.Count(c => c.Status == CaseStatus.Released && c.EndedOn is { } e && Month(e) == m),
            cases.Count(c => c.Status == CaseStatus.Revoked && c.EndedOn is { } e && Month(e) == m),
            cases.Count(c => c.Status == CaseStatus.Closed && c.EndedOn is { } e && Month(e) == m)))];
        if (string.Equals(Format, "csv", StringComparison.OrdinalIgnoreCase))
        {
            var csv = new StringBuilder("month,opened,released,revoked,closed\n");
            foreach (var r in Rows) csv.Append(CultureInfo.InvariantCulture, $"{r.Month},{r.Opened},{r.Released},{r.Revoked},{r.Closed}\n");
            return File(Encoding.UTF8.GetBytes(csv.ToString()), "text/csv", "statistics.csv");
        }

        return Page();
    }
}

public sealed record CaseDates(DateTimeOffset OpenedAt, CaseStatus Status, DateOnly? EndedOn);
