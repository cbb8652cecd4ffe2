using System.Globalization;
using CaseTracking.Tests.Infrastructure;
using CsvHelper;
using CsvHelper.Configuration;
using Marten.Events;

namespace CaseTracking.Tests.Projections;

[Collection(AppCollection.Name)]
public sealed class alerts_and_queries(AppFixture app) : IAsyncLifetime
{
    private TestProvince p = null!;

    public async Task InitializeAsync() => p = await TestProvince.CreateAsync(app);

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<T> At<T>(DateTimeOffset when, Func<Task<T>> act)
    {
        var saved = app.Clock.GetUtcNow();
        app.Clock.SetUtcNow(when);
        try { return await act(); }
        finally { app.Clock.SetUtcNow(saved); }
    }

    /// <summary>A supervisor signed in at that moment (a token from later is not yet valid then).</summary>
    private async Task<Api> SupervisorAt() => new(app.Host, await Api.TokenAsync(app.Host, p.SupervisorA.Username, TestProvince.Password));

    private async Task<string[]> FlagsOf(Guid caseId, DateTimeOffset when) => await At(when, async () =>
        (await (await SupervisorAt()).Get($"/api/cases/{caseId}")).Body.GetProperty("flags").EnumerateArray().Select(f => f.GetString()!).ToArray());

    [Fact]
    public async Task a_review_becomes_overdue_exactly_after_the_grace_days()
    {
        var caseId = await p.OpenAssignedCaseAsync(new DateOnly(2026, 3, 1), new DateOnly(2027, 2, 28));
        (await p.ReviewerA.Api.Post($"/api/cases/{caseId}/reviews", TestProvince.Review("2026-03"))).Status.ShouldBe(201);
        // April is due by 30 April; 10 grace days: overdue from 11 May.
        (await FlagsOf(caseId, new DateTimeOffset(2026, 5, 10, 12, 0, 0, TimeSpan.Zero))).ShouldNotContain("ReviewOverdue");
        (await FlagsOf(caseId, new DateTimeOffset(2026, 5, 11, 12, 0, 0, TimeSpan.Zero))).ShouldContain("ReviewOverdue");
        var alerts = await At(new DateTimeOffset(2026, 5, 11, 12, 0, 0, TimeSpan.Zero), async () => await (await SupervisorAt()).Get("/api/alerts?kind=ReviewOverdue"));
        alerts.Body.EnumerateArray().ShouldContain(a => a.GetProperty("caseId").GetGuid() == caseId);
    }

    [Fact]
    public async Task a_term_ended_case_shows_the_day_after_its_end_and_leaves_when_released()
    {
        var caseId = await p.OpenAssignedCaseAsync(new DateOnly(2025, 6, 1), new DateOnly(2026, 5, 31));
        (await FlagsOf(caseId, new DateTimeOffset(2026, 5, 31, 12, 0, 0, TimeSpan.Zero))).ShouldNotContain("TermEnded");
        (await FlagsOf(caseId, new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero))).ShouldContain("TermEnded");
        var listed = await p.SupervisorA.Api.Get("/api/alerts?kind=TermEnded");
        listed.Body.EnumerateArray().ShouldContain(a => a.GetProperty("caseId").GetGuid() == caseId);

        (await p.SupervisorA.Api.Post($"/api/cases/{caseId}/release/recommend", new { grounds = "TermCompleted", note = "x" })).Status.ShouldBe(200);
        (await p.SupervisorA2.Api.Post($"/api/cases/{caseId}/release/approve", new { decisionNumber = "8/QĐ", effectiveOn = "2026-06-01" })).Status.ShouldBe(200);
        (await p.SupervisorA.Api.Get("/api/alerts?kind=TermEnded")).Body.EnumerateArray().ShouldNotContain(a => a.GetProperty("caseId").GetGuid() == caseId);
    }

    [Fact]
    public async Task good_progress_is_noticed_as_early_release_eligible()
    {
        var caseId = await p.OpenAssignedCaseAsync(new DateOnly(2025, 1, 1), new DateOnly(2026, 12, 31));
        foreach (var period in new[] { "2026-01", "2026-02", "2026-03" })
            (await p.ReviewerA.Api.Post($"/api/cases/{caseId}/reviews", TestProvince.Review(period))).Status.ShouldBe(201);
        (await FlagsOf(caseId, app.Clock.GetUtcNow())).ShouldContain("EarlyReleaseEligible");
        (await p.SupervisorA.Api.Post($"/api/cases/{caseId}/violations", new { severity = "Serious", description = "x", occurredOn = "2026-06-01" })).Status.ShouldBe(200);
        (await FlagsOf(caseId, app.Clock.GetUtcNow())).ShouldNotContain("EarlyReleaseEligible");
    }

    [Fact]
    public async Task the_case_list_pages_and_filters()
    {
        var ids = new List<Guid>();
        for (var i = 0; i < 5; i++) ids.Add(await p.OpenAssignedCaseAsync());
        var open = await p.OpenCaseAsync(kind: CaseTracking.Cases.SupervisionKind.NonCustodialReform);
        var page1 = await p.SupervisorA.Api.Get($"/api/cases?wardId={p.WardA}&pageSize=4&page=1");
        var page2 = await p.SupervisorA.Api.Get($"/api/cases?wardId={p.WardA}&pageSize=4&page=2");
        page1.Body.GetProperty("total").GetInt64().ShouldBe(6);
        var seen = page1.Body.GetProperty("items").EnumerateArray().Concat(page2.Body.GetProperty("items").EnumerateArray())
            .Select(i => i.GetProperty("case").GetProperty("id").GetGuid()).ToList();
        seen.ShouldBe([.. ids, open], ignoreOrder: true);
        (await p.SupervisorA.Api.Get($"/api/cases?wardId={p.WardA}&status=Open")).Body.GetProperty("items").EnumerateArray()
            .Select(i => i.GetProperty("case").GetProperty("id").GetGuid()).ShouldBe([open]);
        (await p.SupervisorA.Api.Get($"/api/cases?wardId={p.WardA}&kind=NonCustodialReform")).Body.GetProperty("total").GetInt64().ShouldBe(1);
        (await p.ReviewerA.Api.Get($"/api/cases?organisationId={p.OrgA}")).Body.GetProperty("total").GetInt64().ShouldBe(5);
        (await p.SupervisorA.Api.Get("/api/cases?status=Sleeping")).Status.ShouldBe(400);
    }

    [Fact]
    public async Task statistics_as_csv_parse_back_to_the_json_figures()
    {
        await p.OpenAssignedCaseAsync(new DateOnly(2026, 2, 1), new DateOnly(2027, 1, 31));
        await app.Host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        var json = await p.SupervisorA.Api.Get($"/api/statistics?from=2026-01&to=2026-06&wardId={p.WardA}");
        var csv = await p.SupervisorA.Api.Send(HttpMethod.Get, $"/api/statistics?from=2026-01&to=2026-06&wardId={p.WardA}",
            headers: new Dictionary<string, string> { ["Accept"] = "text/csv" });
        csv.Raw.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        using var reader = new CsvReader(new StringReader(csv.Text), new CsvConfiguration(CultureInfo.InvariantCulture));
        var rows = reader.GetRecords<dynamic>().Cast<IDictionary<string, object>>().ToList();
        rows.Count.ShouldBe(6);
        rows.Select(r => int.Parse((string)r["Opened"], CultureInfo.InvariantCulture))
            .ShouldBe(json.Body.EnumerateArray().Select(r => r.GetProperty("opened").GetInt32()));
        json.Body.EnumerateArray().Single(r => r.GetProperty("month").GetString() == "2026-02").GetProperty("opened").GetInt32().ShouldBe(1);
        (await p.SupervisorA.Api.Get("/api/statistics?from=2026-13")).ErrorFields.ShouldContain("from");
    }
}
