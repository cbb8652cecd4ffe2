namespace CaseTracking.Cases;

// Events are contracts: change them only additively (tests/CaseTracking.Tests/Cases/event_contracts.cs
// snapshots their JSON). They carry ids and business dates, never names or addresses of people.

public enum SupervisionKind
{
    SuspendedSentence,
    NonCustodialReform,
    ConditionalEarlyRelease,
    CommuneEducation,
    PostRehabilitationDrug,
    ReintegrationSupport
}

public enum ReviewRating { Good, Fair, Poor }

public enum ProgressArea { Employment, Education, Treatment, Family, Community }

public enum ProgressDirection { Improved, Declined }

public enum ViolationSeverity { Minor, Serious }

public enum TermChangeReason { Extended, Shortened }

public enum ReleaseGrounds { TermCompleted, EarlyForProgress }

public enum ClosureReason { Deceased, Other }

/// <summary>The court or administrative decision the supervision rests on.</summary>
public sealed record LegalBasis(string DecisionNumber, string IssuedBy, DateOnly IssuedOn);

public sealed record CaseOpened(
    Guid CaseId, Guid PersonId, SupervisionKind Kind, LegalBasis LegalBasis,
    DateOnly StartsOn, DateOnly EndsOn, Guid WardId, Guid OpenedBy);

public sealed record CaseAssigned(
    Guid OrganisationId, Guid MentorUserId, Guid SupervisorUserId, string Reason, Guid AssignedBy);

public sealed record ReviewLogged(
    Guid ReviewId, string Period, DateOnly HeldOn, ReviewRating Rating, string Summary, Guid LoggedBy);

public sealed record ProgressRecorded(
    ProgressArea Area, ProgressDirection Direction, string Note, DateOnly RecordedOn, Guid RecordedBy);

public sealed record ViolationRecorded(
    ViolationSeverity Severity, string Description, DateOnly OccurredOn, Guid RecordedBy);

public sealed record TermChanged(
    DateOnly NewEndsOn, string DecisionNumber, TermChangeReason Reason, DateOnly PreviousEndsOn, Guid ChangedBy);

public sealed record ReleaseRecommended(
    ReleaseGrounds Grounds, string Note, DateOnly RecommendedOn, Guid RecommendedBy);

public sealed record ReleaseRejected(string Reason, Guid RecommendedBy, Guid RejectedBy);

/// <summary>The recommender (or a supervisor of the ward) takes back an open recommendation.</summary>
public sealed record ReleaseRecommendationWithdrawn(string Reason, Guid RecommendedBy, Guid WithdrawnBy);

public sealed record CaseReleased(
    ReleaseGrounds Grounds, Guid RecommendedBy, Guid ApprovedBy, string DecisionNumber,
    DateOnly EffectiveOn, long ApprovedAtVersion);

public sealed record CaseTransferred(Guid FromWardId, Guid ToWardId, string Reason, Guid TransferredBy);

public sealed record CaseRevoked(string DecisionNumber, string Reason, DateOnly RevokedOn, Guid RevokedBy);

public sealed record CaseClosed(ClosureReason Reason, string Note, DateOnly ClosedOn, Guid ClosedBy);
