using System.Globalization;
using CaseTracking.Access;
using CaseTracking.Cases;
using CaseTracking.Infrastructure;
using CsvHelper;
using Marten;
using Wolverine.Http;

namespace CaseTracking.Statistics;

public sealed record StatisticsLine(string Month, int Opened, int ReleasedTermCompleted, int ReleasedEarly, int Released, int Revoked,
    int Closed, int ReviewsHeld, int ReviewsDue, int Violations, int TransfersIn, int TransfersOut, int ActiveAtMonthEnd);

public static class StatisticsQueries
{
    /// <summary>
    /// One line per month from <paramref name="from"/> to <paramref name="to"/> (inclusive), summed over the
    /// wards and kinds that match. Active-at-month-end sums every earlier month's movements too.
    /// </summary>
    public static async Task<IReadOnlyList<StatisticsLine>> LinesAsync(IQuerySession session, Actor actor, DateOnly from, DateOnly to,
        Guid? wardId, SupervisionKind? kind, CancellationToken ct)
    {
        var query = session.Query<StatisticsRow>().Where(r => r.Month <= to);
        if (wardId is { } w) query = query.Where(r => r.WardId == w);
        if (kind is { } k) query = query.Where(r => r.Kind == k);
        if (actor.Role == Role.Supervisor)
        {
            var wards = actor.WardIds.ToArray();
            query = query.Where(r => wards.Contains(r.WardId));
        }

        var rows = await query.ToListAsync(ct);
        var byMonth = rows.GroupBy(r => r.Month).ToDictionary(g => g.Key, g => g.ToList());
        var active = rows.Where(r => r.Month < from).Sum(r => r.ActiveDelta);
        var lines = new List<StatisticsLine>();
        for (var month = from; month <= to; month = month.AddMonths(1))
        {
            var m = byMonth.GetValueOrDefault(month) ?? [];
            active += m.Sum(r => r.ActiveDelta);
            int Sum(Func<StatisticsRow, int> f) => m.Sum(f);
            lines.Add(new StatisticsLine(month.ToString("yyyy-MM", CultureInfo.InvariantCulture), Sum(r => r.Opened),
                Sum(r => r.ReleasedTermCompleted), Sum(r => r.ReleasedEarly), Sum(r => r.ReleasedTermCompleted + r.ReleasedEarly),
                Sum(r => r.Revoked), Sum(r => r.Closed), Sum(r => r.ReviewsHeld), Sum(r => r.ReviewsDue), Sum(r => r.Violations),
                Sum(r => r.TransfersIn), Sum(r => r.TransfersOut), active));
        }

        return lines;
    }

    /// <summary>Per ward and kind: cases under supervision at the end of <paramref name="to"/>, and taken on in the period.</summary>
    public static async Task<IReadOnlyList<(Guid WardId, SupervisionKind Kind, int Active, int Opened)>> WardKindAsync(IQuerySession session, Actor actor,
        DateOnly from, DateOnly to, Guid? wardId, SupervisionKind? kind, CancellationToken ct)
    {
        var query = session.Query<StatisticsRow>().Where(r => r.Month <= to);
        if (wardId is { } w) query = query.Where(r => r.WardId == w);
        if (kind is { } k) query = query.Where(r => r.Kind == k);
        if (actor.Role == Role.Supervisor)
        {
            var wards = actor.WardIds.ToArray();
            query = query.Where(r => wards.Contains(r.WardId));
        }

        var rows = await query.ToListAsync(ct);
        return [.. rows.GroupBy(r => (r.WardId, r.Kind))
            .Select(g => (g.Key.WardId, g.Key.Kind, g.Sum(r => r.ActiveDelta), g.Where(r => r.Month >= from).Sum(r => r.Opened)))
            .Where(x => x.Item3 != 0 || x.Item4 != 0)];
    }

    /// <summary>The CSV a user downloads: headers in their language, UTF-8 with a BOM, text neutralised (Reports.Spreadsheets).</summary>
    public static byte[] ToUserCsv(IEnumerable<StatisticsLine> lines) => Reports.Spreadsheets.Csv(new Reports.Sheet("",
        [.. Headers.Select(h => Imports.ImportColumns.Text(h))],
        lines.Select(l => (IReadOnlyList<object?>)[l.Month, l.Opened, l.ReleasedTermCompleted, l.ReleasedEarly, l.Released, l.Revoked, l.Closed,
            l.ReviewsHeld, l.ReviewsDue, l.Violations, l.TransfersIn, l.TransfersOut, l.ActiveAtMonthEnd])));

    private static readonly string[] Headers =
    [
        "Stats.Month", "Stats.Opened", "Report.ReleasedTermCompleted", "Report.ReleasedEarly", "Stats.Released", "Stats.Revoked", "Stats.Closed",
        "Stats.Reviews", "Stats.ReviewsDue", "Stats.Violations", "Stats.TransfersIn", "Stats.TransfersOut", "Stats.ActiveAtMonthEnd"
    ];

    public static string ToCsv(IEnumerable<StatisticsLine> lines)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        using var csv = new CsvWriter(writer, CultureInfo.InvariantCulture);
        csv.WriteRecords(lines);
        return writer.ToString();
    }
}

public static class StatisticsEndpoint
{
    [WolverineGet("/api/statistics")]
    public static Task<IResult> Get(string? from, string? to, Guid? wardId, SupervisionKind? kind, string? format, HttpContext http,
        Reads reads, DateWindow window) => Answer(from, to, wardId, kind, format, http, reads, window);

    [WolverineGet("/api/statistics.csv")]
    public static Task<IResult> GetCsv(string? from, string? to, Guid? wardId, SupervisionKind? kind, HttpContext http,
        Reads reads, DateWindow window) => Answer(from, to, wardId, kind, "download", http, reads, window);

    private static Task<IResult> Answer(string? from, string? to, Guid? wardId, SupervisionKind? kind, string? format,
        HttpContext http, Reads reads, DateWindow window) =>
        reads.Run(http, [Role.Supervisor, Role.Auditor], async (actor, session) =>
        {
            if (QueryValues.Defined(kind, "kind") is { } bad) return bad;
            var today = window.Today;
            var toMonth = to is null ? new DateOnly(today.Year, today.Month, 1) : Rules.PeriodStart(to);
            if (toMonth is null) return Problems.Field("to", "'to' must be a month as yyyy-MM.");
            // Months outside the date window hold nothing, and at year 1 or 9999 the month arithmetic overflows.
            if (!window.ContainsMonth(toMonth.Value)) return Problems.Field("to", Messages.Format("DateWindow.Outside", window.Earliest, window.Latest).Replace("{PropertyName}", "to"));
            var fromMonth = from is null ? toMonth.Value.AddMonths(-11) : Rules.PeriodStart(from);
            if (fromMonth is null) return Problems.Field("from", "'from' must be a month as yyyy-MM.");
            if (!window.ContainsMonth(fromMonth.Value) && from is not null)
                return Problems.Field("from", Messages.Format("DateWindow.Outside", window.Earliest, window.Latest).Replace("{PropertyName}", "from"));
            if (fromMonth > toMonth) return Problems.Field("from", "'from' must not be after 'to'.");
            if (fromMonth.Value.AddYears(20) < toMonth) return Problems.Field("from", "At most twenty years at a time.");

            var lines = await StatisticsQueries.LinesAsync(session, actor, fromMonth.Value, toMonth.Value, wardId, kind, http.RequestAborted);
            if (format == "download")
            {
                // What a user opens in a spreadsheet; a client that negotiates text/csv keeps the stable English columns.
                var ward = wardId is { } w ? await session.LoadAsync<Ward>(w, http.RequestAborted) : null;
                var name = Reports.Spreadsheets.FileName(Imports.ImportColumns.Text("Stats.FileName"), ward?.Code ?? Imports.ImportColumns.Text("Report.Province"),
                    kind?.ToString(), Rules.PeriodOf(fromMonth.Value), Rules.PeriodOf(toMonth.Value));
                return Reports.Spreadsheets.File(StatisticsQueries.ToUserCsv(lines), Reports.Spreadsheets.CsvType, name + ".csv");
            }

            var wantsCsv = format == "csv" || http.Request.Headers.Accept.ToString().Contains("text/csv", StringComparison.OrdinalIgnoreCase);
            return wantsCsv
                ? Results.Text(StatisticsQueries.ToCsv(lines), "text/csv; charset=utf-8")
                : Results.Json(lines, Json.Options);
        });
}
