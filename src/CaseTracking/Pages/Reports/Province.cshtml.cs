using CaseTracking.Access;
using CaseTracking.Cases;
using CaseTracking.Reports;
using CaseTracking.Web;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace CaseTracking.Pages.Reports;

/// <summary>The province's periodic report, printable on A4 (the same figures as GET /api/reports/province).</summary>
public sealed class ProvinceModel(IStringLocalizer<SharedResource> l, IDocumentStore store, DateWindow window, SupervisionKinds kinds) : UiPage(l)
{
    protected override Role[] Allowed => [Role.Auditor, Role.Supervisor];

    [BindProperty(SupportsGet = true)] public string? From { get; set; }
    [BindProperty(SupportsGet = true)] public string? To { get; set; }

    public ProvinceReport Report { get; private set; } = null!;

    public string XlsxUrl => $"/api/reports/province.xlsx?from={Report.From}&to={Report.To}";

    public async Task OnGetAsync()
    {
        var (from, to, error) = ProvinceReports.Period(From, To, window);
        if (error is not null)
        {
            ErrorMessage = error.FieldErrors.Values.SelectMany(v => v).FirstOrDefault();
            (from, to, _) = ProvinceReports.Period(null, null, window);
        }

        await using var session = store.QuerySession(Me.Tenant);
        Report = await ProvinceReports.BuildAsync(session, Me, kinds, from, to, window.Today, HttpContext.RequestAborted);
        From = Report.From;
        To = Report.To;
    }

    /// <summary>"tháng 10/2026" as a Vietnamese officer writes a month; "10/2026" in English.</summary>
    public static string MonthText(string period) => $"{period[5..]}/{period[..4]}";
}
