using CaseTracking.Cases;
using JasperFx.Events;
using Microsoft.Extensions.Localization;

namespace CaseTracking.Web;

/// <param name="At">When the server received it (Marten's timestamp).</param>
/// <param name="CapturedAt">When it was saved on the user's device, for a write sent later from the offline outbox.</param>
public sealed record TimelineRow(long Version, string Title, string Detail, string? User, DateTimeOffset At, DateTimeOffset? CapturedAt = null);

/// <summary>The case history in the user's language (the API's <see cref="EventText"/> is English only).</summary>
public static class Timeline
{
    public static TimelineRow Row(IEvent e, IStringLocalizer L, Lookup names)
    {
        string MonthOf(string period) => CaseTracking.Cases.Rules.PeriodStart(period) is { } first
            ? string.Format(System.Globalization.CultureInfo.CurrentCulture, L["Format.Month"], first.ToDateTime(TimeOnly.MinValue))
            : period;
        string E<T>(T v) where T : struct, Enum => L[$"{typeof(T).Name}.{v}"];
        var title = L["Event." + e.EventType.Name];
        var detail = e.Data switch
        {
            CaseOpened x => L["EventDetail.CaseOpened", E(x.Kind), UiPage.Date(x.StartsOn), UiPage.Date(x.EndsOn), x.LegalBasis.DecisionNumber, x.LegalBasis.IssuedBy].Value,
            CaseAssigned x => L["EventDetail.CaseAssigned", names.Organisation(x.OrganisationId), names.User(x.MentorUserId), x.Reason].Value,
            ReviewLogged x => L["EventDetail.ReviewLogged", MonthOf(x.Period), UiPage.Date(x.HeldOn), E(x.Rating), x.Summary].Value,
            ProgressRecorded x => L["EventDetail.ProgressRecorded", E(x.Area), E(x.Direction), x.Note].Value,
            ViolationRecorded x => L["EventDetail.ViolationRecorded", E(x.Severity), UiPage.Date(x.OccurredOn), x.Description].Value,
            TermChanged x => L["EventDetail.TermChanged", E(x.Reason), UiPage.Date(x.PreviousEndsOn), UiPage.Date(x.NewEndsOn), x.DecisionNumber].Value,
            ReleaseRecommended x => L["EventDetail.ReleaseRecommended", E(x.Grounds), names.User(x.RecommendedBy), x.Note].Value,
            ReleaseRejected x => L["EventDetail.ReleaseRejected", x.Reason].Value,
            ReleaseRecommendationWithdrawn x => L["EventDetail.ReleaseRecommendationWithdrawn", x.Reason].Value,
            CaseReleased x => L["EventDetail.CaseReleased", E(x.Grounds), names.User(x.RecommendedBy), names.User(x.ApprovedBy), x.DecisionNumber, UiPage.Date(x.EffectiveOn)].Value,
            CaseTransferred x => L["EventDetail.CaseTransferred", names.Ward(x.FromWardId), names.Ward(x.ToWardId), x.Reason].Value,
            CaseRevoked x => L["EventDetail.CaseRevoked", x.DecisionNumber, x.Reason].Value,
            CaseClosed x => L["EventDetail.CaseClosed", E(x.Reason), x.Note].Value,
            _ => EventText.Describe(e.Data)
        };
        return new TimelineRow(e.Version, title.ResourceNotFound ? e.EventType.Name : title.Value, detail, e.UserName, e.Timestamp, CapturedAt(e));
    }

    /// <summary>
    /// The <c>capturedAt</c> header (CaseWrites). Written as an ISO string, but Marten's header deserialiser may hand an
    /// ISO-looking string back as a date already.
    /// </summary>
    public static DateTimeOffset? CapturedAt(IEvent e) =>
        e.Headers?.TryGetValue(CaseWrites.CapturedAtHeader, out var value) != true ? null : value switch
        {
            DateTimeOffset at => at,
            DateTime at => new DateTimeOffset(at),
            _ => DateTimeOffset.TryParse(value?.ToString(), System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.None, out var at) ? at : null
        };
}
