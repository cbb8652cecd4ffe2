using CaseTracking.Cases;
using Marten.Events.Aggregation;

namespace CaseTracking.Reports;

/// <summary>
/// One case's reviews held and violations, counted by the month of their business date ("yyyy-MM"), as the statistics
/// projection counts them: what the report's organisation-type lines need beside the case summary (which keeps the
/// organisation), without reading any case's events per request.
/// </summary>
public sealed class CaseActivity
{
    public Guid Id { get; set; }
    public Dictionary<string, int> ReviewsHeld { get; set; } = [];
    public Dictionary<string, int> Violations { get; set; } = [];

    public static string MonthKey(DateOnly date) => Rules.PeriodOf(date);

    /// <summary>The sum of the months from <paramref name="from"/> to <paramref name="to"/> (first days of months).</summary>
    public static int Sum(Dictionary<string, int> byMonth, DateOnly from, DateOnly to)
    {
        var (first, last) = (Rules.PeriodOf(from), Rules.PeriodOf(to));
        // "yyyy-MM" sorts as the months do.
        return byMonth.Where(kv => string.CompareOrdinal(kv.Key, first) >= 0 && string.CompareOrdinal(kv.Key, last) <= 0).Sum(kv => kv.Value);
    }
}

/// <summary>
/// Async, like the other views across a province's cases; a new deployment builds it from the whole event log by
/// itself (the daemon starts a projection it has no progress for at the beginning).
/// </summary>
public sealed class CaseActivityProjection : SingleStreamProjection<CaseActivity, Guid>
{
    public CaseActivity Create(CaseOpened e) => new() { Id = e.CaseId };

    public void Apply(ReviewLogged e, CaseActivity a) => Count(a.ReviewsHeld, e.HeldOn);

    public void Apply(ViolationRecorded e, CaseActivity a) => Count(a.Violations, e.OccurredOn);

    private static void Count(Dictionary<string, int> byMonth, DateOnly date)
    {
        var key = CaseActivity.MonthKey(date);
        byMonth[key] = byMonth.GetValueOrDefault(key) + 1;
    }
}
