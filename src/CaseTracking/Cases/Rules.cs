using CaseTracking.Infrastructure;

namespace CaseTracking.Cases;

/// <summary>Rules shared by several decisions, and the stable rejection codes (listed in docs/api.md).</summary>
public static class Rules
{
    public static readonly Rejection Terminal = new("case.terminal", "The case is released, revoked or closed; nothing more can be recorded on it.");

    public static Rejection? NotTerminal(Case state) => state.IsTerminal ? Terminal : null;

    /// <summary>A release decision takes effect at most this many days after the day it is approved.</summary>
    public const int ReleaseLeadDays = 31;

    public static Rejection TermOutOfRange(KindRule kind) =>
        new("term.out-of-range", $"A {kind.Kind} term runs {kind.MinMonths}–{kind.MaxMonths?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "∞"} months.");

    public static Rejection? NotInFuture(DateOnly date, DateOnly today, string what) =>
        date > today ? new($"{what}.in-future", $"The {what} date {date:yyyy-MM-dd} lies in the future.") : null;

    /// <summary>
    /// The early-release rule of DESIGN §2: at least half the term served, the last three reviews Good,
    /// no Serious violation in the last six months. Used by the decision and by the EarlyReleaseEligible alert.
    /// </summary>
    public static Rejection? EarlyReleaseAllowed(DateOnly startsOn, DateOnly endsOn, IReadOnlyList<ReviewRating> ratingsByPeriod,
        IEnumerable<DateOnly> seriousViolations, DateOnly today)
    {
        if (!Case.HalfServed(startsOn, endsOn, today))
            return new("release.half-term-not-served", "Early release needs at least half of the term served.");
        if (ratingsByPeriod.Count < 3 || ratingsByPeriod.TakeLast(3).Any(r => r != ReviewRating.Good))
            return new("release.reviews-not-good", "Early release needs the last three reviews rated Good.");
        if (seriousViolations.Any(v => v > today.AddMonths(-6)))
            return new("release.recent-serious-violation", "Early release is not possible within six months of a serious violation.");
        return null;
    }

    /// <summary>Period text "yyyy-MM" to its first day, or null when malformed.</summary>
    public static DateOnly? PeriodStart(string? period) =>
        period is { Length: 7 } && DateOnly.TryParseExact(period + "-01", "yyyy-MM-dd", out var d) ? d : null;

    public static string PeriodOf(DateOnly date) => date.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);
}
