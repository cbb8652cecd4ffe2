using CaseTracking.Access;
using CaseTracking.Auditing;
using CaseTracking.Cases;
using CaseTracking.Demo;
using CaseTracking.Tests.Infrastructure;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Case = CaseTracking.Cases.Case;

namespace CaseTracking.Tests.Demo;

/// <summary>
/// The seeder writes by COPY and folds the summaries itself (no inline projection runs): a seeded case must
/// then behave exactly like one written through the API. Own fixture: the seeded province stays out of the
/// shared one.
/// </summary>
public sealed class seeded_province(SeededProvince province) : IClassFixture<SeededProvince>
{
    private readonly AppFixture app = province.App;
    private SeedReport report => province.Report;

    [Fact]
    public async Task every_case_has_its_summary_at_the_stream_version()
    {
        report.Events.ShouldBeGreaterThan(report.Cases * 2);
        await using var session = app.Store.QuerySession(Seeder.Tenant);
        var summaries = await session.Query<CaseSummary>().ToListAsync();
        summaries.Count.ShouldBe(60);
        foreach (var summary in summaries)
        {
            var events = await session.Events.FetchStreamAsync(summary.Id);
            summary.Version.ShouldBe(events.Count);
            summary.ReviewCount.ShouldBe(events.Count(e => e.Data is ReviewLogged));
        }

    }

    [Fact]
    public async Task a_seeded_case_takes_a_review_with_if_match_and_refuses_a_stale_one()
    {
        var today = app.Host.Services.GetRequiredService<CaseClock>().Today;
        CaseSummary summary;
        User reviewer;
        await using (var session = app.Store.QuerySession(Seeder.Tenant))
        {
            var active = await session.Query<CaseSummary>().Where(s => s.Status == CaseStatus.Active).ToListAsync();
            summary = active.First(s => FreePeriod(s, today) is not null);
            await using var global = app.Store.QuerySession();
            reviewer = (await global.Query<User>().Where(u => u.Role == Role.Reviewer).ToListAsync())
                .First(u => u.OrganisationId == summary.OrganisationId);
        }

        var api = new Api(app.Host, await Api.TokenAsync(app.Host, reviewer.Username, DemoProvince.DemoPassword));
        var body = new { period = FreePeriod(summary, today), heldOn = today, rating = "Good", summary = "Chấp hành tốt" };
        var stale = new Dictionary<string, string> { ["If-Match"] = $"\"{summary.Version - 1}\"" };
        (await api.Post($"/api/cases/{summary.Id}/reviews", body, stale)).Status.ShouldBe(409);

        var current = new Dictionary<string, string> { ["If-Match"] = $"\"{summary.Version}\"" };
        var logged = await api.Post($"/api/cases/{summary.Id}/reviews", body, current);
        logged.Status.ShouldBe(201, logged.ToString());
        logged.Version.ShouldBe(summary.Version + 1);

        await using var after = app.Store.QuerySession(Seeder.Tenant);
        (await after.Events.AggregateStreamAsync<Case>(summary.Id))!.Reviews.ShouldContainKey(body.period!);
        (await after.LoadAsync<CaseSummary>(summary.Id))!.Version.ShouldBe(summary.Version + 1);
    }

    [Fact]
    public async Task the_set_based_chain_verifies_is_the_chain_the_trigger_writes_and_catches_an_edit()
    {
        var chain = app.Host.Services.GetRequiredService<HashChain>();
        var all = await chain.VerifyAllAsync(Seeder.Tenant, null, default);
        all.Count.ShouldBe(60);
        all.ShouldAllBe(r => r.Valid);
        var longest = all.OrderByDescending(r => r.Events).First();
        longest.Events.ShouldBeGreaterThan(3);

        // Inside a transaction that is rolled back: the seeded stream's events inserted again without their hashes, so
        // the trigger chains them row by row, must carry exactly the hashes the set-based load wrote.
        await using var conn = new NpgsqlConnection(TestDatabase.ConnectionString);
        await conn.OpenAsync();
        await using var tx = await conn.BeginTransactionAsync();
        async Task<List<(long Version, string? Prev, string? Hash)>> Chain()
        {
            await using var cmd = new NpgsqlCommand($"select version, headers ->> 'prevHash', headers ->> 'hash' from {app.Schema}.mt_events " +
                "where tenant_id = 'demo' and stream_id = @id order by version", conn, tx);
            cmd.Parameters.AddWithValue("id", longest.StreamId);
            await using var reader = await cmd.ExecuteReaderAsync();
            var rows = new List<(long, string?, string?)>();
            while (await reader.ReadAsync()) rows.Add((reader.GetInt64(0), reader.GetString(1), reader.GetString(2)));
            return rows;
        }

        async Task Execute(string sql)
        {
            await using var cmd = new NpgsqlCommand(sql.Replace("{schema}", app.Schema), conn, tx);
            cmd.Parameters.AddWithValue("id", longest.StreamId);
            await cmd.ExecuteNonQueryAsync();
        }

        var setBased = await Chain();
        await Execute("""
            create temp table seeded on commit drop as select * from {schema}.mt_events where tenant_id = 'demo' and stream_id = @id;
            delete from {schema}.mt_events where tenant_id = 'demo' and stream_id = @id;
            insert into {schema}.mt_events
            select (jsonb_populate_record(s, jsonb_build_object('headers', s.headers - 'prevHash' || '{"hash": "forged"}'))).*
              from seeded s order by version;
            """);
        (await Chain()).ShouldBe(setBased, "outside a bulk load the trigger chains every row itself, whatever hash it carries");

        // An edit to a set-based chained event is named by its version.
        await Execute("update {schema}.mt_events set data = data || '{\"note\":\"rewritten\"}' where tenant_id = 'demo' and stream_id = @id and version = 2");
        await using var verify = new NpgsqlCommand(chain.VerifySql, conn, tx);
        verify.Parameters.AddWithValue("id", longest.StreamId);
        verify.Parameters.AddWithValue("tenant", Seeder.Tenant);
        await using var rows = await verify.ExecuteReaderAsync();
        var broken = new List<long>();
        while (await rows.ReadAsync()) if (!rows.GetBoolean(3)) broken.Add(rows.GetInt64(0));
        broken.ShouldBe([2L]);
    }

    /// <summary>A month of the term, up to this one, with no review yet.</summary>
    private static string? FreePeriod(CaseSummary s, DateOnly today)
    {
        for (var month = new DateOnly(s.StartsOn.Year, s.StartsOn.Month, 1); month <= today && month <= s.EndsOn; month = month.AddMonths(1))
        {
            var period = month.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);
            if (!s.Ratings.ContainsKey(period)) return period;
        }

        return null;
    }
}

/// <summary>A host of its own with a small seeded province (60 cases in batches of 25, so several COPY batches).</summary>
public sealed class SeededProvince : IAsyncLifetime
{
    public AppFixture App { get; } = new();

    public SeedReport Report { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await App.InitializeAsync();
        Report = await App.Host.Services.GetRequiredService<Seeder>().SeedAsync(60, 7, 3, 25, null, default);
    }

    public Task DisposeAsync() => App.DisposeAsync();
}
