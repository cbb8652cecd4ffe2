using Bogus;
using CaseTracking.Access;
using CaseTracking.Caseloads;
using CaseTracking.Cases;
using CaseTracking.Statistics;
using CaseTracking.Tests.Infrastructure;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using Marten;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;

namespace CaseTracking.Tests.Projections;

/// <summary>
/// A few hundred cases written through the real API with Bogus, then caseload and statistics recomputed
/// by a plain LINQ pass over the raw events and compared with the projections, field by field.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class projections_against_an_oracle(AppFixture app) : IAsyncLifetime
{
    // xunit makes one instance per test: the province is written once for the class.
    private static readonly SemaphoreSlim Once = new(1, 1);
    private static (TestProvince, HashSet<Guid>)? written;
    private TestProvince p = null!;
    private HashSet<Guid> cases = [];

    public async Task InitializeAsync()
    {
        await Once.WaitAsync();
        try
        {
            if (written is null)
            {
                p = await TestProvince.CreateAsync(app);
                await Write();
                written = (p, cases);
            }

            (p, cases) = written.Value;
        }
        finally
        {
            Once.Release();
        }
    }

    private async Task Write()
    {
        var faker = new Faker("vi") { Random = new Randomizer(20261125) };
        var today = new DateOnly(2026, 6, 15);
        for (var i = 0; i < 120; i++)
        {
            var kind = faker.PickRandom(SupervisionKind.SuspendedSentence, SupervisionKind.NonCustodialReform, SupervisionKind.CommuneEducation);
            var start = new DateOnly(2024, 1, 1).AddDays(faker.Random.Int(0, 880));
            var months = kind switch { SupervisionKind.SuspendedSentence => faker.Random.Int(12, 36), SupervisionKind.NonCustodialReform => faker.Random.Int(6, 24), _ => faker.Random.Int(3, 6) };
            var caseId = await p.OpenCaseAsync(start, start.AddMonths(months).AddDays(-1), kind);
            cases.Add(caseId);
            if (faker.Random.Bool(0.1f)) continue;
            (await p.SupervisorA.Api.Post($"/api/cases/{caseId}/assignment", p.AssignBody())).Status.ShouldBe(200);

            for (var month = new DateOnly(start.Year, start.Month, 1); month <= today && month <= start.AddMonths(months); month = month.AddMonths(1))
            {
                if (faker.Random.Bool(0.25f)) continue;
                var held = month.AddDays(faker.Random.Int(0, 27));
                if (held < start) held = start;
                if (held > today) held = today;
                await p.ReviewerA.Api.Post($"/api/cases/{caseId}/reviews", TestProvince.Review(month.ToString("yyyy-MM"), faker.PickRandom("Good", "Good", "Fair", "Poor"), held));
            }

            if (faker.Random.Bool(0.2f))
                await p.SupervisorA.Api.Post($"/api/cases/{caseId}/violations", new { severity = faker.PickRandom("Minor", "Serious"), description = faker.Lorem.Sentence(), occurredOn = start.AddDays(20) > today ? today : start.AddDays(20) });
            if (faker.Random.Bool(0.15f))
                await p.SupervisorA.Api.Post($"/api/cases/{caseId}/term", new { newEndsOn = start.AddMonths(months + 3), decisionNumber = "9/QĐ", reason = "Extended" });

            var fate = faker.Random.Int(0, 9);
            if (fate <= 3)
            {
                var rec = await p.SupervisorA.Api.Post($"/api/cases/{caseId}/release/recommend", new { grounds = "TermCompleted", note = "x" });
                if (rec.Status == 200 && fate <= 2)
                    await p.SupervisorA2.Api.Post($"/api/cases/{caseId}/release/approve", new { decisionNumber = "1/QĐ", effectiveOn = today.AddDays(-faker.Random.Int(0, 60)) });
            }
            else if (fate == 4) await p.SupervisorA.Api.Post($"/api/cases/{caseId}/revoke", new { decisionNumber = "2/QĐ", reason = "x" });
            else if (fate == 5) await p.SupervisorA.Api.Post($"/api/cases/{caseId}/close", new { reason = "Deceased", note = "x" });
            else if (fate == 6) await p.SupervisorA.Api.Post($"/api/cases/{caseId}/transfer", new { toWardId = p.WardB, reason = "x" });
        }

        await app.Host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(60));
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<List<IEvent>> RawEvents()
    {
        await using var session = app.Store.QuerySession("demo");
        var all = await session.Events.QueryAllRawEvents().Where(e => e.TenantId == "demo").OrderBy(e => e.Sequence).ToListAsync();
        return [.. all.Where(e => cases.Contains(e.StreamId))];
    }

    /// <summary>The oracle's own view of each case, folded by hand from the events.</summary>
    private sealed record Fold(Guid Id, SupervisionKind Kind, DateOnly Start, DateOnly End, DateOnly? Ended, List<(Guid Ward, DateOnly From)> Wards,
        Guid? Org, Guid? Mentor, Guid? Supervisor, string? LastPeriod, bool Pending, List<(string Figure, DateOnly Month, Guid Ward)> Counted);

    private static DateOnly M(DateOnly d) => new(d.Year, d.Month, 1);

    private static Dictionary<Guid, Fold> FoldAll(IEnumerable<IEvent> events)
    {
        var folds = new Dictionary<Guid, Fold>();
        foreach (var e in events)
        {
            var f = folds.GetValueOrDefault(e.StreamId);
            var ward = f?.Wards[^1].Ward ?? Guid.Empty;
            folds[e.StreamId] = e.Data switch
            {
                CaseOpened o => new Fold(o.CaseId, o.Kind, o.StartsOn, o.EndsOn, null, [(o.WardId, M(o.StartsOn))], null, null, null, null, false, [("Opened", M(o.StartsOn), o.WardId)]),
                CaseAssigned a => f! with { Org = a.OrganisationId, Mentor = a.MentorUserId, Supervisor = a.SupervisorUserId },
                ReviewLogged r => f! with { LastPeriod = f.LastPeriod is null || string.CompareOrdinal(r.Period, f.LastPeriod) > 0 ? r.Period : f.LastPeriod, Counted = [.. f.Counted, ("ReviewsHeld", M(r.HeldOn), ward)] },
                ViolationRecorded v => f! with { Counted = [.. f.Counted, ("Violations", M(v.OccurredOn), ward)] },
                TermChanged t => f! with { End = t.NewEndsOn },
                ReleaseRecommended => f! with { Pending = true },
                ReleaseRejected => f! with { Pending = false },
                CaseReleased r => f! with { Pending = false, Ended = r.EffectiveOn, Counted = [.. f.Counted, (r.Grounds == ReleaseGrounds.TermCompleted ? "ReleasedTermCompleted" : "ReleasedEarly", M(r.EffectiveOn), ward)] },
                CaseRevoked r => f! with { Pending = false, Ended = r.RevokedOn, Counted = [.. f.Counted, ("Revoked", M(r.RevokedOn), ward)] },
                CaseClosed c => f! with { Pending = false, Ended = c.ClosedOn, Counted = [.. f.Counted, ("Closed", M(c.ClosedOn), ward)] },
                CaseTransferred t => f! with
                {
                    Wards = [.. f.Wards, (t.ToWardId, M(DateOnly.FromDateTime(e.Timestamp.UtcDateTime)))], Org = null, Mentor = null, Supervisor = null,
                    Counted = [.. f.Counted, ("TransfersOut", M(DateOnly.FromDateTime(e.Timestamp.UtcDateTime)), t.FromWardId), ("TransfersIn", M(DateOnly.FromDateTime(e.Timestamp.UtcDateTime)), t.ToWardId)]
                },
                _ => f!
            };
        }

        return folds;
    }

    private static Guid WardIn(Fold f, DateOnly month) => f.Wards.Where(w => w.From <= month).Select(w => w.Ward).LastOrDefault(f.Wards[0].Ward);

    private static bool ActiveAtEndOf(Fold f, DateOnly month) =>
        M(f.Start) <= month && (f.Ended is null || M(f.Ended.Value) > month);

    [Fact]
    public async Task statistics_equal_the_oracle_for_several_ranges_and_filters()
    {
        var folds = FoldAll(await RawEvents());
        folds.Count.ShouldBe(cases.Count, "the oracle sees every written case");
        var auditor = (await LoadActor(p.Auditor.Id));
        var first = true;
        foreach (var (from, to, ward, kind) in new (DateOnly, DateOnly, Guid?, SupervisionKind?)[]
                 {
                     (new(2024, 1, 1), new(2026, 12, 1), p.WardA, null),
                     (new(2025, 3, 1), new(2025, 9, 1), p.WardA, SupervisionKind.SuspendedSentence),
                     (new(2026, 1, 1), new(2026, 6, 1), p.WardB, null),
                     (new(2024, 6, 1), new(2027, 3, 1), p.WardA, SupervisionKind.CommuneEducation)
                 })
        {
            await using var session = app.Store.QuerySession("demo");
            var lines = await StatisticsQueries.LinesAsync(session, auditor, from, to, ward, kind, default);
            var relevant = folds.Values.Where(f => kind is null || f.Kind == kind).ToList();
            lines.Select(l => l.Month).ShouldBe(Months(from, to), "one line per month of the range");
            if (first)
            {
                // The widest range must hold every kind of figure, or an empty projection (and an oracle fed no events)
                // would agree on zeros.
                first = false;
                foreach (var (figure, total) in new (string, int)[]
                         {
                             ("opened", lines.Sum(l => l.Opened)), ("reviews held", lines.Sum(l => l.ReviewsHeld)),
                             ("violations", lines.Sum(l => l.Violations)), ("released", lines.Sum(l => l.ReleasedTermCompleted)),
                             ("revoked", lines.Sum(l => l.Revoked)), ("closed", lines.Sum(l => l.Closed)),
                             ("transfers out", lines.Sum(l => l.TransfersOut)), ("active at month end", lines.Sum(l => l.ActiveAtMonthEnd)),
                             ("reviews due", lines.Sum(l => l.ReviewsDue))
                         })
                    total.ShouldBePositive($"{figure} in ward A, 2024-01 to 2026-12");
            }

            foreach (var line in lines)
            {
                var month = DateOnly.ParseExact(line.Month + "-01", "yyyy-MM-dd");
                int Count(string figure) => relevant.Sum(f => f.Counted.Count(c => c.Figure == figure && c.Month == month && c.Ward == ward));
                line.Opened.ShouldBe(Count("Opened"), $"opened {line.Month}");
                line.ReviewsHeld.ShouldBe(Count("ReviewsHeld"), $"reviews held {line.Month}");
                line.Violations.ShouldBe(Count("Violations"), $"violations {line.Month}");
                line.ReleasedTermCompleted.ShouldBe(Count("ReleasedTermCompleted"), $"released {line.Month}");
                line.Revoked.ShouldBe(Count("Revoked"), $"revoked {line.Month}");
                line.Closed.ShouldBe(Count("Closed"), $"closed {line.Month}");
                line.TransfersIn.ShouldBe(Count("TransfersIn"), $"transfers in {line.Month}");
                line.TransfersOut.ShouldBe(Count("TransfersOut"), $"transfers out {line.Month}");
                line.ActiveAtMonthEnd.ShouldBe(relevant.Count(f => ActiveAtEndOf(f, month) && WardIn(f, month) == ward), $"active at end of {line.Month}");
                var stop = (Fold f) => M(f.Ended is { } e && e < f.End ? e : f.End);
                line.ReviewsDue.ShouldBe(relevant.Count(f => M(f.Start) <= month && month <= stop(f) && WardIn(f, month) == ward), $"reviews due {line.Month}");
            }
        }
    }

    private static List<string> Months(DateOnly from, DateOnly to)
    {
        var months = new List<string>();
        for (var m = from; m <= to; m = m.AddMonths(1)) months.Add(m.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture));
        return months;
    }

    [Fact]
    public async Task caseload_equals_the_oracle_for_every_dimension()
    {
        var folds = FoldAll(await RawEvents()).Values.Where(f => f.Ended is null).ToList();
        // Enough unfinished cases of each sort that a projection which lost them (or an oracle fed nothing) fails.
        folds.Count(f => f.Org is not null).ShouldBeGreaterThan(10);
        folds.Count(f => f.Pending).ShouldBePositive("pending releases");
        var auditor = await LoadActor(p.Auditor.Id);
        var clock = app.Host.Services.GetRequiredService<CaseClock>();
        var today = clock.Today;
        var grace = clock.Settings.ReviewGraceDays;
        foreach (var dimension in Enum.GetValues<CaseloadDimension>())
        {
            await using var session = app.Store.QuerySession("demo");
            var lines = await CaseloadQueries.LinesAsync(session, auditor, dimension, clock, new CaseloadSettings(), default);
            Guid? KeyOf(Fold f) => dimension switch
            {
                CaseloadDimension.Ward => f.Wards[^1].Ward, CaseloadDimension.Organisation => f.Org,
                CaseloadDimension.Mentor => f.Mentor, _ => f.Supervisor
            };
            var groups = folds.Where(f => KeyOf(f) is not null).GroupBy(f => KeyOf(f)!.Value).ToList();
            groups.ShouldNotBeEmpty($"{dimension}: the oracle has groups");
            lines.Sum(l => l.ActiveCases).ShouldBeGreaterThanOrEqualTo(groups.Sum(g => g.Count()), $"{dimension}: the projection has them");
            foreach (var group in groups)
            {
                var line = lines.SingleOrDefault(l => l.Key == group.Key);
                line.ShouldNotBeNull($"{dimension} {group.Key}");
                // Only this class's cases are in ward A/B and org A; other classes use other wards.
                line.ActiveCases.ShouldBe(group.Count(), $"{dimension} active");
                line.PendingReleases.ShouldBe(group.Count(f => f.Pending), $"{dimension} pending");
                line.OverLimit.ShouldBe(dimension == CaseloadDimension.Mentor && group.Count() > new CaseloadSettings().MentorLimit, $"{dimension} over limit");
                line.TermEndedNotReleased.ShouldBe(group.Count(f => today > f.End), $"{dimension} term ended");
                line.OverdueReviews.ShouldBe(group.Count(f =>
                {
                    var startMonth = M(f.Start);
                    var next = f.LastPeriod is null ? startMonth : DateOnly.ParseExact(f.LastPeriod + "-01", "yyyy-MM-dd").AddMonths(1);
                    if (next < startMonth) next = startMonth;
                    return next <= f.End && today > next.AddMonths(1).AddDays(-1).AddDays(grace);
                }), $"{dimension} overdue");
            }
        }
    }

    [Fact]
    public async Task a_rebuild_gives_the_same_projections()
    {
        async Task<(string, string)> Snapshot()
        {
            await using var session = app.Store.QuerySession("demo");
            var rows = await session.Query<StatisticsRow>().Where(r => r.WardId == p.WardA || r.WardId == p.WardB).ToListAsync();
            var members = await session.Query<CaseloadMember>().Where(m => m.WardId == p.WardA || m.WardId == p.WardB || m.OrganisationId == p.OrgA).ToListAsync();
            return (System.Text.Json.JsonSerializer.Serialize(rows.OrderBy(r => r.Id, StringComparer.Ordinal)),
                System.Text.Json.JsonSerializer.Serialize(members.OrderBy(m => m.Id)));
        }

        var before = await Snapshot();
        var daemon = app.Host.Services.GetRequiredService<IProjectionCoordinator>().DaemonForMainDatabase();
        await daemon.RebuildProjectionAsync(nameof(StatisticsProjection), TimeSpan.FromMinutes(2), default);
        await daemon.RebuildProjectionAsync(nameof(CaseloadProjection), TimeSpan.FromMinutes(2), default);
        // A rebuild through the running daemon leaves the shards stopped: start them again for the classes after this one.
        foreach (var shard in new[] { $"{nameof(StatisticsProjection)}:All", $"{nameof(CaseloadProjection)}:All" })
            await daemon.StartAgentAsync(shard, default);
        await app.Host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(60));
        (await Snapshot()).ShouldBe(before);
    }

    /// <summary>
    /// The summaries' batch rebuild (CaseSummaryRebuild: Marten's aggregator over each stream, rows written by COPY)
    /// writes every column of every row as Marten's own rebuild of the inline projection does: the data, the revision,
    /// the duplicated status and kind, the type. (Not byte for byte as written inline: an appended event's timestamp is
    /// held to 100 ns in memory and stored to the microsecond, so any rebuild reads it a tenth of a microsecond shorter.)
    /// The table holds this class's cases and every earlier test's of the collection.
    /// </summary>
    [Fact]
    public async Task the_summaries_batch_rebuild_writes_every_column_as_martens_rebuild_does()
    {
        var daemon = app.Host.Services.GetRequiredService<IProjectionCoordinator>().DaemonForMainDatabase();
        await daemon.RebuildProjectionAsync(nameof(CaseSummary), TimeSpan.FromMinutes(2), default);
        var before = await SummaryRows();
        before.Count.ShouldBeGreaterThanOrEqualTo(cases.Count);
        var events = await new CaseSummaryRebuild(app.Store).RebuildAsync(app.Store.Storage.Database, null, default);
        events.ShouldBeGreaterThan(before.Count);
        (await SummaryRows()).ShouldBe(before);
    }

    /// <summary>
    /// A case written while the summaries are rebuilt (the app was not stopped) makes a later batch's COPY meet its row:
    /// the rebuild stops with that duplicate key, not with the other worker's cancellation, and a second run repairs all.
    /// </summary>
    [Fact]
    public async Task a_summary_written_during_the_rebuild_stops_it_with_the_duplicate_key_and_a_rerun_repairs_it()
    {
        // Rebuilt once first: rows written inline hold timestamps to 100 ns, rebuilt ones to the microsecond.
        await new CaseSummaryRebuild(app.Store).RebuildAsync(app.Store.Storage.Database, null, default);
        var before = await SummaryRows();
        var schema = app.Store.Options.DatabaseSchemaName;
        var written = 0;
        // After the first batch, the last stream (the last batch: dozens of batches of five) gets a row, as an inline write would.
        void WriteOneMeanwhile(long _)
        {
            if (Interlocked.Exchange(ref written, 1) == 1) return;
            using var conn = app.Store.Storage.Database.CreateConnection();
            conn.Open();
            using var cmd = new Npgsql.NpgsqlCommand(
                $"insert into {schema}.mt_doc_casesummary (tenant_id, id, data, mt_version) " +
                $"select tenant_id, id, '{{}}'::jsonb, 0 from {schema}.mt_streams order by tenant_id desc, id desc limit 1", conn);
            cmd.ExecuteNonQuery().ShouldBe(1);
        }

        var failed = await Should.ThrowAsync<Npgsql.PostgresException>(() =>
            new CaseSummaryRebuild(app.Store, batchStreams: 5).RebuildAsync(app.Store.Storage.Database, WriteOneMeanwhile, default));
        failed.SqlState.ShouldBe(Npgsql.PostgresErrorCodes.UniqueViolation);

        await new CaseSummaryRebuild(app.Store, batchStreams: 5).RebuildAsync(app.Store.Storage.Database, null, default);
        (await SummaryRows()).ShouldBe(before);
    }

    /// <summary>Every column of every case summary row in the collection's schema, in key order.</summary>
    private async Task<List<string>> SummaryRows()
    {
        await using var conn = app.Store.Storage.Database.CreateConnection();
        await conn.OpenAsync();
        await using var cmd = new Npgsql.NpgsqlCommand(
            "select concat_ws('|', tenant_id, id, mt_version, status, kind, mt_dotnet_type, data::text) " +
            $"from {app.Store.Options.DatabaseSchemaName}.mt_doc_casesummary order by tenant_id, id", conn);
        var rows = new List<string>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync()) rows.Add(reader.GetString(0));
        return rows;
    }

    private async Task<Actor> LoadActor(Guid userId)
    {
        await using var session = app.Store.QuerySession();
        return Actor.From((await session.LoadAsync<User>(userId))!);
    }
}
