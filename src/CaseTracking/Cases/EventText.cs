using System.Globalization;

namespace CaseTracking.Cases;

/// <summary>One line per event for the auditor's timeline (English; the UI localises its own).</summary>
public static class EventText
{
    public static string Describe(object data) => data switch
    {
        CaseOpened e => $"Case opened: {e.Kind}, {e.StartsOn:yyyy-MM-dd} to {e.EndsOn:yyyy-MM-dd}, decision {e.LegalBasis.DecisionNumber} of {e.LegalBasis.IssuedBy}",
        CaseAssigned e => $"Assigned to organisation {e.OrganisationId} ({e.Reason})",
        ReviewLogged e => $"Review for {e.Period} held {e.HeldOn:yyyy-MM-dd}: {e.Rating}",
        ProgressRecorded e => $"Progress in {e.Area}: {e.Direction}",
        ViolationRecorded e => $"{e.Severity} violation on {e.OccurredOn:yyyy-MM-dd}",
        TermChanged e => $"Term {e.Reason.ToString().ToLower(CultureInfo.InvariantCulture)} to {e.NewEndsOn:yyyy-MM-dd} (decision {e.DecisionNumber})",
        ReleaseRecommended e => $"Release recommended ({e.Grounds})",
        ReleaseRejected e => $"Release recommendation rejected: {e.Reason}",
        ReleaseRecommendationWithdrawn e => $"Release recommendation withdrawn: {e.Reason}",
        CaseReleased e => $"Released ({e.Grounds}) effective {e.EffectiveOn:yyyy-MM-dd}, decision {e.DecisionNumber}",
        CaseTransferred e => $"Transferred from ward {e.FromWardId} to ward {e.ToWardId}",
        CaseRevoked e => $"Revoked by decision {e.DecisionNumber}: {e.Reason}",
        CaseClosed e => $"Closed ({e.Reason})",
        _ => data.GetType().Name
    };
}

/// <summary>The day an event took effect in the world (its business date), as opposed to when it was recorded.</summary>
public static class BusinessDate
{
    /// <summary>
    /// Opening: the start of supervision; a review: the day it was held; progress, violation, release, revocation,
    /// closure and recommendation: their own dates. Assignment, transfer and term change carry no date of their own:
    /// the day they were recorded (local to the province).
    /// </summary>
    public static DateOnly Of(JasperFx.Events.IEvent e, TimeSpan offset) => e.Data switch
    {
        CaseOpened o => o.StartsOn,
        ReviewLogged r => r.HeldOn,
        ProgressRecorded p => p.RecordedOn,
        ViolationRecorded v => v.OccurredOn,
        ReleaseRecommended r => r.RecommendedOn,
        CaseReleased r => r.EffectiveOn,
        CaseRevoked r => r.RevokedOn,
        CaseClosed c => c.ClosedOn,
        _ => DateOnly.FromDateTime(e.Timestamp.ToOffset(offset).DateTime)
    };
}
