using CaseTracking.Cases;

namespace CaseTracking.Retention;

/// <summary>
/// How long personal data is kept after a person's last case ends (<c>CaseTracking:Retention</c>): <c>Years</c> by
/// default (5), <c>YearsByKind:{Kind}</c> per supervision kind. <c>Daily</c> runs the job once a day (default on).
/// </summary>
public sealed class RetentionSettings
{
    public int Years { get; set; } = 5;
    public Dictionary<SupervisionKind, int> YearsByKind { get; set; } = [];
    public bool Daily { get; set; } = true;

    /// <summary>At most this many people per run; the next run takes the rest (one transaction per run).</summary>
    public int MaxPeoplePerRun { get; set; } = 1000;

    public int YearsFor(SupervisionKind kind) => YearsByKind.TryGetValue(kind, out var years) ? years : Years;
}
