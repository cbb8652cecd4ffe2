using CaseTracking.Access;
using JasperFx.Events;

namespace CaseTracking.Cases;

/// <summary>
/// The read model of one case, kept inline with every append (single-stream projection). Time-dependent
/// flags are not stored: <see cref="CaseView"/> computes them against the clock when read.
/// </summary>
public sealed class CaseSummary
{
    public Guid Id { get; set; }
    public long Version { get; set; }
    public Guid PersonId { get; set; }
    public SupervisionKind Kind { get; set; }
    public Guid WardId { get; set; }
    public CaseStatus Status { get; set; }
    public LegalBasis LegalBasis { get; set; } = new("", "", default);
    public DateOnly StartsOn { get; set; }
    public DateOnly EndsOn { get; set; }
    public DateTimeOffset OpenedAt { get; set; }
    public DateTimeOffset LastChangedAt { get; set; }

    public Guid? OrganisationId { get; set; }
    public Guid? MentorUserId { get; set; }
    public Guid? SupervisorUserId { get; set; }

    public string? LastReviewPeriod { get; set; }
    public DateOnly? LastReviewHeldOn { get; set; }
    public ReviewRating? LastReviewRating { get; set; }
    public int ReviewCount { get; set; }
    public int GoodReviews { get; set; }
    public int FairReviews { get; set; }
    public int PoorReviews { get; set; }

    /// <summary>The three latest ratings by period, oldest first (what the early-release rule reads).</summary>
    public List<ReviewRating> LatestRatings { get; set; } = [];

    /// <summary>Periods and their ratings, for the latest-three computation when reviews arrive out of order.</summary>
    public SortedDictionary<string, ReviewRating> Ratings { get; set; } = new(StringComparer.Ordinal);

    public int ViolationCount { get; set; }
    public DateOnly? LastSeriousViolationOn { get; set; }
    public int ProgressImproved { get; set; }
    public int ProgressDeclined { get; set; }

    public ReleaseGrounds? PendingGrounds { get; set; }
    public Guid? PendingRecommendedBy { get; set; }
    public DateOnly? PendingSince { get; set; }

    /// <summary>The grounds as the recommender wrote them, for the supervisor who decides.</summary>
    public string? PendingNote { get; set; }

    public ReleaseGrounds? ReleasedGrounds { get; set; }
    public DateOnly? EndedOn { get; set; }

    public bool IsTerminal => CaseStatuses.IsTerminal(Status);

    public static CaseSummary Create(IEvent<CaseOpened> e) => new()
    {
        Id = e.Data.CaseId,
        PersonId = e.Data.PersonId,
        Kind = e.Data.Kind,
        WardId = e.Data.WardId,
        Status = CaseStatus.Open,
        LegalBasis = e.Data.LegalBasis,
        StartsOn = e.Data.StartsOn,
        EndsOn = e.Data.EndsOn,
        OpenedAt = e.Timestamp,
        LastChangedAt = e.Timestamp
    };

    public void Apply(IEvent<CaseAssigned> e)
    {
        OrganisationId = e.Data.OrganisationId;
        MentorUserId = e.Data.MentorUserId;
        SupervisorUserId = e.Data.SupervisorUserId;
        if (Status == CaseStatus.Open) Status = CaseStatus.Active;
        LastChangedAt = e.Timestamp;
    }

    public void Apply(IEvent<ReviewLogged> e)
    {
        var r = e.Data;
        Ratings[r.Period] = r.Rating;
        ReviewCount++;
        switch (r.Rating)
        {
            case ReviewRating.Good: GoodReviews++; break;
            case ReviewRating.Fair: FairReviews++; break;
            default: PoorReviews++; break;
        }

        if (LastReviewPeriod is null || string.CompareOrdinal(r.Period, LastReviewPeriod) >= 0)
        {
            LastReviewPeriod = r.Period;
            LastReviewHeldOn = r.HeldOn;
            LastReviewRating = r.Rating;
        }

        LatestRatings = [.. Ratings.Values.TakeLast(3)];
        LastChangedAt = e.Timestamp;
    }

    public void Apply(IEvent<ProgressRecorded> e)
    {
        if (e.Data.Direction == ProgressDirection.Improved) ProgressImproved++;
        else ProgressDeclined++;
        LastChangedAt = e.Timestamp;
    }

    public void Apply(IEvent<ViolationRecorded> e)
    {
        ViolationCount++;
        if (e.Data.Severity == ViolationSeverity.Serious && (LastSeriousViolationOn is null || e.Data.OccurredOn > LastSeriousViolationOn))
            LastSeriousViolationOn = e.Data.OccurredOn;
        LastChangedAt = e.Timestamp;
    }

    public void Apply(IEvent<TermChanged> e)
    {
        EndsOn = e.Data.NewEndsOn;
        LastChangedAt = e.Timestamp;
    }

    public void Apply(IEvent<ReleaseRecommended> e)
    {
        PendingGrounds = e.Data.Grounds;
        PendingRecommendedBy = e.Data.RecommendedBy;
        PendingSince = e.Data.RecommendedOn;
        PendingNote = e.Data.Note;
        Status = CaseStatus.ReleasePending;
        LastChangedAt = e.Timestamp;
    }

    public void Apply(IEvent<ReleaseRejected> e)
    {
        ClearPending();
        Status = OrganisationId is null ? CaseStatus.Open : CaseStatus.Active;
        LastChangedAt = e.Timestamp;
    }

    public void Apply(IEvent<ReleaseRecommendationWithdrawn> e)
    {
        ClearPending();
        Status = OrganisationId is null ? CaseStatus.Open : CaseStatus.Active;
        LastChangedAt = e.Timestamp;
    }

    public void Apply(IEvent<CaseReleased> e)
    {
        ClearPending();
        Status = CaseStatus.Released;
        ReleasedGrounds = e.Data.Grounds;
        EndedOn = e.Data.EffectiveOn;
        LastChangedAt = e.Timestamp;
    }

    public void Apply(IEvent<CaseTransferred> e)
    {
        WardId = e.Data.ToWardId;
        OrganisationId = null;
        MentorUserId = null;
        SupervisorUserId = null;
        Status = CaseStatus.Open;
        LastChangedAt = e.Timestamp;
    }

    public void Apply(IEvent<CaseRevoked> e)
    {
        ClearPending();
        Status = CaseStatus.Revoked;
        EndedOn = e.Data.RevokedOn;
        LastChangedAt = e.Timestamp;
    }

    public void Apply(IEvent<CaseClosed> e)
    {
        ClearPending();
        Status = CaseStatus.Closed;
        EndedOn = e.Data.ClosedOn;
        LastChangedAt = e.Timestamp;
    }

    private void ClearPending()
    {
        PendingGrounds = null;
        PendingRecommendedBy = null;
        PendingSince = null;
        PendingNote = null;
    }
}
