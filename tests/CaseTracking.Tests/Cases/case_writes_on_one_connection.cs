using CaseTracking.Cases;
using CaseTracking.Tests.Infrastructure;

namespace CaseTracking.Tests.Cases;

/// <summary>A host whose Marten pool holds two connections: a write that holds one and asks for another would wait on its neighbours.</summary>
public sealed class TwoConnectionFixture : AppFixture
{
    protected override IReadOnlyDictionary<string, string> Settings =>
        new Dictionary<string, string>(base.Settings) { ["CaseTracking:MaxPoolSize"] = "2" };
}

/// <summary>
/// A case write runs on one connection of its own (ADR 0013) and takes no second one while it holds it: with a pool of
/// two, many concurrent writes still all get their answer, the lost race included. A write that held its connection
/// and asked the pool for another would wait for the pool's timeout and answer 503.
/// </summary>
public sealed class case_writes_on_one_connection(TwoConnectionFixture app) : IClassFixture<TwoConnectionFixture>, IAsyncLifetime
{
    private TestProvince p = null!;

    public async Task InitializeAsync() => p = await TestProvince.CreateAsync(app);

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task twenty_concurrent_reviews_on_a_pool_of_two_are_each_answered()
    {
        var caseId = await p.OpenAssignedCaseAsync(new DateOnly(2020, 1, 1), new DateOnly(2024, 12, 31));
        var periods = Enumerable.Range(0, 20).Select(i => new DateOnly(2020, 1, 1).AddMonths(i).ToString("yyyy-MM")).ToList();
        var answers = await Task.WhenAll(periods.Select(period => p.ReviewerA.Api.Post($"/api/cases/{caseId}/reviews", TestProvince.Review(period))));
        answers.ShouldAllBe(a => a.Status == 201 || a.Status == 409, string.Join("\n", answers.Select(a => a.ToString())));
        var reviews = (await app.EventsOf(caseId)).Select(e => e.Data).OfType<ReviewLogged>().ToList();
        reviews.Count.ShouldBe(answers.Count(a => a.Status == 201));
    }

    [Fact]
    public async Task concurrent_repeats_of_one_review_lose_the_race_on_their_own_connection()
    {
        var caseId = await p.OpenAssignedCaseAsync();
        var key = new Dictionary<string, string> { ["Idempotency-Key"] = Guid.NewGuid().ToString() };
        var body = TestProvince.Review("2026-01");
        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => p.ReviewerA.Api.Post($"/api/cases/{caseId}/reviews", body, key)));
        answers.ShouldAllBe(a => a.Status == 201, string.Join("\n", answers.Select(a => a.ToString())));
        answers.Select(a => a.Id("reviewId")).Distinct().Count().ShouldBe(1);
        (await app.EventsOf(caseId)).Select(e => e.Data).OfType<ReviewLogged>().Count().ShouldBe(1);
    }
}
