using CaseTracking.Cases;
using JasperFx.Events;
using Marten;
using Marten.Events.Projections;

namespace CaseTracking.Caseloads;

/// <summary>What the caseload projection remembers of one case, to know which groups it leaves and joins.</summary>
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
    public bool Pending { get; set; }
    public bool Ended { get; set; }
}

/// <summary>One active case inside a caseload row: what the time-dependent counts are computed from.</summary>
public sealed record CaseloadEntry(Guid WardId, Guid? OrganisationId, DateOnly EndsOn, DateOnly? ReviewDue, bool Pending);

public enum CaseloadDimension { Ward, Organisation, Mentor, Supervisor }

/// <summary>The active cases of one ward, organisation, mentor or supervisor.</summary>
public sealed class CaseloadRow
{
    public string Id { get; set; } = "";
    public CaseloadDimension Dimension { get; set; }
    public Guid Key { get; set; }
    public Dictionary<Guid, CaseloadEntry> Cases { get; set; } = [];

    public static string IdOf(CaseloadDimension dimension, Guid key) => $"{dimension}:{key}";
}

/// <summary>
/// Async multi-stream projection: each event moves its case between caseload rows (ward, organisation,
/// mentor, supervisor). Events are applied in order with a per-case <see cref="CaseloadMember"/>, so a
/// rebuild gives the same rows. Time-dependent counts (overdue, term ended) are computed at query time
/// from the entries' dates, never frozen here.
/// </summary>
public sealed class CaseloadProjection(SupervisionKinds kinds) : IProjection
{
    public async Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        var members = new Dictionary<(string, Guid), CaseloadMember?>();
        var rows = new Dictionary<(string, string), CaseloadRow>();

        foreach (var e in events)
        {
            if (e.Data is not (CaseOpened or CaseAssigned or ReviewLogged or TermChanged or ReleaseRecommended or ReleaseRejected
                or CaseReleased or CaseTransferred or CaseRevoked or CaseClosed)) continue;
            var tenant = operations.ForTenant(e.TenantId);
            var key = (e.TenantId, e.StreamId);
            if (!members.TryGetValue(key, out var member))
                members[key] = member = await tenant.LoadAsync<CaseloadMember>(e.StreamId, cancellation);

            if (member is not null) await Leave(tenant, e.TenantId, member, rows, cancellation);
            member = Apply(member, e);
            members[key] = member;
            if (member is not null) await Join(tenant, e.TenantId, member, rows, cancellation);
        }

        foreach (var ((tenantId, _), member) in members)
            if (member is not null) operations.ForTenant(tenantId).Store(member);
        foreach (var ((tenantId, _), row) in rows)
        {
            if (row.Cases.Count == 0) operations.ForTenant(tenantId).Delete(row);
            else operations.ForTenant(tenantId).Store(row);
        }
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
            case ReleaseRejected when m is not null: m.Pending = false; break;
            case CaseTransferred t when m is not null:
                m.WardId = t.ToWardId; m.OrganisationId = null; m.MentorUserId = null; m.SupervisorUserId = null; break;
            case CaseReleased or CaseRevoked or CaseClosed when m is not null:
                m.Ended = true; m.Pending = false; break;
        }

        return m;
    }

    private static IEnumerable<(CaseloadDimension, Guid)> GroupsOf(CaseloadMember m)
    {
        yield return (CaseloadDimension.Ward, m.WardId);
        if (m.OrganisationId is { } o) yield return (CaseloadDimension.Organisation, o);
        if (m.MentorUserId is { } mentor) yield return (CaseloadDimension.Mentor, mentor);
        if (m.SupervisorUserId is { } s) yield return (CaseloadDimension.Supervisor, s);
    }

    private static async Task<CaseloadRow> Row(IDocumentOperations tenant, string tenantId, CaseloadDimension d, Guid key,
        Dictionary<(string, string), CaseloadRow> rows, CancellationToken ct)
    {
        var id = CaseloadRow.IdOf(d, key);
        if (!rows.TryGetValue((tenantId, id), out var row))
            rows[(tenantId, id)] = row = await tenant.LoadAsync<CaseloadRow>(id, ct) ?? new CaseloadRow { Id = id, Dimension = d, Key = key };
        return row;
    }

    private static async Task Leave(IDocumentOperations tenant, string tenantId, CaseloadMember m,
        Dictionary<(string, string), CaseloadRow> rows, CancellationToken ct)
    {
        foreach (var (d, key) in GroupsOf(m)) (await Row(tenant, tenantId, d, key, rows, ct)).Cases.Remove(m.Id);
    }

    private async Task Join(IDocumentOperations tenant, string tenantId, CaseloadMember m,
        Dictionary<(string, string), CaseloadRow> rows, CancellationToken ct)
    {
        if (m.Ended) return;
        var (_, due) = CaseView.NextReview(m.StartsOn, m.EndsOn, m.LastReviewPeriod, false, kinds[m.Kind].ReviewEveryMonths);
        var entry = new CaseloadEntry(m.WardId, m.OrganisationId, m.EndsOn, due, m.Pending);
        foreach (var (d, key) in GroupsOf(m)) (await Row(tenant, tenantId, d, key, rows, ct)).Cases[m.Id] = entry;
    }
}
