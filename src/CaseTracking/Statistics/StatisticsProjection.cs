using System.Diagnostics;
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

    [System.Text.Json.Serialization.JsonIgnore]
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

/// <summary>The statistics projection's settings (<c>CaseTracking:Statistics</c>).</summary>
public sealed class StatisticsSettings
{
    /// <summary>Time the phases of every page into <see cref="StatisticsProfile"/> (the benchmark prints them).</summary>
    public bool Profile { get; init; }

    /// <summary>A serving node's page: a catch-up of 340,000 events peaked at 293–296 MB with it, 356–360 MB with 10,000 (issue 14).</summary>
    public const int DefaultBatchSize = 2_000;

    /// <summary>The <c>rebuild</c> verb's page, unless configured: fewer row writes per event, more memory (docs/performance.md).</summary>
    public const int RebuildBatchSize = 10_000;

    /// <summary>
    /// Events per page (<c>CaseTracking:Statistics:BatchSize</c>). A page's events and deltas are held in memory while
    /// it is folded: the page size bounds the daemon's memory when it catches up (after an import, say).
    /// </summary>
    public int BatchSize { get; init; } = DefaultBatchSize;
}

/// <summary>Where a statistics page's time goes, summed over pages while <see cref="StatisticsSettings.Profile"/> is on.</summary>
public static class StatisticsProfile
{
    private static long pages, events, rows, members, fold, queue;

    public static void Reset() => pages = events = rows = members = fold = queue = 0;

    internal static void Add(int pageEvents, int pageRows, long membersTicks, long foldTicks, long queueTicks)
    {
        Interlocked.Increment(ref pages);
        Interlocked.Add(ref events, pageEvents);
        Interlocked.Add(ref rows, pageRows);
        Interlocked.Add(ref members, membersTicks);
        Interlocked.Add(ref fold, foldTicks);
        Interlocked.Add(ref queue, queueTicks);
    }

    /// <summary>Pages, events, rows written, and seconds spent loading members, folding and queueing the rows' merge.</summary>
    public static (long Pages, long Events, long Rows, double Members, double Fold, double QueueWrites) Read()
    {
        static double S(long ticks) => (double)ticks / Stopwatch.Frequency;
        return (pages, events, rows, S(members), S(fold), S(queue));
    }
}

/// <summary>
/// Async multi-stream projection to <see cref="StatisticsRow"/>. Counted figures add one in the month of
/// the business date they carry. "Reviews due" and "active at month end" depend on the whole life of a
/// case (its term, transfers, end), so for each event that changes them the projection takes back the case's
/// contributions before it and adds those after it: exact under term changes, transfers and rebuilds.
/// Hand-written rather than a <c>MultiStreamProjection</c>: one event adds to a varying set of rows (a month of its
/// term each), and a page's additions are summed in memory and merged into the stored rows by one statement.
/// </summary>
public sealed class StatisticsProjection(SupervisionKinds kinds, StatisticsSettings? settings = null) : IProjection
{
    private readonly StatisticsSettings settings = settings ?? new StatisticsSettings();

    private readonly record struct RowKey(string Tenant, Guid Ward, SupervisionKind Kind, DateOnly Month);

    public async Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        var t0 = Stopwatch.GetTimestamp();
        var relevant = events.Where(e => CasesModule.EventTypes.Contains(e.EventType)).ToList();
        if (relevant.Count == 0) return;

        // Members in one round trip; figures are increments, summed in memory and merged into the stored rows once.
        var members = await ProjectionMembers.LoadAsync<StatisticsMember>(operations, relevant, m => m.Id, cancellation);
        var t1 = Stopwatch.GetTimestamp();

        var deltas = new Dictionary<RowKey, StatisticsRow>();
        var changed = new HashSet<(string, Guid)>();
        foreach (var e in relevant)
        {
            var member = members.GetValueOrDefault((e.TenantId, e.StreamId));
            if (member is null && e.Data is not CaseOpened) continue;
            var tenant = e.TenantId;
            members[(tenant, e.StreamId)] = Fold(member, e, (ward, kind, month) =>
            {
                var key = new RowKey(tenant, ward, kind, month);
                if (!deltas.TryGetValue(key, out var row)) deltas[key] = row = new StatisticsRow { WardId = ward, Kind = kind, Month = month };
                return row;
            }, out var reshaped);
            if (reshaped) changed.Add((tenant, e.StreamId));
        }

        foreach (var (tenantId, id) in changed) operations.ForTenant(tenantId).Store(members[(tenantId, id)]!);
        var t2 = Stopwatch.GetTimestamp();

        // A page often takes back and adds the same month (an end moves "reviews due" of the months it cuts off only).
        var written = 0;
        foreach (var tenant in deltas.Where(d => !d.Value.IsEmpty).GroupBy(d => d.Key.Tenant))
        {
            var rows = tenant.Select(d => d.Value).ToList();
            foreach (var row in rows) row.Id = StatisticsRow.IdOf(row.WardId, row.Kind, row.Month);
            written += rows.Count;
            QueueMerge(operations, tenant.Key, rows);
        }

        if (settings.Profile) StatisticsProfile.Add(relevant.Count, written, t1 - t0, t2 - t1, Stopwatch.GetTimestamp() - t2);
    }

    private static readonly (string Json, Func<StatisticsRow, int> Of)[] Counts =
    [
        ("opened", r => r.Opened), ("releasedTermCompleted", r => r.ReleasedTermCompleted), ("releasedEarly", r => r.ReleasedEarly),
        ("revoked", r => r.Revoked), ("closed", r => r.Closed), ("reviewsHeld", r => r.ReviewsHeld), ("reviewsDue", r => r.ReviewsDue),
        ("violations", r => r.Violations), ("transfersIn", r => r.TransfersIn), ("transfersOut", r => r.TransfersOut),
        ("activeDelta", r => r.ActiveDelta)
    ];

    /// <summary>
    /// The page's figures added to the stored rows inside PostgreSQL: one <c>insert … on conflict</c> over arrays (a
    /// row's new document is its stored counts plus the page's), then the rows that came to nothing deleted. No row is
    /// read into the app. The document has the shape Marten writes for <see cref="StatisticsRow"/> (camelCase, enum as
    /// text), so queries and <c>LoadAsync</c> read it as any other; the projection is the only writer of these rows.
    /// </summary>
    private static void QueueMerge(IDocumentOperations operations, string tenant, List<StatisticsRow> rows)
    {
        var table = Auditing.DocumentChain.TableOf(operations.DocumentStore, typeof(StatisticsRow));
        var counts = string.Join(", ", Counts.Select(c => $"'{c.Json}', u.{c.Json} + coalesce((o.data ->> '{c.Json}')::int, 0)"));
        var columns = string.Join(", ", Counts.Select(c => c.Json));
        var arrays = string.Join(", ", Counts.Select(_ => "?::int[]"));
        var parameters = new List<object>
        {
            tenant, rows.Select(r => r.Id).ToArray(), rows.Select(r => r.WardId).ToArray(),
            rows.Select(r => r.Kind.ToString()).ToArray(), rows.Select(r => r.Month).ToArray()
        };
        parameters.AddRange(Counts.Select(c => (object)rows.Select(c.Of).ToArray()));
        parameters.Add(tenant);
        operations.QueueSqlCommand($"""
            insert into {table} as t (tenant_id, id, data, mt_dotnet_type, month, ward_id)
            select ?, u.id, jsonb_build_object('id', u.id, 'wardId', u.ward_id, 'kind', u.kind, 'month', u.month, {counts}),
                   '{typeof(StatisticsRow).FullName}', u.month, u.ward_id
              from unnest(?::varchar[], ?::uuid[], ?::varchar[], ?::date[], {arrays}) as u(id, ward_id, kind, month, {columns})
              left join {table} o on o.tenant_id = ? and o.id = u.id
            on conflict (tenant_id, id) do update set data = excluded.data, mt_last_modified = transaction_timestamp(),
                   mt_version = md5(random()::text || clock_timestamp()::text)::uuid
            """, [.. parameters]);
        var empty = string.Join(" and ", Counts.Select(c => $"(data ->> '{c.Json}')::int = 0"));
        operations.QueueSqlCommand($"delete from {table} where tenant_id = ? and id = any(?) and {empty}", tenant, rows.Select(r => r.Id).ToArray());
    }

    /// <summary>
    /// One event of one case: its member updated, its figures added to the rows <paramref name="row"/> hands out
    /// (pure; the property tests fold accepted histories through it). <paramref name="reshaped"/> says the member changed.
    /// </summary>
    internal StatisticsMember Fold(StatisticsMember? member, IEvent e, Func<Guid, SupervisionKind, DateOnly, StatisticsRow> row, out bool reshaped)
    {
        // Only the events that change a case's term, wards or end change its contributions: the old ones are taken
        // back and the new ones added (a month both have nets to nothing).
        reshaped = e.Data is CaseOpened or TermChanged or CaseTransferred or CaseReleased or CaseRevoked or CaseClosed;
        if (reshaped && member is not null) AddContributions(member, -1, row);
        member = Apply(member, e)!;
        if (reshaped) AddContributions(member, 1, row);

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
    /// A case's contributions, times <paramref name="sign"/>. Reviews are due every cadence months from the start
    /// month up to the month supervision stops (the term's end, or the end event if earlier), in the ward holding the
    /// case that month. Active-at-month-end moves +1 at the start month and -1 at the end event's month; a transfer
    /// moves one case from the old ward to the new one in its month.
    /// </summary>
    private void AddContributions(StatisticsMember m, int sign, Func<Guid, SupervisionKind, DateOnly, StatisticsRow> row)
    {
        var start = MonthOf(m.StartsOn);
        var stop = MonthOf(m.EndedOn is { } ended && ended < m.EndsOn ? ended : m.EndsOn);
        var every = Math.Max(1, kinds[m.Kind].ReviewEveryMonths);
        for (var month = start; month <= stop; month = month.AddMonths(every)) row(WardIn(m, month), m.Kind, month).ReviewsDue += sign;

        row(m.Wards[0].WardId, m.Kind, start).ActiveDelta += sign;
        for (var i = 1; i < m.Wards.Count; i++)
        {
            var month = m.Wards[i].FromMonth < start ? start : m.Wards[i].FromMonth;
            row(m.Wards[i - 1].WardId, m.Kind, month).ActiveDelta -= sign;
            row(m.Wards[i].WardId, m.Kind, month).ActiveDelta += sign;
        }

        if (m.EndedOn is { } end)
        {
            var month = MonthOf(end) < start ? start : MonthOf(end);
            row(WardIn(m, month), m.Kind, month).ActiveDelta -= sign;
        }
    }
}
