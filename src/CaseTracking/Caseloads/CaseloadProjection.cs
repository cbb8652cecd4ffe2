using CaseTracking.Cases;
using JasperFx.Events;
using Marten.Events.Aggregation;

namespace CaseTracking.Caseloads;

/// <summary>
/// One active case as the caseload sees it: the groups it belongs to and the dates its time-dependent
/// counts are computed from. A caseload is one <c>group by</c> over these documents in PostgreSQL
/// (<see cref="CaseloadQueries"/>); a case's document is deleted when the case ends.
/// </summary>
public sealed class CaseloadMember
{
    public Guid Id { get; set; }
    public Guid WardId { get; set; }
    public Guid? OrganisationId { get; set; }
    public Guid? MentorUserId { get; set; }
    public Guid? SupervisorUserId { get; set; }
    public SupervisionKind Kind { get; set; }
    public DateOnly StartsOn { get; set; }
    public DateOnly EndsOn { get; set; }
    public string? LastReviewPeriod { get; set; }

    /// <summary>The last day of the next review period (<see cref="CaseView.NextReview"/>); none once the term's reviews are done.</summary>
    public DateOnly? ReviewDue { get; set; }

    public bool Pending { get; set; }

    /// <summary>Released, revoked or closed: the document is deleted, the case is in no caseload.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool Ended { get; set; }
}

public enum CaseloadDimension { Ward, Organisation, Mentor, Supervisor }

/// <summary>
/// Async single-stream projection: each case's events fold into its <see cref="CaseloadMember"/>, which moves the
/// case between caseload groups (ward, organisation, mentor, supervisor); the groups are counted at query time.
/// A case that ends is deleted (its member folds to null). Events are applied in order, so a rebuild gives the same
/// members. Time-dependent counts (overdue, term ended) are computed at query time from the members' dates, never
/// frozen here (ADR 0003). Marten's standard single-stream projection (batched loads, its own per-event blame on a
/// failure) replaced a hand-written batch projection doing the same at the same speed (ADR 0006).
/// </summary>
public sealed class CaseloadProjection : SingleStreamProjection<CaseloadMember, Guid>
{
    private readonly SupervisionKinds kinds;

    public CaseloadProjection(SupervisionKinds kinds)
    {
        this.kinds = kinds;
        // The shard keeps the name it had as a hand-written projection: no rebuild, health and tests unchanged.
        Name = nameof(CaseloadProjection);
        Options.BatchSize = 2000;
        // Rebuilds keep hot members in memory instead of reloading them page after page.
        Options.CacheLimitPerTenant = 20_000;
    }

    /// <summary>An ended case is in no caseload: null deletes its member.</summary>
    public override CaseloadMember? Evolve(CaseloadMember? snapshot, Guid id, IEvent e) =>
        Fold(snapshot, e) is { Ended: false } member ? member : null;

    /// <summary>One event of one case into its member (pure; the property tests fold accepted histories through it).</summary>
    internal CaseloadMember? Fold(CaseloadMember? member, IEvent e)
    {
        member = Change(member, e);
        if (member is null) return null;
        member.ReviewDue = member.Ended ? null
            : CaseView.NextReview(member.StartsOn, member.EndsOn, member.LastReviewPeriod, false, kinds[member.Kind].ReviewEveryMonths).Due;
        return member;
    }

    private static CaseloadMember? Change(CaseloadMember? m, IEvent e)
    {
        switch (e.Data)
        {
            case CaseOpened o:
                return new CaseloadMember { Id = o.CaseId, WardId = o.WardId, Kind = o.Kind, StartsOn = o.StartsOn, EndsOn = o.EndsOn };
            case CaseAssigned a when m is not null:
                m.OrganisationId = a.OrganisationId; m.MentorUserId = a.MentorUserId; m.SupervisorUserId = a.SupervisorUserId; break;
            case ReviewLogged r when m is not null:
                if (m.LastReviewPeriod is null || string.CompareOrdinal(r.Period, m.LastReviewPeriod) > 0) m.LastReviewPeriod = r.Period;
                break;
            case TermChanged t when m is not null: m.EndsOn = t.NewEndsOn; break;
            case ReleaseRecommended when m is not null: m.Pending = true; break;
            case ReleaseRejected or ReleaseRecommendationWithdrawn when m is not null: m.Pending = false; break;
            case CaseTransferred t when m is not null:
                m.WardId = t.ToWardId; m.OrganisationId = null; m.MentorUserId = null; m.SupervisorUserId = null; break;
            case CaseReleased or CaseRevoked or CaseClosed when m is not null:
                m.Ended = true; m.Pending = false; break;
        }

        return m;
    }
}
