using CaseTracking.Cases;
using JasperFx.Events;
using Marten;
using Marten.Events.Projections;

namespace CaseTracking.Statistics;

/// <summary>The figures of one ward × kind × month (docs/statistics.md defines each).</summary>
public sealed class StatisticsRow
{
    public string Id { get; set; } = "";
    public Guid WardId { get; set; }
    public SupervisionKind Kind { get; set; }

    /// <summary>First day of the month.</summary>
    public DateOnly Month { get; set; }

    public int Opened { get; set; }
    public int ReleasedTermCompleted { get; set; }
    public int ReleasedEarly { get; set; }
    public int Revoked { get; set; }
    public int Closed { get; set; }
    public int ReviewsHeld { get; set; }
    public int ReviewsDue { get; set; }
    public int Violations { get; set; }
    public int TransfersIn { get; set; }
    public int TransfersOut { get; set; }

    /// <summary>Cases becoming supervised here this month minus cases leaving; summed up to a month it gives "active at month end".</summary>
    public int ActiveDelta { get; set; }

    public static string IdOf(Guid ward, SupervisionKind kind, DateOnly month) => $"{ward}:{kind}:{month:yyyy-MM}";

    public void Add(StatisticsRow d)
    {
        Opened += d.Opened; ReleasedTermCompleted += d.ReleasedTermCompleted; ReleasedEarly += d.ReleasedEarly; Revoked += d.Revoked;
        Closed += d.Closed; ReviewsHeld += d.ReviewsHeld; ReviewsDue += d.ReviewsDue; Violations += d.Violations;
        TransfersIn += d.TransfersIn; TransfersOut += d.TransfersOut; ActiveDelta += d.ActiveDelta;
    }

    public bool IsEmpty => Opened == 0 && ReleasedTermCompleted == 0 && ReleasedEarly == 0 && Revoked == 0 && Closed == 0
        && ReviewsHeld == 0 && ReviewsDue == 0 && Violations == 0 && TransfersIn == 0 && TransfersOut == 0 && ActiveDelta == 0;
}

/// <summary>What the statistics projection remembers of one case: its wards over time and how it ended.</summary>
public sealed class StatisticsMember
{
    public Guid Id { get; set; }
    public SupervisionKind Kind { get; set; }
    public DateOnly StartsOn { get; set; }
    public DateOnly EndsOn { get; set; }
    public DateOnly? EndedOn { get; set; }

    /// <summary>The ward from a month on: the opening ward, then one entry per transfer.</summary>
    public List<WardSpell> Wards { get; set; } = [];
}

public sealed record WardSpell(Guid WardId, DateOnly FromMonth);

/// <summary>
/// Async multi-stream projection to <see cref="StatisticsRow"/>. Counted figures add one in the month of
/// the business date they carry. "Reviews due" and "active at month end" depend on the whole life of a
/// case (its term, transfers, end), so for each event the projection computes the case's contributions
/// before and after, and applies only the difference: exact under term changes, transfers and rebuilds.
/// </summary>
public sealed class StatisticsProjection(SupervisionKinds kinds) : IProjection
{
    private enum Figure { ReviewsDue, ActiveDelta }

    public async Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        var relevant = events.Where(e => CasesModule.EventTypes.Contains(e.EventType)).ToList();
        if (relevant.Count == 0) return;

        // Members in one round trip; figures are increments, summed in memory and merged into the stored rows once.
        var members = await ProjectionMembers.LoadAsync<StatisticsMember>(operations, relevant, m => m.Id, cancellation);

        var deltas = new Dictionary<(string Tenant, string Row), StatisticsRow>();
        StatisticsRow Row(string tenantId, Guid ward, SupervisionKind kind, DateOnly month)
        {
            var id = StatisticsRow.IdOf(ward, kind, month);
            if (!deltas.TryGetValue((tenantId, id), out var row))
                deltas[(tenantId, id)] = row = new StatisticsRow { Id = id, WardId = ward, Kind = kind, Month = month };
            return row;
        }

        var changed = new HashSet<(string, Guid)>();
        foreach (var e in relevant)
        {
            var member = members.GetValueOrDefault((e.TenantId, e.StreamId));
            if (member is null && e.Data is not CaseOpened) continue;
            members[(e.TenantId, e.StreamId)] = Fold(member, e, (ward, kind, month) => Row(e.TenantId, ward, kind, month), out var reshaped);
            if (reshaped) changed.Add((e.TenantId, e.StreamId));
        }

        foreach (var (tenantId, id) in changed) operations.ForTenant(tenantId).Store(members[(tenantId, id)]!);

        foreach (var tenant in deltas.GroupBy(d => d.Key.Tenant))
        {
            var ops = operations.ForTenant(tenant.Key);
            var existing = (await ops.LoadManyAsync<StatisticsRow>(cancellation, tenant.Select(d => d.Key.Row).ToArray())).ToDictionary(r => r.Id);
            foreach (var (_, delta) in tenant)
            {
                var row = existing.GetValueOrDefault(delta.Id);
                if (row is null) row = delta;
                else row.Add(delta);
                if (row.IsEmpty) ops.Delete(row);
                else ops.Store(row);
            }
        }
    }

    /// <summary>
    /// One event of one case: its member updated, its figures added to the rows <paramref name="row"/> hands out
    /// (pure; the property tests fold accepted histories through it). <paramref name="reshaped"/> says the member changed.
    /// </summary>
    internal StatisticsMember Fold(StatisticsMember? member, IEvent e, Func<Guid, SupervisionKind, DateOnly, StatisticsRow> row, out bool reshaped)
    {
        // Only the events that change a case's term, wards or end change its contributions.
        reshaped = e.Data is CaseOpened or TermChanged or CaseTransferred or CaseReleased or CaseRevoked or CaseClosed;
        var before = member is null || !reshaped ? [] : Contributions(member);
        member = Apply(member, e)!;

        if (reshaped)
        {
            foreach (var ((ward, month, figure), delta) in Diff(before, Contributions(member)))
            {
                var r = row(ward, member.Kind, month);
                if (figure == Figure.ReviewsDue) r.ReviewsDue += delta;
                else r.ActiveDelta += delta;
            }
        }

        var wardNow = member.Wards[^1].WardId;
        switch (e.Data)
        {
            case CaseOpened o: row(o.WardId, o.Kind, MonthOf(o.StartsOn)).Opened++; break;
            case ReviewLogged r: row(wardNow, member.Kind, MonthOf(r.HeldOn)).ReviewsHeld++; break;
            case ViolationRecorded v: row(wardNow, member.Kind, MonthOf(v.OccurredOn)).Violations++; break;
            case CaseReleased r when r.Grounds == ReleaseGrounds.TermCompleted:
                row(wardNow, member.Kind, MonthOf(r.EffectiveOn)).ReleasedTermCompleted++; break;
            case CaseReleased r: row(wardNow, member.Kind, MonthOf(r.EffectiveOn)).ReleasedEarly++; break;
            case CaseRevoked r: row(wardNow, member.Kind, MonthOf(r.RevokedOn)).Revoked++; break;
            case CaseClosed c: row(wardNow, member.Kind, MonthOf(c.ClosedOn)).Closed++; break;
            case CaseTransferred t:
                var month = TransferMonth(e);
                row(t.FromWardId, member.Kind, month).TransfersOut++;
                row(t.ToWardId, member.Kind, month).TransfersIn++;
                break;
        }

        return member;
    }

    public static DateOnly MonthOf(DateOnly date) => new(date.Year, date.Month, 1);

    /// <summary>A transfer carries no business date: the month of its recorded timestamp (UTC) is used.</summary>
    private static DateOnly TransferMonth(IEvent e) => MonthOf(DateOnly.FromDateTime(e.Timestamp.UtcDateTime));

    private static StatisticsMember? Apply(StatisticsMember? m, IEvent e)
    {
        switch (e.Data)
        {
            case CaseOpened o:
                return new StatisticsMember
                {
                    Id = o.CaseId, Kind = o.Kind, StartsOn = o.StartsOn, EndsOn = o.EndsOn,
                    Wards = [new WardSpell(o.WardId, MonthOf(o.StartsOn))]
                };
            case TermChanged t when m is not null: m.EndsOn = t.NewEndsOn; break;
            case CaseTransferred t when m is not null: m.Wards.Add(new WardSpell(t.ToWardId, TransferMonth(e))); break;
            case CaseReleased r when m is not null: m.EndedOn = r.EffectiveOn; break;
            case CaseRevoked r when m is not null: m.EndedOn = r.RevokedOn; break;
            case CaseClosed c when m is not null: m.EndedOn = c.ClosedOn; break;
        }

        return m;
    }

    private static Guid WardIn(StatisticsMember m, DateOnly month)
    {
        var ward = m.Wards[0].WardId;
        foreach (var spell in m.Wards) if (spell.FromMonth <= month) ward = spell.WardId;
        return ward;
    }

    /// <summary>
    /// Reviews are due every cadence months from the start month up to the month supervision stops
    /// (the term's end, or the end event if earlier), in the ward holding the case that month.
    /// Active-at-month-end moves +1 at the start month and -1 at the end event's month; a transfer
    /// moves one case from the old ward to the new one in its month.
    /// </summary>
    private Dictionary<(Guid, DateOnly, Figure), int> Contributions(StatisticsMember m)
    {
        var result = new Dictionary<(Guid, DateOnly, Figure), int>();
        void Add(Guid ward, DateOnly month, Figure f, int d) => result[(ward, month, f)] = result.GetValueOrDefault((ward, month, f)) + d;

        var start = MonthOf(m.StartsOn);
        var stop = MonthOf(m.EndedOn is { } ended && ended < m.EndsOn ? ended : m.EndsOn);
        var every = Math.Max(1, kinds[m.Kind].ReviewEveryMonths);
        for (var month = start; month <= stop; month = month.AddMonths(every)) Add(WardIn(m, month), month, Figure.ReviewsDue, 1);

        Add(m.Wards[0].WardId, start, Figure.ActiveDelta, 1);
        for (var i = 1; i < m.Wards.Count; i++)
        {
            var month = m.Wards[i].FromMonth < start ? start : m.Wards[i].FromMonth;
            Add(m.Wards[i - 1].WardId, month, Figure.ActiveDelta, -1);
            Add(m.Wards[i].WardId, month, Figure.ActiveDelta, 1);
        }

        if (m.EndedOn is { } end)
        {
            var month = MonthOf(end) < start ? start : MonthOf(end);
            Add(WardIn(m, month), month, Figure.ActiveDelta, -1);
        }

        return result;
    }

    private static IEnumerable<((Guid, DateOnly, Figure), int)> Diff(Dictionary<(Guid, DateOnly, Figure), int> before,
        Dictionary<(Guid, DateOnly, Figure), int> after)
    {
        foreach (var key in before.Keys.Union(after.Keys))
        {
            var delta = after.GetValueOrDefault(key) - before.GetValueOrDefault(key);
            if (delta != 0) yield return (key, delta);
        }
    }
}
