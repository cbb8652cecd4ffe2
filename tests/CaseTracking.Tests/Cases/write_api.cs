using CaseTracking.Cases;
using Marten;
using Marten.Events;
using CaseTracking.Tests.Infrastructure;

namespace CaseTracking.Tests.Cases;

/// <summary>Every write route over real HTTP and PostgreSQL: happy path, bad input, broken rule, and what the stream holds after.</summary>
[Collection(AppCollection.Name)]
public sealed class write_api(AppFixture app) : IAsyncLifetime
{
    private TestProvince p = null!;

    public async Task InitializeAsync() => p = await TestProvince.CreateAsync(app);

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task opens_a_case_with_location_etag_and_one_event()
    {
        var person = await p.RegisterPersonAsync();
        var response = await p.SupervisorA.Api.Post("/api/cases", p.OpenCaseBody(person, new DateOnly(2026, 1, 1), new DateOnly(2027, 12, 31)));
        response.Status.ShouldBe(201, response.ToString());
        var caseId = response.Id("caseId");
        response.Raw.Headers.Location!.ToString().ShouldBe($"/api/cases/{caseId}");
        response.Version.ShouldBe(1);
        var events = await app.EventsOf(caseId);
        events.Single().Data.ShouldBeOfType<CaseOpened>().PersonId.ShouldBe(person);
        events.Single().UserName.ShouldBe(p.SupervisorA.Username);

        var read = await p.SupervisorA.Api.Get($"/api/cases/{caseId}");
        read.Status.ShouldBe(200);
        read.ETag.ShouldBe("\"1\"");
        read.Body.GetProperty("case").GetProperty("status").GetString().ShouldBe("Open");
    }

    [Theory]
    [InlineData("""{"personId":"00000000-0000-0000-0000-000000000001","kind":"Banished","wardId":"00000000-0000-0000-0000-000000000001"}""", "kind")]
    [InlineData("""{"personId":"00000000-0000-0000-0000-000000000001","kind":"SuspendedSentence","startsOn":"2026-13-45"}""", "startsOn")]
    [InlineData("""{"personId": 12""", "personId")]
    [InlineData("not json", "body")]
    public async Task malformed_open_is_400_naming_the_field(string json, string field)
    {
        var response = await p.SupervisorA.Api.PostRaw("/api/cases", json);
        response.Status.ShouldBe(400, response.ToString());
        response.ErrorFields.ShouldContain(field);
    }

    [Fact]
    public async Task missing_fields_are_each_named()
    {
        var response = await p.SupervisorA.Api.PostRaw("/api/cases", "{}");
        response.Status.ShouldBe(400);
        response.ErrorFields.ShouldBe(["personId", "kind", "wardId", "startsOn", "endsOn", "legalBasis"], ignoreOrder: true);
    }

    [Fact]
    public async Task a_term_outside_the_kind_range_is_422()
    {
        var person = await p.RegisterPersonAsync();
        var response = await p.SupervisorA.Api.Post("/api/cases", p.OpenCaseBody(person, new DateOnly(2026, 1, 1), new DateOnly(2026, 3, 1)));
        response.Status.ShouldBe(422);
        response.Code.ShouldBe("term.out-of-range");
    }

    [Fact]
    public async Task a_date_at_year_9999_is_400_and_the_statistics_keep_counting()
    {
        var person = await p.RegisterPersonAsync();
        var open = await p.SupervisorA.Api.Post("/api/cases",
            p.OpenCaseBody(person, new DateOnly(2026, 5, 1), new DateOnly(9999, 12, 31), SupervisionKind.ConditionalEarlyRelease));
        open.Status.ShouldBe(400, open.ToString());
        open.ErrorFields.ShouldBe(["endsOn"]);

        var caseId = await p.OpenAssignedCaseAsync();
        var term = await p.SupervisorA.Api.Post($"/api/cases/{caseId}/term", new { newEndsOn = "9999-12-31", decisionNumber = "1/QĐ", reason = "Extended" });
        term.Status.ShouldBe(400, term.ToString());
        term.ErrorFields.ShouldBe(["newEndsOn"]);
        var far = await p.SupervisorA.Api.Post($"/api/cases/{caseId}/term", new { newEndsOn = "2032-01-01", decisionNumber = "1/QĐ", reason = "Extended" });
        far.Status.ShouldBe(422, far.ToString());
        far.Code.ShouldBe("term.out-of-range");
        (await app.EventsOf(caseId)).Count.ShouldBe(2);

        // The projection daemon passes every event accepted so far, and counts a case opened after.
        var later = await p.OpenCaseAsync(new DateOnly(2026, 6, 1));
        await app.Host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        var stats = await p.SupervisorA.Api.Get($"/api/statistics?from=2026-06&to=2026-06&wardId={p.WardA}");
        stats.Status.ShouldBe(200, stats.ToString());
        stats.Body[0].GetProperty("opened").GetInt32().ShouldBeGreaterThanOrEqualTo(1, later.ToString());
    }

    [Fact]
    public async Task a_case_is_opened_only_in_the_persons_own_ward()
    {
        var person = await p.RegisterPersonAsync(p.WardA);
        var body = p.OpenCaseBody(person, new DateOnly(2026, 1, 1), new DateOnly(2027, 12, 31));
        var json = System.Text.Json.JsonSerializer.SerializeToNode(body, CaseTracking.Infrastructure.Json.Options)!;
        json["wardId"] = p.WardB.ToString();
        var response = await p.SupervisorB.Api.PostRaw("/api/cases", json.ToJsonString());
        response.Status.ShouldBe(422, response.ToString());
        response.Code.ShouldBe("case.person-in-other-ward");
    }

    [Fact]
    public async Task the_recommender_cannot_reject_but_withdraws()
    {
        var caseId = await p.OpenAssignedCaseAsync(new DateOnly(2023, 1, 1), new DateOnly(2025, 12, 31));
        var recommend = await p.SupervisorA.Api.Post($"/api/cases/{caseId}/release/recommend", new { grounds = "TermCompleted", note = "Hết thời hạn" });
        recommend.Status.ShouldBe(200, recommend.ToString());

        var reject = await p.SupervisorA.Api.Post($"/api/cases/{caseId}/release/reject", new { reason = "Tự từ chối" });
        reject.Status.ShouldBe(422);
        reject.Code.ShouldBe("release.same-rejecter");

        var other = await p.ReviewerA2.Api.Post($"/api/cases/{caseId}/release/withdraw", new { reason = "x" });
        other.Status.ShouldBe(404, "another organisation's reviewer does not see the case");

        var withdraw = await p.SupervisorA.Api.Post($"/api/cases/{caseId}/release/withdraw", new { reason = "Chờ thêm một kỳ đánh giá" });
        withdraw.Status.ShouldBe(200, withdraw.ToString());
        (await app.EventsOf(caseId)).Last().Data.ShouldBeOfType<ReleaseRecommendationWithdrawn>().WithdrawnBy.ShouldBe(p.SupervisorA.Id);
        var read = await p.SupervisorA.Api.Get($"/api/cases/{caseId}");
        read.Body.GetProperty("case").GetProperty("status").GetString().ShouldBe("Active");
    }

    [Fact]
    public async Task logs_a_review_and_rejects_a_second_for_the_same_period()
    {
        var caseId = await p.OpenAssignedCaseAsync();
        var first = await p.ReviewerA.Api.Post($"/api/cases/{caseId}/reviews", TestProvince.Review("2026-05"));
        first.Status.ShouldBe(201, first.ToString());
        first.Version.ShouldBe(3);
        first.Id("reviewId").ShouldNotBe(Guid.Empty);

        var second = await p.ReviewerA.Api.Post($"/api/cases/{caseId}/reviews", TestProvince.Review("2026-05", "Poor"));
        second.Status.ShouldBe(422);
        second.Code.ShouldBe("review.period-duplicate");
        (await app.EventsOf(caseId)).Count.ShouldBe(3);
    }

    [Fact]
    public async Task a_stale_if_match_is_409_and_appends_nothing()
    {
        var caseId = await p.OpenAssignedCaseAsync();
        var stale = await p.ReviewerA.Api.Post($"/api/cases/{caseId}/reviews", TestProvince.Review("2026-04"),
            new Dictionary<string, string> { ["If-Match"] = "\"1\"" });
        stale.Status.ShouldBe(409, stale.ToString());
        (await app.EventsOf(caseId)).Count.ShouldBe(2);

        var fresh = await p.ReviewerA.Api.Post($"/api/cases/{caseId}/reviews", TestProvince.Review("2026-04"),
            new Dictionary<string, string> { ["If-Match"] = "\"2\"" });
        fresh.Status.ShouldBe(201);
    }

    [Fact]
    public async Task an_unknown_case_with_if_match_is_404_not_409()
    {
        var response = await p.ReviewerA.Api.Post($"/api/cases/{Guid.CreateVersion7()}/reviews", TestProvince.Review("2026-04"),
            new Dictionary<string, string> { ["If-Match"] = "\"5\"" });
        response.Status.ShouldBe(404);
    }

    [Fact]
    public async Task an_idempotent_repeat_returns_the_first_answer_and_appends_nothing()
    {
        var caseId = await p.OpenAssignedCaseAsync();
        var key = new Dictionary<string, string> { ["Idempotency-Key"] = Guid.NewGuid().ToString() };
        var body = TestProvince.Review("2026-03");
        var first = await p.ReviewerA.Api.Post($"/api/cases/{caseId}/reviews", body, key);
        var again = await p.ReviewerA.Api.Post($"/api/cases/{caseId}/reviews", body, key);
        first.Status.ShouldBe(201);
        again.Status.ShouldBe(201);
        again.Body.GetProperty("reviewId").GetGuid().ShouldBe(first.Id("reviewId"));
        (await app.EventsOf(caseId)).Count.ShouldBe(3);

        var reused = await p.ReviewerA.Api.Post($"/api/cases/{caseId}/reviews", TestProvince.Review("2026-02"), key);
        reused.Status.ShouldBe(422);
        reused.Code.ShouldBe("idempotency.key-reused");
    }

    [Fact]
    public async Task concurrent_idempotent_repeats_append_once()
    {
        var caseId = await p.OpenAssignedCaseAsync();
        var key = new Dictionary<string, string> { ["Idempotency-Key"] = Guid.NewGuid().ToString() };
        var body = TestProvince.Review("2026-01");
        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => p.ReviewerA.Api.Post($"/api/cases/{caseId}/reviews", body, key)));
        answers.ShouldAllBe(a => a.Status == 201, string.Join("\n", answers.Select(a => a.ToString())));
        answers.Select(a => a.Id("reviewId")).Distinct().Count().ShouldBe(1);
        (await app.EventsOf(caseId)).Count.ShouldBe(3);
    }

    [Fact]
    public async Task fifty_concurrent_reviews_lose_nothing_and_double_nothing()
    {
        var caseId = await p.OpenAssignedCaseAsync(new DateOnly(2020, 1, 1), new DateOnly(2024, 12, 31));
        var periods = Enumerable.Range(0, 50).Select(i => new DateOnly(2020, 1, 1).AddMonths(i).ToString("yyyy-MM")).ToList();
        var answers = await Task.WhenAll(periods.Select(period => p.ReviewerA.Api.Post($"/api/cases/{caseId}/reviews", TestProvince.Review(period))));
        answers.ShouldAllBe(a => a.Status == 201 || a.Status == 409);
        var accepted = answers.Count(a => a.Status == 201);
        accepted.ShouldBeGreaterThan(0);
        var reviews = (await app.EventsOf(caseId)).Select(e => e.Data).OfType<ReviewLogged>().ToList();
        reviews.Count.ShouldBe(accepted);
        reviews.Select(r => r.Period).Distinct().Count().ShouldBe(accepted);
    }

    [Fact]
    public async Task release_needs_two_different_supervisors()
    {
        var caseId = await p.OpenAssignedCaseAsync(new DateOnly(2024, 6, 1), new DateOnly(2026, 5, 31));
        var recommend = await p.SupervisorA.Api.Post($"/api/cases/{caseId}/release/recommend", new { grounds = "TermCompleted", note = "Hết thời hạn" });
        recommend.Status.ShouldBe(200, recommend.ToString());

        var self = await p.SupervisorA.Api.Post($"/api/cases/{caseId}/release/approve", new { decisionNumber = "12/QĐ", effectiveOn = "2026-06-15" });
        self.Status.ShouldBe(422);
        self.Code.ShouldBe("release.same-approver");

        var other = await p.SupervisorA2.Api.Post($"/api/cases/{caseId}/release/approve", new { decisionNumber = "12/QĐ", effectiveOn = "2026-06-15" },
            new Dictionary<string, string> { ["If-Match"] = $"\"{recommend.Version}\"" });
        other.Status.ShouldBe(200, other.ToString());
        var released = (await app.EventsOf(caseId)).Last().Data.ShouldBeOfType<CaseReleased>();
        released.ApprovedBy.ShouldBe(p.SupervisorA2.Id);
        released.RecommendedBy.ShouldBe(p.SupervisorA.Id);
        released.ApprovedAtVersion.ShouldBe(recommend.Version);

        var after = await p.SupervisorA.Api.Post($"/api/cases/{caseId}/violations", new { severity = "Minor", description = "x", occurredOn = "2026-06-01" });
        after.Status.ShouldBe(422);
        after.Code.ShouldBe("case.terminal");
    }

    [Fact]
    public async Task every_other_write_route_works_end_to_end()
    {
        var caseId = await p.OpenAssignedCaseAsync();
        (await p.ReviewerA.Api.Post($"/api/cases/{caseId}/progress", new { area = "Employment", direction = "Improved", note = "Có việc làm ổn định", recordedOn = "2026-06-01" })).Status.ShouldBe(200);
        (await p.SupervisorA.Api.Post($"/api/cases/{caseId}/violations", new { severity = "Minor", description = "Vắng mặt buổi họp", occurredOn = "2026-06-02" })).Status.ShouldBe(200);
        (await p.SupervisorA.Api.Post($"/api/cases/{caseId}/term", new { newEndsOn = "2027-12-31", decisionNumber = "7/QĐ-TA", reason = "Extended" })).Status.ShouldBe(200);
        (await p.ReviewerA.Api.Post($"/api/cases/{caseId}/release/recommend", new { grounds = "TermCompleted", note = "x" })).Code.ShouldBe("release.term-not-completed");
        (await p.SupervisorA.Api.Post($"/api/cases/{caseId}/release/reject", new { reason = "x" })).Code.ShouldBe("release.none-pending");
        var transfer = await p.SupervisorA.Api.Post($"/api/cases/{caseId}/transfer", new { toWardId = p.WardB, reason = "Chuyển nơi cư trú" });
        transfer.Status.ShouldBe(200, transfer.ToString());
        (await p.SupervisorA.Api.Get($"/api/cases/{caseId}")).Status.ShouldBe(404);
        var summary = await p.SupervisorB.Api.Get($"/api/cases/{caseId}");
        summary.Body.GetProperty("case").GetProperty("status").GetString().ShouldBe("Open");
        summary.Body.GetProperty("case").TryGetProperty("organisationId", out _).ShouldBeFalse();
        var close = await p.SupervisorB.Api.Post($"/api/cases/{caseId}/close", new { reason = "Other", note = "Chuyển đi nước ngoài" });
        close.Status.ShouldBe(200);
        (await app.EventsOf(caseId)).Select(e => e.Data.GetType().Name).ShouldBe(
            ["CaseOpened", "CaseAssigned", "ProgressRecorded", "ViolationRecorded", "TermChanged", "CaseTransferred", "CaseClosed"]);
    }

    [Fact]
    public async Task revoke_is_terminal()
    {
        var caseId = await p.OpenAssignedCaseAsync();
        (await p.SupervisorA.Api.Post($"/api/cases/{caseId}/revoke", new { decisionNumber = "3/QĐ", reason = "Vi phạm nghiêm trọng" })).Status.ShouldBe(200);
        (await p.ReviewerA.Api.Post($"/api/cases/{caseId}/reviews", TestProvince.Review("2026-05"))).Code.ShouldBe("case.terminal");
    }

    [Fact]
    public async Task concurrent_openings_for_one_person_and_kind_leave_one_active_case()
    {
        var person = await p.RegisterPersonAsync();
        var body = p.OpenCaseBody(person, new DateOnly(2026, 1, 1), new DateOnly(2027, 12, 31));
        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => p.SupervisorA.Api.Post("/api/cases", body)));
        answers.Count(a => a.Status == 201).ShouldBe(1, string.Join("\n", answers.Select(a => a.ToString())));
        answers.Where(a => a.Status != 201).ShouldAllBe(a => a.Status == 422 && a.Code == "case.duplicate-active");
        await using var session = app.Store.QuerySession("demo");
        (await Marten.QueryableExtensions.CountAsync(session.Query<CaseSummary>().Where(s => s.PersonId == person))).ShouldBe(1);
    }

    [Fact]
    public async Task a_second_person_with_the_same_national_id_is_409_naming_the_first()
    {
        var body = new { fullName = "Nguyễn Văn A", dateOfBirth = "1990-01-01", nationalId = "0" + Random.Shared.NextInt64(10_000_000_000, 99_999_999_999), address = "Số 1", wardId = p.WardA };
        var first = await p.SupervisorA.Api.Post("/api/people", body);
        first.Status.ShouldBe(201);
        var second = await p.SupervisorA.Api.Post("/api/people", body);
        second.Status.ShouldBe(409);
        second.Body.GetProperty("conflict").GetProperty("personId").GetGuid().ShouldBe(first.Id("personId"));
    }
}
