using CaseTracking.Auditing;
using CaseTracking.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CaseTracking.Tests.Auditing;

[Collection(AppCollection.Name)]
public sealed class tamper_evidence(AppFixture app) : IAsyncLifetime
{
    private TestProvince p = null!;

    public async Task InitializeAsync() => p = await TestProvince.CreateAsync(app);

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<Guid> CaseWithReviews()
    {
        var caseId = await p.OpenAssignedCaseAsync();
        foreach (var period in new[] { "2026-02", "2026-03", "2026-04" })
            (await p.ReviewerA.Api.Post($"/api/cases/{caseId}/reviews", TestProvince.Review(period))).Status.ShouldBe(201);
        return caseId;
    }

    private async Task Sql(string sql, Guid caseId)
    {
        await using var conn = new NpgsqlConnection(TestDatabase.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql.Replace("{schema}", app.Schema), conn);
        cmd.Parameters.AddWithValue("id", caseId);
        await cmd.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task an_intact_case_verifies()
    {
        var caseId = await CaseWithReviews();
        var answer = await p.Auditor.Api.Get($"/api/audit/verify/{caseId}");
        answer.Status.ShouldBe(200);
        answer.Body.GetProperty("valid").GetBoolean().ShouldBeTrue();
        answer.Body.GetProperty("events").GetInt32().ShouldBe(5);
    }

    [Fact]
    public async Task an_edited_event_is_named_by_its_version()
    {
        var caseId = await CaseWithReviews();
        await Sql("update {schema}.mt_events set data = jsonb_set(data, '{rating}', '\"Good\"'::jsonb) || '{\"summary\":\"rewritten\"}' where stream_id = @id and version = 4", caseId);
        var answer = await p.Auditor.Api.Get($"/api/audit/verify/{caseId}");
        answer.Body.GetProperty("valid").GetBoolean().ShouldBeFalse();
        answer.Body.GetProperty("firstBrokenVersion").GetInt64().ShouldBe(4);

        var all = await app.Host.Services.GetRequiredService<HashChain>().VerifyAllAsync("demo", null, default);
        all.Single(r => r.StreamId == caseId).FirstBrokenVersion.ShouldBe(4);
    }

    [Fact]
    public async Task a_deleted_last_event_is_caught_by_the_seal_even_with_an_intact_chain()
    {
        var caseId = await CaseWithReviews();
        var seals = app.Host.Services.GetRequiredService<Seals>();
        var day = DateOnly.FromDateTime(DateTime.UtcNow);
        (await seals.SealAsync("demo", day, default)).Heads[caseId].Version.ShouldBe(5);
        (await seals.CheckAsync("demo", day, default)).Valid.ShouldBeTrue();

        await Sql("delete from {schema}.mt_events where stream_id = @id and version = 5", caseId);
        (await p.Auditor.Api.Get($"/api/audit/verify/{caseId}")).Body.GetProperty("valid").GetBoolean().ShouldBeTrue("the chain alone cannot see a missing tail");
        var check = await seals.CheckAsync("demo", day, default);
        check.Valid.ShouldBeFalse();
        check.Problems.ShouldContain(x => x.Contains(caseId.ToString(), StringComparison.Ordinal) && x.Contains("missing", StringComparison.Ordinal));
    }

    [Fact]
    public async Task history_names_who_did_what_and_as_of_replays_earlier_states()
    {
        var caseId = await p.OpenAssignedCaseAsync(new DateOnly(2024, 6, 1), new DateOnly(2026, 5, 31));
        await Task.Delay(50);
        var between = DateTimeOffset.UtcNow;
        await Task.Delay(50);
        (await p.SupervisorA.Api.Post($"/api/cases/{caseId}/release/recommend", new { grounds = "TermCompleted", note = "x" })).Status.ShouldBe(200);
        (await p.SupervisorA2.Api.Post($"/api/cases/{caseId}/release/approve", new { decisionNumber = "5/QĐ", effectiveOn = "2026-06-10" })).Status.ShouldBe(200);

        var history = await p.Auditor.Api.Get($"/api/cases/{caseId}/history");
        history.Body.EnumerateArray().Select(e => (e.GetProperty("type").GetString(), e.GetProperty("user").GetString())).ShouldBe(
        [
            ("case_opened", p.SupervisorA.Username), ("case_assigned", p.SupervisorA.Username),
            ("release_recommended", p.SupervisorA.Username), ("case_released", p.SupervisorA2.Username)
        ]);
        history.Body.EnumerateArray().ShouldAllBe(e => e.GetProperty("hash").GetString()!.Length == 64);
        history.Body.EnumerateArray().ShouldAllBe(e => !string.IsNullOrWhiteSpace(e.GetProperty("userDisplayName").GetString()));
        var released = history.Body.EnumerateArray().Last().GetProperty("descriptions");
        released.GetProperty("vi").GetString().ShouldNotBe(released.GetProperty("en").GetString());
        released.GetProperty("en").GetString()!.ShouldContain("5/QĐ");

        var atVersion2 = await p.Auditor.Api.Get($"/api/cases/{caseId}/as-of?version=2");
        atVersion2.Body.GetProperty("case").GetProperty("status").GetString().ShouldBe("Active");
        atVersion2.Body.GetProperty("case").GetProperty("version").GetInt64().ShouldBe(2);
        var atTime = await p.Auditor.Api.Get($"/api/cases/{caseId}/as-of?at={Uri.EscapeDataString(between.ToString("O"))}");
        atTime.Body.GetProperty("case").GetProperty("status").GetString().ShouldBe("Active");
        var now = await p.Auditor.Api.Get($"/api/cases/{caseId}/as-of?version=4");
        now.Body.GetProperty("case").GetProperty("status").GetString().ShouldBe("Released");

        var export = await p.Auditor.Api.Get($"/api/cases/{caseId}/export");
        export.Body.GetProperty("history").GetArrayLength().ShouldBe(4);
        export.Body.GetProperty("verify").GetProperty("valid").GetBoolean().ShouldBeTrue();
    }
}
