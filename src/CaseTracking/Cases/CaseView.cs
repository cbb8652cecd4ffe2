using CaseTracking.Cases;

namespace CaseTracking.Cases;

public enum AlertKind { ReviewOverdue, TermEnded, ReleasePending, EarlyReleaseEligible }

/// <summary>Alert settings: <c>CaseTracking:Alerts</c>.</summary>
public sealed record AlertSettings
{
    public int ReviewGraceDays { get; init; } = 10;
    public int ReleasePendingDays { get; init; } = 7;
}

/// <summary>A case summary as the API shows it: the stored projection plus what depends on today.</summary>
public sealed record CaseView(CaseSummary Case, DateOnly? NextReviewDue, string? NextReviewPeriod, IReadOnlyList<AlertKind> Flags)
{
    public static CaseView Of(CaseSummary s, SupervisionKinds kinds, AlertSettings settings, DateOnly today)
    {
        var (period, due) = NextReview(s.StartsOn, s.EndsOn, s.LastReviewPeriod, s.IsTerminal, kinds[s.Kind].ReviewEveryMonths);
        return new CaseView(s, due, period is null ? null : Rules.PeriodOf(period.Value), FlagsOf(s, due, settings, today));
    }

    /// <summary>
    /// The next period that needs a review: the month after the last reviewed one (by the kind's cadence),
    /// or the start month. Its deadline is the last day of that month; none once the term is over or ended.
    /// </summary>
    public static (DateOnly? Period, DateOnly? Due) NextReview(DateOnly startsOn, DateOnly endsOn, string? lastReviewPeriod,
        bool terminal, int everyMonths)
    {
        if (terminal) return (null, null);
        var startMonth = new DateOnly(startsOn.Year, startsOn.Month, 1);
        var next = Rules.PeriodStart(lastReviewPeriod) is { } last ? last.AddMonths(everyMonths) : startMonth;
        if (next < startMonth) next = startMonth;
        if (next > endsOn) return (null, null);
        return (next, next.AddMonths(1).AddDays(-1));
    }

    public static IReadOnlyList<AlertKind> FlagsOf(CaseSummary s, DateOnly? due, AlertSettings settings, DateOnly today)
    {
        if (s.IsTerminal) return [];
        var flags = new List<AlertKind>();
        if (due is { } d && today > d.AddDays(settings.ReviewGraceDays)) flags.Add(AlertKind.ReviewOverdue);
        if (today > s.EndsOn) flags.Add(AlertKind.TermEnded);
        if (s.PendingSince is { } since && today > since.AddDays(settings.ReleasePendingDays)) flags.Add(AlertKind.ReleasePending);
        if (s.PendingSince is null && today < s.EndsOn && Rules.EarlyReleaseAllowed(s.StartsOn, s.EndsOn, s.LatestRatings,
                s.LastSeriousViolationOn is { } v ? [v] : [], today) is null)
            flags.Add(AlertKind.EarlyReleaseEligible);
        return flags;
    }
}
