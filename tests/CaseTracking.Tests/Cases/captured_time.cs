using CaseTracking.Cases;
using CaseTracking.Infrastructure;
using CaseTracking.Tests.Infrastructure;

namespace CaseTracking.Tests.Cases;

/// <summary>
/// <c>X-Captured-At</c>, the time an offline write was saved on the phone: kept as the event header
/// <c>capturedAt</c> beside Marten's own (received) time, and never after the server's clock, before the case started
/// or outside the dates any case may carry. A refusal is a 400 naming the header, and nothing is appended.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class captured_time(AppFixture app) : IAsyncLifetime
{
    private TestProvince p = null!;

    public async Task InitializeAsync() => p = await TestProvince.CreateAsync(app);

    public Task DisposeAsync() => Task.CompletedTask;

    private Task<ApiResponse> ReviewCapturedAt(Guid caseId, string capturedAt) =>
        p.ReviewerA.Api.Post($"/api/cases/{caseId}/reviews", TestProvince.Review("2026-05"),
            new Dictionary<string, string> { [HttpWrites.CapturedAtHeader] = capturedAt });

    [Fact]
    public async Task a_time_captured_earlier_on_the_phone_is_kept_beside_the_time_received()
    {
        var caseId = await p.OpenAssignedCaseAsync();
        var captured = app.Clock.GetUtcNow().AddHours(-30).ToOffset(TimeSpan.FromHours(7));
        var response = await ReviewCapturedAt(caseId, captured.ToString("O"));
        response.Status.ShouldBe(201, response.ToString());

        var logged = (await app.EventsOf(caseId)).Last();
        logged.Data.ShouldBeOfType<ReviewLogged>();
        logged.Headers.ShouldNotBeNull();
        DateTimeOffset.Parse(logged.Headers[CaseWrites.CapturedAtHeader].ToString()!, System.Globalization.CultureInfo.InvariantCulture)
            .ShouldBe(captured);
    }

    [Fact]
    public async Task javascripts_iso_time_in_utc_is_accepted()
    {
        var caseId = await p.OpenAssignedCaseAsync();
        var captured = app.Clock.GetUtcNow().AddMinutes(-5);
        var response = await ReviewCapturedAt(caseId, captured.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
        response.Status.ShouldBe(201, response.ToString());
    }

    [Theory]
    [InlineData(1)]      // one second ahead: no tolerance, the outbox corrects the phone's clock before it stamps
    [InlineData(300)]    // what the old five-minute tolerance let through
    [InlineData(86_400)]
    public async Task a_time_after_the_servers_clock_is_refused(int secondsAhead)
    {
        var caseId = await p.OpenAssignedCaseAsync();
        var response = await ReviewCapturedAt(caseId, app.Clock.GetUtcNow().AddSeconds(secondsAhead).ToString("O"));
        await RefusedNamingTheHeader(caseId, response);
    }

    [Fact]
    public async Task a_time_before_the_case_started_is_refused()
    {
        var caseId = await p.OpenAssignedCaseAsync(startsOn: new DateOnly(2025, 6, 1));
        var response = await ReviewCapturedAt(caseId, "2025-05-31T23:00:00+07:00");
        await RefusedNamingTheHeader(caseId, response);
    }

    [Theory]
    [InlineData("hôm qua")]
    [InlineData("2026-06-14")]                      // a date alone: no time, no offset
    [InlineData("2026-06-14T08:00:00")]             // no offset: it would mean another moment on the phone than here
    [InlineData("2026-13-45T08:00:00+07:00")]
    [InlineData("2026-06-14T08:00:00+07:00\0")]
    [InlineData("\0")]
    [InlineData("0001-01-01T00:00:00+00:00")]       // year 1: before any case
    [InlineData("0001-01-01T00:00:00+07:00")]       // year 1 with an offset that would underflow
    [InlineData("1949-12-31T23:59:59Z")]            // before the earliest date a case may carry
    [InlineData("9999-12-31T23:59:59+00:00")]
    [InlineData("9999-12-31T23:59:59-14:00")]       // would overflow when turned to UTC
    [InlineData("12345")]
    [InlineData("true")]
    public async Task garbage_and_absurd_times_are_refused(string value)
    {
        var caseId = await p.OpenAssignedCaseAsync();
        var response = await ReviewCapturedAt(caseId, value);
        await RefusedNamingTheHeader(caseId, response);
    }

    [Fact]
    public async Task a_huge_value_is_refused()
    {
        var caseId = await p.OpenAssignedCaseAsync();
        var response = await ReviewCapturedAt(caseId, "2026-06-14T08:00:00+07:00" + new string(' ', 20_000) + "x");
        await RefusedNamingTheHeader(caseId, response);
    }

    [Fact]
    public async Task without_the_header_nothing_is_stored_as_captured()
    {
        var caseId = await p.OpenAssignedCaseAsync();
        (await p.ReviewerA.Api.Post($"/api/cases/{caseId}/reviews", TestProvince.Review("2026-05"))).Status.ShouldBe(201);
        var logged = (await app.EventsOf(caseId)).Last();
        (logged.Headers?.ContainsKey(CaseWrites.CapturedAtHeader) ?? false).ShouldBeFalse();
    }

    private async Task RefusedNamingTheHeader(Guid caseId, ApiResponse response)
    {
        response.Status.ShouldBe(400, response.ToString());
        response.ErrorFields.ShouldContain(HttpWrites.CapturedAtHeader);
        (await app.EventsOf(caseId)).Count.ShouldBe(2, "opened and assigned only: the review was not appended");
    }
}
