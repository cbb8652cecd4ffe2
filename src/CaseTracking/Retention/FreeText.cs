using CaseTracking.Cases;

namespace CaseTracking.Retention;

/// <summary>
/// The free-text fields of each event: what a person wrote about the supervised person (review summaries, notes,
/// descriptions, reasons). Retention masks exactly these; everything else (ids, dates, ratings, kinds, decision
/// numbers) stays, so statistics and caseloads do not change. Enum-valued "reason"s (TermChanged, CaseClosed) are
/// not text and are not listed. A new event with free text must be listed here (tests/.../Retention check it).
/// </summary>
public static class FreeText
{
    public const string Marker = "***";

    /// <summary>Event type → its free-text properties, as JSON names (camelCase, as Marten stores them).</summary>
    public static readonly IReadOnlyDictionary<Type, string[]> Fields = new Dictionary<Type, string[]>
    {
        [typeof(CaseAssigned)] = ["reason"],
        [typeof(ReviewLogged)] = ["summary"],
        [typeof(ProgressRecorded)] = ["note"],
        [typeof(ViolationRecorded)] = ["description"],
        [typeof(ReleaseRecommended)] = ["note"],
        [typeof(ReleaseRejected)] = ["reason"],
        [typeof(ReleaseRecommendationWithdrawn)] = ["reason"],
        [typeof(CaseTransferred)] = ["reason"],
        [typeof(CaseRevoked)] = ["reason"],
        [typeof(CaseClosed)] = ["note"]
    };
}
