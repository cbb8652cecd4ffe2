using System.Collections.Immutable;

namespace CaseTracking.Cases;

public enum CaseStatus { Open, Active, ReleasePending, Released, Revoked, Closed }

/// <summary>The statuses a case ends in, defined once (queries, the unique index of active cases, the UI).</summary>
public static class CaseStatuses
{
    public static readonly CaseStatus[] Terminal = [CaseStatus.Released, CaseStatus.Revoked, CaseStatus.Closed];

    public static bool IsTerminal(CaseStatus status) => Terminal.Contains(status);
}

public sealed record Assignment(Guid OrganisationId, Guid MentorUserId, Guid SupervisorUserId);

public sealed record PendingRelease(ReleaseGrounds Grounds, Guid RecommendedBy, DateOnly RecommendedOn);

/// <summary>
/// The write model of one case: only what decisions need. Marten aggregates it live from the stream
/// (<c>FetchForWriting</c>); the read side is <see cref="CaseSummary"/>.
/// </summary>
public sealed record Case
{
    public Guid Id { get; init; }
    public long Version { get; init; }
    public Guid PersonId { get; init; }
    public SupervisionKind Kind { get; init; }
    public Guid WardId { get; init; }
    public DateOnly StartsOn { get; init; }
    public DateOnly EndsOn { get; init; }
    public Assignment? Assignment { get; init; }
    public PendingRelease? PendingRelease { get; init; }

    /// <summary>Released, Revoked or Closed once a terminal event is applied.</summary>
    public CaseStatus? Ended { get; init; }

    /// <summary>Ratings by review period (yyyy-MM), ordered by period.</summary>
    public ImmutableSortedDictionary<string, ReviewRating> Reviews { get; init; } = ImmutableSortedDictionary<string, ReviewRating>.Empty;

    public ImmutableList<DateOnly> SeriousViolations { get; init; } = [];

    public bool IsTerminal => Ended is not null;

    public CaseStatus Status => Ended ?? (PendingRelease is not null ? CaseStatus.ReleasePending
        : Assignment is not null ? CaseStatus.Active : CaseStatus.Open);

    public static Case Create(CaseOpened e) => new()
    {
        Id = e.CaseId, PersonId = e.PersonId, Kind = e.Kind, WardId = e.WardId, StartsOn = e.StartsOn, EndsOn = e.EndsOn
    };

    public Case Apply(CaseAssigned e) => this with { Assignment = new(e.OrganisationId, e.MentorUserId, e.SupervisorUserId) };

    public Case Apply(ReviewLogged e) => this with { Reviews = Reviews.SetItem(e.Period, e.Rating) };

    public Case Apply(ProgressRecorded _) => this;

    public Case Apply(ViolationRecorded e) =>
        e.Severity == ViolationSeverity.Serious ? this with { SeriousViolations = SeriousViolations.Add(e.OccurredOn) } : this;

    public Case Apply(TermChanged e) => this with { EndsOn = e.NewEndsOn };

    public Case Apply(ReleaseRecommended e) => this with { PendingRelease = new(e.Grounds, e.RecommendedBy, e.RecommendedOn) };

    public Case Apply(ReleaseRejected _) => this with { PendingRelease = null };

    public Case Apply(ReleaseRecommendationWithdrawn _) => this with { PendingRelease = null };

    public Case Apply(CaseReleased _) => this with { PendingRelease = null, Ended = CaseStatus.Released };

    public Case Apply(CaseTransferred e) => this with { WardId = e.ToWardId, Assignment = null };

    public Case Apply(CaseRevoked _) => this with { PendingRelease = null, Ended = CaseStatus.Revoked };

    public Case Apply(CaseClosed _) => this with { PendingRelease = null, Ended = CaseStatus.Closed };

    /// <summary>Half the term has passed on <paramref name="today"/> (the day count rounds up).</summary>
    public bool HalfServed(DateOnly today) => HalfServed(StartsOn, EndsOn, today);

    public static bool HalfServed(DateOnly startsOn, DateOnly endsOn, DateOnly today)
    {
        var term = endsOn.DayNumber - startsOn.DayNumber;
        return (today.DayNumber - startsOn.DayNumber) * 2 >= term;
    }
}
