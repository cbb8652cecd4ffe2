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
        var relevant = events.Where(e => e.Data is CaseOpened or CaseAssigned or ReviewLogged or TermChanged or ReleaseRecommended
            or ReleaseRejected or CaseReleased or CaseTransferred or CaseRevoked or CaseClosed).ToList();
        if (relevant.Count == 0) return;

        // One round trip for the members of the whole batch; rows are changed in memory and loaded once at the end.
        var members = new Dictionary<(string, Guid), CaseloadMember?>();
        foreach (var tenant in relevant.GroupBy(e => e.TenantId))
        {
            var loaded = await operations.ForTenant(tenant.Key).LoadManyAsync<CaseloadMember>(cancellation, tenant.Select(e => e.StreamId).Distinct().ToArray());
            foreach (var m in loaded) members[(tenant.Key, m.Id)] = m;
        }

        var changes = new Dictionary<(string Tenant, string Row), (CaseloadDimension Dimension, Guid Key, Dictionary<Guid, CaseloadEntry?> Cases)>();
        Dictionary<Guid, CaseloadEntry?> Changes(string tenant, CaseloadDimension d, Guid key)
        {
            var id = CaseloadRow.IdOf(d, key);
            if (!changes.TryGetValue((tenant, id), out var change)) changes[(tenant, id)] = change = (d, key, []);
            return change.Cases;
        }

        foreach (var e in relevant)
        {
            var member = members.GetValueOrDefault((e.TenantId, e.StreamId));
            if (member is not null)
                foreach (var (d, key) in GroupsOf(member)) Changes(e.TenantId, d, key)[member.Id] = null;
            member = Apply(member, e);
            members[(e.TenantId, e.StreamId)] = member;
            if (member is null || member.Ended) continue;
            var (_, due) = CaseView.NextReview(member.StartsOn, member.EndsOn, member.LastReviewPeriod, false, kinds[member.Kind].ReviewEveryMonths);
            var entry = new CaseloadEntry(member.WardId, member.OrganisationId, member.EndsOn, due, member.Pending);
            foreach (var (d, key) in GroupsOf(member)) Changes(e.TenantId, d, key)[member.Id] = entry;
        }

        foreach (var ((tenantId, _), member) in members)
            if (member is not null) operations.ForTenant(tenantId).Store(member);

        foreach (var tenant in changes.GroupBy(c => c.Key.Tenant))
        {
            var ops = operations.ForTenant(tenant.Key);
            var existing = (await ops.LoadManyAsync<CaseloadRow>(cancellation, tenant.Select(c => c.Key.Row).ToArray())).ToDictionary(r => r.Id);
            foreach (var ((_, id), (dimension, key, cases)) in tenant)
            {
                var row = existing.GetValueOrDefault(id) ?? new CaseloadRow { Id = id, Dimension = dimension, Key = key };
                foreach (var (caseId, entry) in cases)
                {
                    if (entry is null) row.Cases.Remove(caseId);
                    else row.Cases[caseId] = entry;
                }

                if (row.Cases.Count == 0) ops.Delete(row);
                else ops.Store(row);
            }
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
}
