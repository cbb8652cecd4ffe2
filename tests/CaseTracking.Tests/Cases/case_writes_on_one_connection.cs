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
/// two, many concurrent writes still all get their answer. A write that held its connection and asked the pool for
/// another would wait for the pool's timeout and answer 503 (checked: a second session inside the case path, 20 × 503).
/// The lost race's replay on the same connection is run by <c>write_api.concurrent_idempotent_repeats_append_once</c>.
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
}
