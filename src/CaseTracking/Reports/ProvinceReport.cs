using System.Globalization;
using CaseTracking.Access;
using CaseTracking.Cases;
using CaseTracking.Imports;
using CaseTracking.Infrastructure;
using CaseTracking.Statistics;
using Marten;
using Wolverine.Http;

namespace CaseTracking.Reports;

/// <summary>The figures of one line of the report (docs/statistics.md defines each).</summary>
public sealed record ReportFigures(int TakenOn, int UnderSupervisionAtEnd, int ReleasedTermCompleted, int ReleasedEarly, int Revoked,
    int Closed, int ReviewsHeld, int ReviewsDue, int Violations)
{
    public int Released => ReleasedTermCompleted + ReleasedEarly;

    public static readonly ReportFigures Zero = new(0, 0, 0, 0, 0, 0, 0, 0, 0);

    public ReportFigures Plus(ReportFigures o) => new(TakenOn + o.TakenOn, UnderSupervisionAtEnd + o.UnderSupervisionAtEnd,
        ReleasedTermCompleted + o.ReleasedTermCompleted, ReleasedEarly + o.ReleasedEarly, Revoked + o.Revoked, Closed + o.Closed,
        ReviewsHeld + o.ReviewsHeld, ReviewsDue + o.ReviewsDue, Violations + o.Violations);
}

public sealed record ReportLine(string Key, string Label, ReportFigures Figures);

public sealed record ProvinceReport(string Province, string From, string To, DateOnly PreparedOn, ReportFigures Total,
    IReadOnlyList<ReportLine> ByWard, IReadOnlyList<ReportLine> ByKind, IReadOnlyList<ReportLine> ByOrganisationType);

/// <summary>
/// The province's periodic report (issue 16): what it sends up for a period of months. Ward and kind lines are sums of
/// the statistics projection's rows (so they agree with the statistics page); the organisation-type lines are counted
/// from the case summaries, by the organisation each case is assigned to now, with each case's reviews and violations
/// by month from <see cref="CaseActivity"/> and its reviews due worked out from its term as the statistics projection
/// does: the lines add up to the same totals.
/// </summary>
public static class ProvinceReports
{
    public static async Task<ProvinceReport> BuildAsync(IQuerySession session, Actor actor, SupervisionKinds kinds, DateOnly from, DateOnly to, DateOnly today,
        CancellationToken ct)
    {
        var query = session.Query<StatisticsRow>().Where(r => r.Month <= to);
        var summaries = session.Query<CaseSummary>().AsQueryable();
        if (actor.Role == Role.Supervisor)
        {
            var mine = actor.WardIds.ToArray();
            query = query.Where(r => mine.Contains(r.WardId));
            summaries = summaries.Where(s => mine.Contains(s.WardId));
        }

        var rows = await query.ToListAsync(ct);
        var wards = (await session.Query<Ward>().ToListAsync(ct)).ToDictionary(w => w.Id);

        static ReportFigures Of(IEnumerable<StatisticsRow> rows, DateOnly from, DateOnly to)
        {
            var list = rows.ToList();
            var inPeriod = list.Where(r => r.Month >= from).ToList();
            return new ReportFigures(inPeriod.Sum(r => r.Opened), list.Sum(r => r.ActiveDelta), inPeriod.Sum(r => r.ReleasedTermCompleted),
                inPeriod.Sum(r => r.ReleasedEarly), inPeriod.Sum(r => r.Revoked), inPeriod.Sum(r => r.Closed), inPeriod.Sum(r => r.ReviewsHeld),
                inPeriod.Sum(r => r.ReviewsDue), inPeriod.Sum(r => r.Violations));
        }

        var byWard = rows.GroupBy(r => r.WardId)
            .Select(g => new ReportLine(wards.GetValueOrDefault(g.Key)?.Code ?? g.Key.ToString(), wards.GetValueOrDefault(g.Key)?.Name ?? "", Of(g, from, to)))
            .Where(l => l.Figures != ReportFigures.Zero)
            .OrderBy(l => l.Key, StringComparer.Ordinal).ToList();
        var byKind = Enum.GetValues<SupervisionKind>()
            .Select(k => new ReportLine(k.ToString(), ImportColumns.Text("SupervisionKind." + k), Of(rows.Where(r => r.Kind == k), from, to)))
            .ToList();

        // By organisation type: each case once, by its present assignment; dates as the projection reads them.
        var cases = await summaries.Where(s => s.StartsOn <= to.AddMonths(1).AddDays(-1))
            .Select(s => new { s.Id, s.Kind, s.StartsOn, s.EndsOn, s.EndedOn, s.Status, s.ReleasedGrounds, s.OrganisationId }).ToListAsync(ct);
        var types = (await session.Query<Organisation>().ToListAsync(ct)).ToDictionary(o => o.Id, o => o.Type);
        var activity = new Dictionary<Guid, CaseActivity>();
        foreach (var chunk in cases.Select(c => c.Id).Chunk(5_000))
            foreach (var a in await session.LoadManyAsync<CaseActivity>(ct, chunk)) activity[a.Id] = a;
        int Held(Guid id) => activity.TryGetValue(id, out var a) ? CaseActivity.Sum(a.ReviewsHeld, from, to) : 0;
        int Violated(Guid id) => activity.TryGetValue(id, out var a) ? CaseActivity.Sum(a.Violations, from, to) : 0;
        // As StatisticsProjection.Contributions: every cadence months from the start month to the month supervision stops.
        int Due(SupervisionKind kind, DateOnly startsOn, DateOnly endsOn, DateOnly? endedOn)
        {
            var (start, stop) = (M(startsOn), M(endedOn is { } ended && ended < endsOn ? ended : endsOn));
            var every = Math.Max(1, kinds[kind].ReviewEveryMonths);
            var due = 0;
            for (var month = start; month <= stop && month <= to; month = month.AddMonths(every)) if (month >= from) due++;
            return due;
        }
        static DateOnly M(DateOnly d) => StatisticsProjection.MonthOf(d);
        bool InPeriod(DateOnly? d) => d is { } x && M(x) >= from && M(x) <= to;
        var byType = cases.GroupBy(c => c.OrganisationId is { } o && types.TryGetValue(o, out var t) ? t.ToString() : "Unassigned")
            .Select(g => new ReportLine(g.Key, g.Key == "Unassigned" ? ImportColumns.Text("Report.Unassigned") : ImportColumns.Text("OrganisationType." + g.Key),
                new ReportFigures(
                    g.Count(c => InPeriod(c.StartsOn)),
                    g.Count(c => M(c.StartsOn) <= to && (c.EndedOn is not { } e || M(e < c.StartsOn ? c.StartsOn : e) > to)),
                    g.Count(c => c.Status == CaseStatus.Released && c.ReleasedGrounds == ReleaseGrounds.TermCompleted && InPeriod(c.EndedOn)),
                    g.Count(c => c.Status == CaseStatus.Released && c.ReleasedGrounds == ReleaseGrounds.EarlyForProgress && InPeriod(c.EndedOn)),
                    g.Count(c => c.Status == CaseStatus.Revoked && InPeriod(c.EndedOn)),
                    g.Count(c => c.Status == CaseStatus.Closed && InPeriod(c.EndedOn)),
                    g.Sum(c => Held(c.Id)),
                    g.Sum(c => Due(c.Kind, c.StartsOn, c.EndsOn, c.EndedOn)),
                    g.Sum(c => Violated(c.Id)))))
            .Where(l => l.Figures != ReportFigures.Zero)
            .OrderBy(l => l.Key == "Unassigned" ? 1 : 0).ThenBy(l => l.Label, StringComparer.Ordinal).ToList();

        var total = byWard.Aggregate(ReportFigures.Zero, (sum, l) => sum.Plus(l.Figures));
        return new ProvinceReport(actor.Tenant, Rules.PeriodOf(from), Rules.PeriodOf(to), today, total, byWard, byKind, byType);
    }

    public static readonly string[] FigureKeys =
    [
        "Report.TakenOn", "Report.AtEnd", "Report.ReleasedTermCompleted", "Report.ReleasedEarly", "Report.Revoked", "Report.Closed",
        "Report.ReviewsHeld", "Report.ReviewsDue", "Report.Violations"
    ];

    public static object?[] Cells(ReportFigures f) =>
        [f.TakenOn, f.UnderSupervisionAtEnd, f.ReleasedTermCompleted, f.ReleasedEarly, f.Revoked, f.Closed, f.ReviewsHeld, f.ReviewsDue, f.Violations];

    /// <summary>The report as a workbook: one sheet a breakdown, each with its totals row.</summary>
    public static byte[] Xlsx(ProvinceReport report)
    {
        var figures = FigureKeys.Select(k => ImportColumns.Text(k)).ToList();
        Sheet Breakdown(string title, string keyHeader, IReadOnlyList<ReportLine> lines, bool withName)
        {
            var headers = (withName ? new[] { keyHeader, ImportColumns.Text("Report.Name") } : [keyHeader]).Concat(figures).ToList();
            var rows = lines.Select(l => (IReadOnlyList<object?>)(withName ? [l.Key, l.Label, .. Cells(l.Figures)] : [l.Label, .. Cells(l.Figures)])).ToList();
            var sum = lines.Aggregate(ReportFigures.Zero, (s, l) => s.Plus(l.Figures));
            rows.Add(withName ? [ImportColumns.Text("Report.Total"), "", .. Cells(sum)] : [ImportColumns.Text("Report.Total"), .. Cells(sum)]);
            return new Sheet(title, headers, rows);
        }

        return Spreadsheets.Xlsx(
        [
            Breakdown(ImportColumns.Text("Report.ByWard"), ImportColumns.Text("Import.Col.WardCode"), report.ByWard, true),
            Breakdown(ImportColumns.Text("Report.ByKind"), ImportColumns.Text("Import.Col.Kind"), report.ByKind, false),
            Breakdown(ImportColumns.Text("Report.ByOrganisationType"), ImportColumns.Text("Report.OrganisationType"), report.ByOrganisationType, false)
        ]);
    }

    /// <summary>from/to as yyyy-MM within the date window (the statistics route's rules), or the answer refusing them.</summary>
    public static (DateOnly From, DateOnly To, Reply? Error) Period(string? from, string? to, DateWindow window)
    {
        var today = window.Today;
        var toMonth = to is null ? new DateOnly(today.Year, today.Month, 1) : Rules.PeriodStart(to);
        if (toMonth is null) return (default, default, Problems.Field("to", "'to' must be a month as yyyy-MM."));
        if (!window.ContainsMonth(toMonth.Value)) return (default, default, Problems.Field("to", $"'to' must lie between {window.Earliest:yyyy-MM} and {window.Latest:yyyy-MM}."));
        var fromMonth = from is null ? toMonth.Value.AddMonths(-11) : Rules.PeriodStart(from);
        if (fromMonth is null) return (default, default, Problems.Field("from", "'from' must be a month as yyyy-MM."));
        if (!window.ContainsMonth(fromMonth.Value) && from is not null)
            return (default, default, Problems.Field("from", $"'from' must lie between {window.Earliest:yyyy-MM} and {window.Latest:yyyy-MM}."));
        if (fromMonth > toMonth) return (default, default, Problems.Field("from", "'from' must not be after 'to'."));
        if (fromMonth.Value.AddYears(20) < toMonth) return (default, default, Problems.Field("from", "At most twenty years at a time."));
        return (fromMonth.Value, toMonth.Value, null);
    }
}

public static class ProvinceReportEndpoint
{
    private static readonly Role[] Readers = [Role.Supervisor, Role.Auditor];

    [WolverineGet("/api/reports/province")]
    public static Task<IResult> Get(string? from, string? to, HttpContext http, Reads reads, DateWindow window) =>
        reads.Run(http, Readers, async (actor, session) =>
        {
            var (f, t, error) = ProvinceReports.Period(from, to, window);
            if (error is not null) return error;
            return Results.Json(await ProvinceReports.BuildAsync(session, actor, Kinds(http), f, t, window.Today, http.RequestAborted), Json.Options);
        });

    [WolverineGet("/api/reports/province.xlsx")]
    public static Task<IResult> GetXlsx(string? from, string? to, HttpContext http, Reads reads, DateWindow window) =>
        reads.Run(http, Readers, async (actor, session) =>
        {
            var (f, t, error) = ProvinceReports.Period(from, to, window);
            if (error is not null) return error;
            var report = await ProvinceReports.BuildAsync(session, actor, Kinds(http), f, t, window.Today, http.RequestAborted);
            return Spreadsheets.File(ProvinceReports.Xlsx(report), Spreadsheets.XlsxType,
                Spreadsheets.FileName(ImportColumns.Text("Report.FileName"), actor.Tenant, report.From, report.To) + ".xlsx");
        });

    // Resolved here rather than as an endpoint parameter, so the pre-generated handler code stays as it is.
    private static SupervisionKinds Kinds(HttpContext http) => http.RequestServices.GetRequiredService<SupervisionKinds>();

    public static string Number(int? value) => value?.ToString("N0", CultureInfo.CurrentCulture) ?? "—";
}
