using CaseTracking.Cases;
using JasperFx.Events;
using Marten;
using Marten.Events.Projections;

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
/// Async multi-stream projection: each event updates its case's <see cref="CaseloadMember"/>, which moves
/// the case between caseload groups (ward, organisation, mentor, supervisor); the groups are counted at
/// query time. Events are applied in order, so a rebuild gives the same members. Time-dependent counts
/// (overdue, term ended) are computed at query time from the members' dates, never frozen here (ADR 0003).
/// </summary>
public sealed class CaseloadProjection(SupervisionKinds kinds) : IProjection
{
    public async Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        var relevant = events.Where(e => e.Data is CaseOpened or CaseAssigned or ReviewLogged or TermChanged or ReleaseRecommended
            or ReleaseRejected or ReleaseRecommendationWithdrawn or CaseReleased or CaseTransferred or CaseRevoked or CaseClosed).ToList();
        if (relevant.Count == 0) return;

        // One round trip for the members of the whole batch; each changed member is written once.
        var members = await ProjectionMembers.LoadAsync<CaseloadMember>(operations, relevant, m => m.Id, cancellation);

        foreach (var e in relevant)
        {
            var member = Fold(members.GetValueOrDefault((e.TenantId, e.StreamId)), e);
            if (member is not null) members[(e.TenantId, e.StreamId)] = member;
        }

        foreach (var ((tenantId, _), member) in members)
        {
            if (member is null) continue;
            if (member.Ended) operations.ForTenant(tenantId).Delete(member);
            else operations.ForTenant(tenantId).Store(member);
        }
    }

    /// <summary>One event of one case into its member (pure; the property tests fold accepted histories through it).</summary>
    internal CaseloadMember? Fold(CaseloadMember? member, IEvent e)
    {
        member = Apply(member, e);
        if (member is null) return null;
        member.ReviewDue = member.Ended ? null
            : CaseView.NextReview(member.StartsOn, member.EndsOn, member.LastReviewPeriod, false, kinds[member.Kind].ReviewEveryMonths).Due;
        return member;
    }

    private static CaseloadMember? Apply(CaseloadMember? m, IEvent e)
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
