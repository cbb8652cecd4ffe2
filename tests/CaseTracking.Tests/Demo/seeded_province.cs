using CaseTracking.Access;
using CaseTracking.Cases;
using CaseTracking.Demo;
using CaseTracking.Tests.Infrastructure;
using Marten;
using Microsoft.Extensions.DependencyInjection;
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
