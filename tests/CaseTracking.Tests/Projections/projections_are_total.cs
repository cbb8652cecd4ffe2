using System.Reflection;
using CaseTracking.Caseloads;
using CaseTracking.Cases;
using CaseTracking.Statistics;
using CaseTracking.Tests.Cases.Properties;
using CsCheck;
using JasperFx.Events;

namespace CaseTracking.Tests.Projections;

/// <summary>
/// Anything the write side accepts, every projection can fold (DESIGN §2). Accepted histories come from the real
/// decisions (<see cref="RandomCase"/>), opened with the boundary terms the rules allow: the earliest start of the date
/// window, each kind's shortest and longest term, and for kinds with no maximum a term up to the window's end.
/// </summary>
public sealed class projections_are_total
{
    private static readonly SupervisionKinds Kinds = new();
    private static readonly DateWindowSettings Window = new();
    private static readonly DateOnly Today = new(2026, 5, 15);

    private static readonly Gen<(SupervisionKind, DateOnly, DateOnly)> Terms =
        Gen.Select(Gen.Enum<SupervisionKind>(), Gen.Int[0, 3], Gen.Int[0, 2], (kind, startChoice, lengthChoice) =>
        {
            var rule = Kinds[kind];
            var start = startChoice switch
            {
                0 => Window.Earliest,
                1 => new DateOnly(1999, 12, 31),
                2 => new DateOnly(2025, 1, 1),
                _ => Today
            };
            var longest = rule.MaxMonths is { } max ? start.AddMonths(max) : Today.AddYears(Window.FutureYears);
            var shortest = rule.MinMonths > 0 ? start.AddMonths(rule.MinMonths).AddDays(-1) : start.AddDays(1);
            var end = lengthChoice switch { 0 => shortest, 1 => longest, _ => shortest.AddDays((longest.DayNumber - shortest.DayNumber) / 2) };
            return (kind, start, end);
        });

    [Fact]
    public void every_accepted_history_folds_through_the_summary_the_caseload_and_the_statistics() =>
        Gen.Select(Terms, RandomCase.Sequences).Sample((term, attempts) =>
        {
            var run = RandomCase.Play(attempts, term);
            var events = run.Events.Select((data, i) => Wrap(data, i + 1)).ToList();

            var summary = CaseSummary.Create((IEvent<CaseOpened>)events[0]);
            foreach (var e in events.Skip(1)) ApplyTo(summary, e);
            summary.Status.ShouldBe(run.Final.Status);
            summary.EndsOn.ShouldBe(run.Final.EndsOn);

            var caseload = new CaseloadProjection(Kinds);
            CaseloadMember? member = null;
            foreach (var e in events) member = caseload.Fold(member, e);
            member.ShouldNotBeNull().Ended.ShouldBe(run.Final.IsTerminal);

            var statistics = new StatisticsProjection(Kinds);
            var rows = new Dictionary<string, StatisticsRow>();
            StatisticsMember? figures = null;
            foreach (var e in events)
                figures = statistics.Fold(figures, e, (ward, kind, month) =>
                {
                    var id = StatisticsRow.IdOf(ward, kind, month);
                    return rows.TryGetValue(id, out var row) ? row : rows[id] = new StatisticsRow { Id = id, WardId = ward, Kind = kind, Month = month };
                }, out _);

            // Counted once, active while supervised, never a negative count anywhere.
            rows.Values.Sum(r => r.Opened).ShouldBe(1);
            rows.Values.Sum(r => r.ActiveDelta).ShouldBe(run.Final.IsTerminal ? 0 : 1);
            rows.Values.ShouldAllBe(r => r.ReviewsDue >= 0 && r.ReviewsHeld >= 0 && r.Violations >= 0);
            rows.Values.Sum(r => r.ReleasedEarly + r.ReleasedTermCompleted + r.Revoked + r.Closed).ShouldBe(run.Final.IsTerminal ? 1 : 0);
        }, iter: 1_000);

    private static IEvent Wrap(object data, long version)
    {
        var e = (IEvent)Activator.CreateInstance(typeof(Event<>).MakeGenericType(data.GetType()), data)!;
        e.StreamId = data is CaseOpened o ? o.CaseId : Guid.Empty;
        e.TenantId = "demo";
        e.Version = version;
        e.Timestamp = new DateTimeOffset(2026, 5, 15, 9, 0, 0, TimeSpan.Zero);
        return e;
    }

    private static void ApplyTo(CaseSummary summary, IEvent e)
    {
        var apply = typeof(CaseSummary).GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Single(m => m.Name == nameof(CaseSummary.Apply) && m.GetParameters()[0].ParameterType == typeof(IEvent<>).MakeGenericType(e.EventType));
        apply.Invoke(summary, [e]);
    }
}
