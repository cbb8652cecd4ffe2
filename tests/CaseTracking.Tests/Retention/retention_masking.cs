using CaseTracking.Auditing;
using CaseTracking.Cases;
using CaseTracking.Retention;
using CaseTracking.Tests.Infrastructure;
using Marten;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CaseTracking.Tests.Retention;

[Collection(DataProtectionCollection.Name)]
public sealed class retention_masking(DataProtectionFixture app) : IAsyncLifetime
{
    private TestProvince p = null!;
    private static readonly DateTimeOffset Later = new(2031, 7, 1, 9, 0, 0, TimeSpan.Zero);

    public async Task InitializeAsync() => p = await TestProvince.CreateAsync(app);

    public Task DisposeAsync() => Task.CompletedTask;

    private RetentionJob Job => app.Host.Services.GetRequiredService<RetentionJob>();

    /// <summary>A case run long ago with a review, progress and a violation, released today (2026-06-15): due in 2031.</summary>
    private async Task<(Guid CaseId, Guid PersonId)> ReleasedCaseAsync()
    {
        var caseId = await p.OpenAssignedCaseAsync(new DateOnly(2019, 1, 1), new DateOnly(2020, 12, 31));
        (await p.ReviewerA.Api.Post($"/api/cases/{caseId}/reviews", TestProvince.Review("2019-03"))).Status.ShouldBe(201);
        (await p.ReviewerA.Api.Post($"/api/cases/{caseId}/progress", new { area = "Family", direction = "Improved", note = "Đã hòa thuận với gia đình", recordedOn = "2019-04-02" })).Status.ShouldBe(200);
        (await p.SupervisorA.Api.Post($"/api/cases/{caseId}/violations", new { severity = "Minor", description = "Vắng mặt buổi sinh hoạt", occurredOn = "2019-05-03" })).Status.ShouldBe(200);
        (await p.SupervisorA.Api.Post($"/api/cases/{caseId}/release/recommend", new { grounds = "TermCompleted", note = "Đã chấp hành xong" })).Status.ShouldBe(200);
        (await p.SupervisorA2.Api.Post($"/api/cases/{caseId}/release/approve", new { decisionNumber = "12/QĐ", effectiveOn = "2026-06-15" })).Status.ShouldBe(200);
        var person = (await p.Auditor.Api.Get($"/api/cases/{caseId}")).Body.GetProperty("case").GetProperty("personId").GetGuid();
        return (caseId, person);
    }

    private static int _runs;

    /// <summary>
    /// The daily job, as the host runs it, on the day the clock shows. It runs once a day per province, so each call
    /// takes a day of its own after <paramref name="when"/>.
    /// </summary>
    private async Task RunDailyJobAt(DateTimeOffset when)
    {
        when = when.AddDays(Interlocked.Increment(ref _runs));
        var before = app.Clock.GetUtcNow();
        app.Clock.SetUtcNow(when);
        try
        {
            await app.Host.Services.GetServices<IHostedService>().OfType<DailyRetentionService>().Single().RunOnceAsync(default);
        }
        finally
        {
            app.Clock.SetUtcNow(before);
        }
    }

    private async Task<string> StatisticsJson()
    {
        await app.Host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(60));
        var answer = await p.Auditor.Api.Get("/api/statistics?from=2019-01&to=2026-06");
        answer.Status.ShouldBe(200);
        return answer.Text;
    }

    [Fact]
    public async Task a_released_persons_data_past_the_period_is_masked_statistics_stay_and_the_chain_still_verifies()
    {
        var (caseId, personId) = await ReleasedCaseAsync();
        var statisticsBefore = await StatisticsJson();
        var historyBefore = (await app.EventsOf(caseId)).ToList();

        await RunDailyJobAt(Later);

        var person = (await p.SupervisorA.Api.Get($"/api/people/{personId}")).Body;
        person.GetProperty("fullName").GetString().ShouldBe(FreeText.Marker, (await p.Auditor.Api.Get("/api/audit/retention")).ToString());
        person.GetProperty("fullName").GetString().ShouldBe(FreeText.Marker);
        person.GetProperty("address").GetString().ShouldBe(FreeText.Marker);
        person.GetProperty("nationalId").GetString()!.ShouldStartWith(FreeText.Marker);
        person.GetProperty("maskedAt").ValueKind.ShouldNotBe(System.Text.Json.JsonValueKind.Null);

        var events = await app.EventsOf(caseId);
        events.Count.ShouldBe(historyBefore.Count, "masking appends and removes nothing");
        var review = events.Select(e => e.Data).OfType<ReviewLogged>().Single();
        review.Summary.ShouldBe(FreeText.Marker);
        review.Rating.ShouldBe(ReviewRating.Good);
        events.Select(e => e.Data).OfType<ProgressRecorded>().Single().Note.ShouldBe(FreeText.Marker);
        events.Select(e => e.Data).OfType<ViolationRecorded>().Single().Description.ShouldBe(FreeText.Marker);
        events.Select(e => e.Data).OfType<CaseAssigned>().Single().Reason.ShouldBe(FreeText.Marker);
        var released = events.Select(e => e.Data).OfType<CaseReleased>().Single();
        released.DecisionNumber.ShouldBe("12/QĐ", "only free text is masked");
        events.Select(e => e.Headers?["hash"]?.ToString()).ShouldBe(historyBefore.Select(e => e.Headers?["hash"]?.ToString()), "stored hashes stay");

        (await StatisticsJson()).ShouldBe(statisticsBefore);

        var verify = await p.Auditor.Api.Get($"/api/audit/verify/{caseId}");
        verify.Body.GetProperty("valid").GetBoolean().ShouldBeTrue(verify.ToString());
        var all = await app.Host.Services.GetRequiredService<HashChain>().VerifyAllAsync("demo", null, default);
        all.Single(r => r.StreamId == caseId).Valid.ShouldBeTrue("the CLI's verify agrees");
        (await app.Host.Services.GetRequiredService<DocumentChain>().VerifyAsync(DocumentChain.Retention, "demo", default)).Valid.ShouldBeTrue();

        var runs = await p.Auditor.Api.Get("/api/audit/retention");
        var run = runs.Body.EnumerateArray().First(r => r.GetProperty("subjects").EnumerateArray().Any(s => s.GetProperty("personId").GetGuid() == personId));
        run.GetProperty("by").GetString().ShouldBe(RetentionJob.DailyActor);
        run.GetProperty("maskedEvents").GetInt32().ShouldBeGreaterThanOrEqualTo(5);
        run.GetProperty("chainSeq").GetInt64().ShouldBeGreaterThan(0);

        // An edit to what was not masked, in a masked event, is still named by its version.
        var reviewVersion = events.Single(e => e.Data is ReviewLogged).Version;
        await app.Sql($"update {{schema}}.mt_events set data = jsonb_set(data, '{{rating}}', '\"Poor\"'::jsonb) where stream_id = @id and version = {reviewVersion}", caseId);
        var edited = await p.Auditor.Api.Get($"/api/audit/verify/{caseId}");
        edited.Body.GetProperty("valid").GetBoolean().ShouldBeFalse();
        edited.Body.GetProperty("firstBrokenVersion").GetInt64().ShouldBe(reviewVersion);
        (await app.Host.Services.GetRequiredService<HashChain>().VerifyAllAsync("demo", null, default))
            .Single(r => r.StreamId == caseId).FirstBrokenVersion.ShouldBe(reviewVersion);

        // ...even when the editor also refreshes the digest kept beside it: the chained run does not attest the new one.
        await app.Sql($"update {{schema}}.mt_events set headers = jsonb_set(headers, '{{masked,dataDigest}}', to_jsonb(encode(sha256(convert_to(data::text, 'UTF8')), 'hex'))) where stream_id = @id and version = {reviewVersion}", caseId);
        (await p.Auditor.Api.Get($"/api/audit/verify/{caseId}")).Body.GetProperty("firstBrokenVersion").GetInt64().ShouldBe(reviewVersion);

        // A masked record is not corrected any more.
        var correction = await p.SupervisorA.Api.Post($"/api/people/{personId}/corrections", new { address = "Số 3 Lê Lợi", reason = "Chuyển nhà" });
        correction.Status.ShouldBe(422, correction.ToString());
        correction.Code.ShouldBe("person.masked");
    }

    [Fact]
    public async Task an_edit_to_an_unmasked_event_of_a_masked_case_is_still_named()
    {
        var (caseId, _) = await ReleasedCaseAsync();
        await RunDailyJobAt(Later);
        var approved = (await app.EventsOf(caseId)).Single(e => e.Data is CaseReleased).Version;
        await app.Sql($"update {{schema}}.mt_events set data = jsonb_set(data, '{{decisionNumber}}', '\"99/QĐ\"'::jsonb) where stream_id = @id and version = {approved}", caseId);
        (await p.Auditor.Api.Get($"/api/audit/verify/{caseId}")).Body.GetProperty("firstBrokenVersion").GetInt64().ShouldBe(approved);
    }

    [Fact]
    public async Task a_person_with_an_active_case_is_never_masked()
    {
        // The person's first case was closed long ago; a second one runs now.
        var first = await p.OpenAssignedCaseAsync(new DateOnly(2015, 1, 1), new DateOnly(2016, 12, 31));
        (await p.SupervisorA.Api.Post($"/api/cases/{first}/close", new { reason = "Other", note = "Chuyển đi nơi khác" })).Status.ShouldBe(200);
        var personId = (await p.Auditor.Api.Get($"/api/cases/{first}")).Body.GetProperty("case").GetProperty("personId").GetGuid();
        var second = await p.SupervisorA.Api.Post("/api/cases", p.OpenCaseBody(personId, new DateOnly(2025, 6, 1), new DateOnly(2027, 5, 31)));
        second.Status.ShouldBe(201, second.ToString());

        (await Job.PlanAsync("demo", new DateOnly(2060, 1, 1), default)).Due.ShouldNotContain(d => d.PersonId == personId);
        await RunDailyJobAt(new DateTimeOffset(2060, 1, 1, 9, 0, 0, TimeSpan.Zero));

        (await p.SupervisorA.Api.Get($"/api/people/{personId}")).Body.GetProperty("fullName").GetString().ShouldNotBe(FreeText.Marker);
        (await app.EventsOf(first)).Select(e => e.Data).OfType<CaseClosed>().Single().Note.ShouldBe("Chuyển đi nơi khác");
    }

    [Fact]
    public async Task the_dry_run_lists_who_would_be_masked_and_why_and_writes_nothing()
    {
        var (caseId, personId) = await ReleasedCaseAsync();
        await using var session = app.Store.QuerySession("demo");
        var runsBefore = await session.Query<RetentionRun>().CountAsync();
        var eventsBefore = await app.Scalar<string>("select string_agg(data::text || headers::text, '|' order by version) from {schema}.mt_events where stream_id = @id", caseId);

        (await Job.PlanAsync("demo", new DateOnly(2031, 6, 14), default)).Due.ShouldNotContain(d => d.PersonId == personId, "five years after 2026-06-15");
        var plan = await Job.PlanAsync("demo", new DateOnly(2031, 6, 15), default);
        var due = plan.Due.Single(d => d.PersonId == personId);
        due.LastCaseEndedOn.ShouldBe(new DateOnly(2026, 6, 15));
        due.DueOn.ShouldBe(new DateOnly(2031, 6, 15));
        due.Cases.ShouldBe(1);

        (await session.Query<RetentionRun>().CountAsync()).ShouldBe(runsBefore);
        (await app.Scalar<string>("select string_agg(data::text || headers::text, '|' order by version) from {schema}.mt_events where stream_id = @id", caseId))
            .ShouldBe(eventsBefore);
        (await p.SupervisorA.Api.Get($"/api/people/{personId}")).Body.GetProperty("fullName").GetString().ShouldNotBe(FreeText.Marker);
    }

    [Fact]
    public async Task a_retention_period_is_configured_per_kind()
    {
        var settings = new RetentionSettings { Years = 5, YearsByKind = { [SupervisionKind.CommuneEducation] = 2 } };
        settings.YearsFor(SupervisionKind.CommuneEducation).ShouldBe(2);
        settings.YearsFor(SupervisionKind.SuspendedSentence).ShouldBe(5);
        await Task.CompletedTask;
    }

    [Fact]
    public void every_event_with_free_text_is_listed_under_the_name_marten_stores()
    {
        RetentionJob.EventTypeName(typeof(ReleaseRecommendationWithdrawn)).ShouldBe("release_recommendation_withdrawn");
        RetentionJob.EventTypeName(typeof(ReviewLogged)).ShouldBe("review_logged");
        FreeText.Fields.Keys.ShouldAllBe(t => CasesModule.EventTypes.Contains(t));
        // Every string property of every event is either listed as free text or is a code, number or decision reference.
        var notText = new[] { "Period", "DecisionNumber" };
        foreach (var type in CasesModule.EventTypes)
            foreach (var property in type.GetProperties().Where(x => x.PropertyType == typeof(string) && !notText.Contains(x.Name)))
                FreeText.Fields.GetValueOrDefault(type, []).ShouldContain(char.ToLowerInvariant(property.Name[0]) + property.Name[1..], $"{type.Name}.{property.Name}");
    }
}
