namespace CaseTracking.Cases;

/// <summary>Today in the province's time zone, and the case view computed against it.</summary>
public sealed class CaseClock(TimeProvider time, SupervisionKinds kinds, AlertSettings settings)
{
    public DateOnly Today => DateOnly.FromDateTime(time.GetLocalNow().DateTime);

    public TimeSpan Offset => time.GetLocalNow().Offset;

    public SupervisionKinds Kinds => kinds;

    public AlertSettings Settings => settings;

    public CaseView View(CaseSummary summary) => CaseView.Of(summary, kinds, settings, Today);

    public CaseView View(CaseSummary summary, DateOnly day) => CaseView.Of(summary, kinds, settings, day);
}
