using System.Globalization;
using CaseTracking.Infrastructure;
using FluentValidation;

namespace CaseTracking.Cases;

/// <summary>Configured under <c>CaseTracking:Dates</c> (DESIGN §2, "Dates and terms are bounded").</summary>
public sealed record DateWindowSettings
{
    /// <summary>No business date lies before this day.</summary>
    public DateOnly Earliest { get; init; } = new(1950, 1, 1);

    /// <summary>A date of birth may be earlier than <see cref="Earliest"/>: an old person can be under supervision.</summary>
    public DateOnly EarliestBirth { get; init; } = new(1900, 1, 1);

    /// <summary>No date lies more than this many years after today.</summary>
    public int FutureYears { get; init; } = 10;
}

/// <summary>
/// The dates any command may carry: from <see cref="DateWindowSettings.Earliest"/> to today plus
/// <see cref="DateWindowSettings.FutureYears"/>. A date outside it is a 400 naming the field, so nothing
/// that every projection must fold (months of a term, months of a year) ever reaches the year 9999.
/// </summary>
public sealed class DateWindow(CaseClock clock, DateWindowSettings settings)
{
    public DateOnly Earliest => settings.Earliest;

    public DateOnly EarliestBirth => settings.EarliestBirth;

    public DateOnly Latest => clock.Today.AddYears(settings.FutureYears);

    public DateOnly Today => clock.Today;

    public bool Contains(DateOnly date) => date >= Earliest && date <= Latest;

    /// <summary>A month "yyyy-MM" as a query value (statistics, reports), within the window.</summary>
    public bool ContainsMonth(DateOnly firstDay) =>
        firstDay >= new DateOnly(Earliest.Year, Earliest.Month, 1) && firstDay <= Latest;

    public static string Iso(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

/// <summary>The window as FluentValidation rules, with messages in the request's language (<see cref="Messages"/>).</summary>
public static class DateWindowRules
{
    /// <summary>A date of any kind: within the window.</summary>
    public static IRuleBuilderOptions<T, DateOnly?> InWindow<T>(this IRuleBuilder<T, DateOnly?> rule, DateWindow window) =>
        rule.Must(d => d is null || window.Contains(d.Value))
            .WithMessage((_, d) => Messages.Format("DateWindow.Outside", window.Earliest, window.Latest));

    /// <summary>A date of something that has happened: within the window and not after today.</summary>
    public static IRuleBuilderOptions<T, DateOnly?> HappenedInWindow<T>(this IRuleBuilder<T, DateOnly?> rule, DateWindow window,
        DateOnly? earliest = null) =>
        rule.Must(d => d is null || (d.Value >= (earliest ?? window.Earliest) && d.Value <= window.Today))
            .WithMessage((_, d) => Messages.Format("DateWindow.Happened", earliest ?? window.Earliest, window.Today));
}
