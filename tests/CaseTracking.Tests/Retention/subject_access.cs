using System.Security.Cryptography;
using System.Text;
using CaseTracking.Tests.Infrastructure;

namespace CaseTracking.Tests.Retention;

[Collection(AppCollection.Name)]
public sealed class subject_access(AppFixture app) : IAsyncLifetime
{
    private TestProvince p = null!;

    public async Task InitializeAsync() => p = await TestProvince.CreateAsync(app);

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<Guid> PersonOf(Guid caseId) =>
        (await p.Auditor.Api.Get($"/api/cases/{caseId}")).Body.GetProperty("case").GetProperty("personId").GetGuid();

    [Fact]
    public async Task the_record_holds_every_case_and_access_entry_of_the_person_and_no_one_elses()
    {
        var first = await p.OpenAssignedCaseAsync(new DateOnly(2020, 1, 1), new DateOnly(2021, 12, 31));
        (await p.SupervisorA.Api.Post($"/api/cases/{first}/close", new { reason = "Other", note = "Kết thúc" })).Status.ShouldBe(200);
        var personId = await PersonOf(first);
        var second = (await p.SupervisorA.Api.Post("/api/cases", p.OpenCaseBody(personId, new DateOnly(2025, 6, 1), new DateOnly(2027, 5, 31)))).Id("caseId");
        var someoneElse = await p.OpenAssignedCaseAsync();
        (await p.SupervisorA.Api.Get($"/api/cases/{second}/history")).Status.ShouldBe(200);
        (await p.ReviewerA.Api.Get($"/api/cases/{someoneElse}")).Status.ShouldBe(200);
        (await p.SupervisorA.Api.Get($"/api/people/{await PersonOf(someoneElse)}")).Status.ShouldBe(200);
        (await p.SupervisorA.Api.Get($"/api/people/{personId}")).Status.ShouldBe(200);

        var answer = await p.SupervisorA.Api.Get($"/api/people/{personId}/record");
        answer.Status.ShouldBe(200, answer.ToString());
        answer.Raw.Content.Headers.ContentDisposition!.ToString().ShouldContain($"person-{personId}.json");
        var record = answer.Body;
        record.GetProperty("person").GetProperty("id").GetGuid().ShouldBe(personId);
        var cases = record.GetProperty("cases").EnumerateArray().Select(c => c.GetProperty("summary").GetProperty("id").GetGuid()).ToList();
        cases.ShouldBe([first, second], ignoreOrder: true);
        record.GetProperty("cases").EnumerateArray().First(c => c.GetProperty("summary").GetProperty("id").GetGuid() == first)
            .GetProperty("history").GetArrayLength().ShouldBe(3);
        var access = record.GetProperty("access").EnumerateArray().ToList();
        static Guid? PersonIdOf(System.Text.Json.JsonElement r) =>
            r.TryGetProperty("personId", out var pid) && pid.ValueKind == System.Text.Json.JsonValueKind.String ? pid.GetGuid() : null;
        access.Where(r => PersonIdOf(r) != personId && !cases.Contains(r.GetProperty("caseId").GetGuid())).ShouldBeEmpty("no one else's entries");
        access.ShouldContain(r => r.GetProperty("what").GetString() == "ReadHistory" && r.GetProperty("caseId").GetGuid() == second);
        access.ShouldContain(r => r.GetProperty("what").GetString() == "ReadPerson");
        access.ShouldContain(r => r.GetProperty("what").GetString() == "SubjectAccessRequested", "the request is in the record it produced");

        // The delivery is logged with the SHA-256 of exactly what was handed over.
        var sha = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(answer.Text))).ToLowerInvariant();
        var log = await p.Auditor.Api.Get("/api/audit/access?pageSize=1000");
        log.Body.EnumerateArray().ShouldContain(r => r.GetProperty("what").GetString() == "SubjectAccessDelivered"
            && r.GetProperty("personId").GetGuid() == personId && r.GetProperty("query").GetString()!.Contains($"sha256={sha}"));
    }

    [Fact]
    public async Task only_a_supervisor_of_the_ward_or_an_auditor_produces_the_record()
    {
        var personId = await PersonOf(await p.OpenAssignedCaseAsync());
        (await p.Auditor.Api.Get($"/api/people/{personId}/record")).Status.ShouldBe(200);
        (await p.SupervisorB.Api.Get($"/api/people/{personId}/record")).Status.ShouldBe(404);
        (await p.ReviewerA.Api.Get($"/api/people/{personId}/record")).Status.ShouldBe(403);
        (await p.Admin.Get($"/api/people/{personId}/record")).Status.ShouldBe(403);
        (await p.Auditor.Api.Get($"/api/people/{Guid.Empty}/record")).Status.ShouldBe(404);
    }

    [Fact]
    public async Task the_printable_record_and_the_integrity_page_render_and_the_page_is_logged_too()
    {
        var personId = await PersonOf(await p.OpenAssignedCaseAsync());
        var page = await p.Auditor.Api.Get($"/people/{personId}/record");
        page.Status.ShouldBe(200, page.Text[..Math.Min(500, page.Text.Length)]);
        page.Text.ShouldContain("data-testid=\"case\"");
        (await p.SupervisorB.Api.Get($"/people/{personId}/record")).Status.ShouldBe(404);
        var integrity = await p.Auditor.Api.Get("/audit/integrity");
        integrity.Status.ShouldBe(200);
        integrity.Text.ShouldContain("data-testid=\"seals\"");
        var log = await p.Auditor.Api.Get("/api/audit/access?pageSize=1000");
        log.Body.EnumerateArray().ShouldContain(r => r.GetProperty("what").GetString() == "SubjectAccessDelivered"
            && r.GetProperty("query").GetString()!.StartsWith("page;", StringComparison.Ordinal));
    }

    [Fact]
    public async Task a_correction_keeps_who_when_old_new_and_why()
    {
        var personId = await p.RegisterPersonAsync();
        var before = (await p.SupervisorA.Api.Get($"/api/people/{personId}")).Body;
        var corrected = await p.SupervisorA.Api.Post($"/api/people/{personId}/corrections",
            new { address = "Số 5 ngõ 12 Lê Lợi", phone = "0912 345 678", reason = "Đương sự chuyển nhà, có xác nhận của tổ dân phố" });
        corrected.Status.ShouldBe(200, corrected.ToString());
        corrected.Body.GetProperty("fields").EnumerateArray().Select(f => f.GetString()).ShouldBe(["address", "phone"]);

        var after = (await p.SupervisorA.Api.Get($"/api/people/{personId}")).Body;
        after.GetProperty("address").GetString().ShouldBe("Số 5 ngõ 12 Lê Lợi");
        after.GetProperty("phone").GetString().ShouldBe("0912 345 678");
        after.GetProperty("fullName").GetString().ShouldBe(before.GetProperty("fullName").GetString());

        var record = (await p.Auditor.Api.Get($"/api/people/{personId}/record")).Body;
        var correction = record.GetProperty("corrections").EnumerateArray().Single();
        correction.GetProperty("byUsername").GetString().ShouldBe(p.SupervisorA.Username);
        correction.GetProperty("reason").GetString()!.ShouldContain("chuyển nhà");
        var address = correction.GetProperty("changes").EnumerateArray().Single(c => c.GetProperty("field").GetString() == "address");
        address.GetProperty("old").GetString().ShouldBe(before.GetProperty("address").GetString());
        address.GetProperty("new").GetString().ShouldBe("Số 5 ngõ 12 Lê Lợi");
        record.GetProperty("access").EnumerateArray().ShouldContain(r => r.GetProperty("what").GetString() == "CorrectPerson");

        (await p.SupervisorA.Api.Post($"/api/people/{personId}/corrections", new { address = "Số 5 ngõ 12 Lê Lợi", reason = "lại" })).Code.ShouldBe("person.no-change");
        (await p.SupervisorA.Api.Post($"/api/people/{personId}/corrections", new { address = "x" })).ErrorFields.ShouldContain("reason");
        (await p.SupervisorA.Api.Post($"/api/people/{personId}/corrections", new { phone = "abc", reason = "x" })).ErrorFields.ShouldContain("phone");
        (await p.SupervisorB.Api.Post($"/api/people/{personId}/corrections", new { address = "y", reason = "x" })).Status.ShouldBe(404);
    }

    [Fact]
    public async Task a_phone_is_optional_validated_and_shown_to_the_assigned_organisation()
    {
        var body = new { fullName = "Lê Thị Hoa", dateOfBirth = "1990-02-03", nationalId = "0" + Random.Shared.NextInt64(10_000_000_000, 99_999_999_999), address = "Số 1", wardId = p.WardA, phone = "+84 912 345 678" };
        var registered = await p.SupervisorA.Api.Post("/api/people", body);
        registered.Status.ShouldBe(201, registered.ToString());
        (await p.SupervisorA.Api.Post("/api/people", body with { phone = "12" })).ErrorFields.ShouldContain("phone");
        var caseId = (await p.SupervisorA.Api.Post("/api/cases", p.OpenCaseBody(registered.Id("personId"), new DateOnly(2025, 6, 1), new DateOnly(2027, 5, 31)))).Id("caseId");
        (await p.SupervisorA.Api.Post($"/api/cases/{caseId}/assignment", p.AssignBody())).Status.ShouldBe(200);
        (await p.ReviewerA.Api.Get($"/api/people/{registered.Id("personId")}")).Body.GetProperty("phone").GetString().ShouldBe("+84 912 345 678");
    }
}
