using CaseTracking.Access;
using CaseTracking.Cases;
using CaseTracking.Statistics;
using CaseTracking.Web;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace CaseTracking.Pages.Auditor;

/// <summary>
/// Monthly figures of the SupervisionStatistics projection (the same query as GET /api/statistics) as a table,
/// drawn as a chart when JavaScript runs; the CSV link is the API's own CSV.
/// </summary>
public sealed class StatisticsModel(IStringLocalizer<SharedResource> l, IDocumentStore store, CaseClock clock) : UiPage(l)
{
    protected override Role[] Allowed => [Role.Auditor, Role.Supervisor];

    [BindProperty(SupportsGet = true)] public Guid? WardId { get; set; }
    [BindProperty(SupportsGet = true)] public SupervisionKind? Kind { get; set; }
    [BindProperty(SupportsGet = true)] public string? From { get; set; }
    [BindProperty(SupportsGet = true)] public string? To { get; set; }

    public IReadOnlyList<StatisticsLine> Lines { get; private set; } = [];
    public List<Ward> Wards { get; private set; } = [];

    /// <summary>Ward × kind: under supervision at the end of the period (and taken on within it).</summary>
    public IReadOnlyList<(Guid WardId, SupervisionKind Kind, int Active, int Opened)> WardKind { get; private set; } = [];

    public StatisticsLine Total => new("", Lines.Sum(l => l.Opened), Lines.Sum(l => l.ReleasedTermCompleted), Lines.Sum(l => l.ReleasedEarly),
        Lines.Sum(l => l.Released), Lines.Sum(l => l.Revoked), Lines.Sum(l => l.Closed), Lines.Sum(l => l.ReviewsHeld), Lines.Sum(l => l.ReviewsDue),
        Lines.Sum(l => l.Violations), Lines.Sum(l => l.TransfersIn), Lines.Sum(l => l.TransfersOut), Lines.Count > 0 ? Lines[^1].ActiveAtMonthEnd : 0);

    public string CsvUrl => QueryString.Create(new Dictionary<string, string?>
    {
        ["from"] = From, ["to"] = To, ["wardId"] = WardId?.ToString(), ["kind"] = Kind?.ToString()
    }.Where(kv => kv.Value is not null)).ToUriComponent() is var q ? "/api/statistics.csv" + q : "";

    public async Task OnGetAsync()
    {
        var ct = HttpContext.RequestAborted;
        var today = clock.Today;
        var to = Rules.PeriodStart(To) ?? new DateOnly(today.Year, today.Month, 1);
        var from = Rules.PeriodStart(From) ?? to.AddMonths(-11);
        if (from > to || from.AddYears(20) < to) from = to.AddMonths(-11);
        From = Rules.PeriodOf(from);
        To = Rules.PeriodOf(to);
        await using var session = store.QuerySession(Me.Tenant);
        var wards = await session.Query<Ward>().OrderBy(w => w.Name).ToListAsync(ct);
        Wards = [.. Me.Role == Role.Supervisor ? wards.Where(w => Me.WardIds.Contains(w.Id)) : wards];
        Lines = await StatisticsQueries.LinesAsync(session, Me, from, to, WardId, Kind, ct);
        WardKind = await StatisticsQueries.WardKindAsync(session, Me, from, to, WardId, Kind, ct);
    }
}
