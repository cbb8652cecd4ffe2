using System.Diagnostics;
using CaseTracking.Access;
using CaseTracking.Tests.Infrastructure;
using Marten;

namespace CaseTracking.Tests.Access;

/// <summary>Issue 13.6: an admin cannot give themselves (or anyone) case access alone.</summary>
[Collection(AppCollection.Name)]
public sealed class separation_of_duties(AppFixture app) : IAsyncLifetime
{
    private TestProvince p = null!;

    public async Task InitializeAsync() => p = await TestProvince.CreateAsync(app);

    public Task DisposeAsync() => Task.CompletedTask;

    private Task<ApiResponse> Login(string username, string password) =>
        new Api(app.Host, null).Post("/api/auth/token", new { username, password });

    private static string NewName(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task an_auditor_asked_for_by_an_admin_cannot_sign_in_until_a_second_admin_approves()
    {
        var username = NewName("aud");
        var asked = await p.Admin.Post("/api/admin/users", new { username, displayName = "Võ Văn E", role = "Auditor" });
        asked.Status.ShouldBe(202);
        asked.Body.GetProperty("status").GetString().ShouldBe("Pending");
        var requestId = asked.Id("requestId");

        (await p.Admin.Get("/api/admin/users")).Body.EnumerateArray().ShouldNotContain(u => u.GetProperty("username").GetString() == username);
        (await Login(username, "anything-at-all-1")).Status.ShouldBe(401);
        (await p.Admin2.Get("/api/admin/requests?status=Pending")).Body.EnumerateArray().ShouldContain(r => r.GetProperty("id").GetGuid() == requestId);
        (await p.Admin.Get($"/api/admin/requests/{requestId}")).Body.GetProperty("requestedBy").GetString().ShouldBe("admin");

        var approved = await p.Admin2.Post($"/api/admin/requests/{requestId}/approve", null);
        approved.Status.ShouldBe(200);
        var oneTime = approved.Body.GetProperty("oneTimePassword").GetString()!;
        oneTime.Length.ShouldBe(16);

        var first = await Login(username, oneTime);
        first.Status.ShouldBe(403);
        first.Code.ShouldBe("auth.password-change-required");
        var token = await Api.ChangePasswordAsync(app.Host, username, oneTime, "the-auditors-own-pass");
        (await new Api(app.Host, token).Get("/api/audit/access")).Status.ShouldBe(200);
        (await Login(username, oneTime)).Status.ShouldBe(401, "a one-time password works once");
        (await p.Admin2.Post($"/api/admin/requests/{requestId}/approve", null)).Code.ShouldBe("admin.request-decided");
    }

    [Fact]
    public async Task the_requester_cannot_approve_their_own_request()
    {
        var asked = await p.Admin.Post("/api/admin/users", new { username = NewName("sup"), displayName = "Đỗ Văn G", role = "Supervisor", wardIds = new[] { p.WardA } });
        var answer = await p.Admin.Post($"/api/admin/requests/{asked.Id("requestId")}/approve", null);
        answer.Status.ShouldBe(422);
        answer.Code.ShouldBe("admin.same-approver");
        (await p.Admin.Get($"/api/admin/requests/{asked.Id("requestId")}")).Body.GetProperty("status").GetString().ShouldBe("Pending");

        // The requester may withdraw it, and then nobody can approve it.
        (await p.Admin.Post($"/api/admin/requests/{asked.Id("requestId")}/reject", new { reason = "Nhầm người" })).Status.ShouldBe(200);
        (await p.Admin2.Post($"/api/admin/requests/{asked.Id("requestId")}/approve", null)).Status.ShouldBe(409);
    }

    [Fact]
    public async Task a_reset_takes_a_second_admin_gives_a_one_time_password_and_ends_the_old_token_within_a_second()
    {
        var user = p.ReviewerA2;
        var oldToken = user.Api;
        (await oldToken.Get("/api/cases")).Status.ShouldBe(200);

        var asked = await p.Admin.Post($"/api/admin/users/{user.Id}/password", null);
        asked.Status.ShouldBe(202);
        (await oldToken.Get("/api/cases")).Status.ShouldBe(200, "nothing changes before approval");
        (await Login(user.Username, TestProvince.Password)).Status.ShouldBe(200);

        var approved = await p.Admin2.Post($"/api/admin/requests/{asked.Id("requestId")}/approve", null);
        approved.Status.ShouldBe(200);
        var watch = Stopwatch.StartNew();
        while ((await oldToken.Get("/api/cases")).Status != 401)
        {
            watch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(1), "the old token still works");
            await Task.Delay(50);
        }

        (await Login(user.Username, TestProvince.Password)).Status.ShouldBe(401, "the old password is gone");
        (await Login(user.Username, approved.Body.GetProperty("oneTimePassword").GetString()!)).Code.ShouldBe("auth.password-change-required");
        var token = await Api.ChangePasswordAsync(app.Host, user.Username, approved.Body.GetProperty("oneTimePassword").GetString()!, TestProvince.Password);
        (await new Api(app.Host, token).Get("/api/cases")).Status.ShouldBe(200);
    }

    [Fact]
    public async Task a_new_role_takes_a_second_admin_and_ends_the_old_sessions()
    {
        var (id, api) = await Api.CreateUserAsync(app.Host, p.Admin, p.Admin2,
            new { username = NewName("rv"), displayName = "Bùi Thị H", role = "Reviewer", organisationId = p.OrgA }, TestProvince.Password);
        var asked = await p.Admin.Post($"/api/admin/users/{id}/access", new { role = "Auditor" });
        asked.Status.ShouldBe(202);
        (await api.Get("/api/audit/access")).Status.ShouldBe(403, "still a reviewer");
        (await p.Admin2.Post($"/api/admin/requests/{asked.Id("requestId")}/approve", null)).Status.ShouldBe(200);
        (await api.Get("/api/cases")).Status.ShouldBe(401, "sessions of the old role end");
        var users = await p.Admin.Get("/api/admin/users");
        users.Body.EnumerateArray().Single(u => u.GetProperty("id").GetGuid() == id).GetProperty("role").GetString().ShouldBe("Auditor");
    }

    [Fact]
    public async Task an_admin_cannot_approve_a_change_to_their_own_account()
    {
        var me = (await p.Admin.Get("/api/admin/users")).Body.EnumerateArray().Single(u => u.GetProperty("username").GetString() == TestData.SecondAdmin).GetProperty("id").GetGuid();
        var asked = await p.Admin.Post($"/api/admin/users/{me}/access", new { role = "Auditor" });
        var answer = await p.Admin2.Post($"/api/admin/requests/{asked.Id("requestId")}/approve", null);
        answer.Status.ShouldBe(422);
        answer.Code.ShouldBe("admin.self-approval");
        (await p.Admin.Post($"/api/admin/requests/{asked.Id("requestId")}/reject", new { })).Status.ShouldBe(200);
    }

    [Fact]
    public async Task the_only_admin_of_a_province_may_create_one_more_admin_at_once_and_only_one()
    {
        var tenant = "p" + Guid.NewGuid().ToString("N")[..8];
        var only = new User { Id = Guid.CreateVersion7(), Username = NewName("only"), DisplayName = "Admin", Role = Role.Admin, Tenant = tenant, SecurityStamp = "s" };
        only.PasswordHash = Logins.HashPassword(only, TestProvince.Password);
        await using (var session = app.Store.LightweightSession())
        {
            session.Store(only);
            await session.SaveChangesAsync();
        }

        var admin = new Api(app.Host, await Api.TokenAsync(app.Host, only.Username, TestProvince.Password));
        var second = await admin.Post("/api/admin/users", new { username = NewName("second"), displayName = "Admin 2", role = "Admin" });
        second.Status.ShouldBe(201);
        var otp = second.Body.GetProperty("oneTimePassword").GetString()!;
        (await Login(second.Body.GetProperty("username").GetString()!, otp)).Code.ShouldBe("auth.password-change-required");
        (await admin.Post("/api/admin/users", new { username = NewName("third"), displayName = "Admin 3", role = "Admin" })).Status.ShouldBe(202);
        (await admin.Post("/api/admin/users", new { username = NewName("aud"), displayName = "Auditor", role = "Auditor" })).Status.ShouldBe(202);
    }

    [Fact]
    public async Task the_admin_audit_trail_shows_every_admin_action_to_auditors_only()
    {
        var username = NewName("trail");
        await Api.CreateUserAsync(app.Host, p.Admin, p.Admin2, new { username, displayName = "Lý Văn K", role = "Auditor" }, TestProvince.Password);
        var ward = await p.Admin.Post("/api/admin/wards", new { code = "T" + Guid.NewGuid().ToString("N")[..6], name = "Phường Nhật Ký" });
        ward.Status.ShouldBe(201);

        var trail = await p.Auditor.Api.Get("/api/audit/admin?pageSize=500");
        trail.Status.ShouldBe(200);
        var rows = trail.Body.EnumerateArray().ToList();
        rows.ShouldContain(r => r.GetProperty("action").GetString() == "RequestCreated" && r.GetProperty("subject").GetString() == username && r.GetProperty("actor").GetString() == "admin");
        rows.ShouldContain(r => r.GetProperty("action").GetString() == "RequestApproved" && r.GetProperty("subject").GetString() == username && r.GetProperty("actor").GetString() == TestData.SecondAdmin);
        rows.ShouldContain(r => r.GetProperty("action").GetString() == "UserCreated" && r.GetProperty("subject").GetString() == username && r.GetProperty("alert").GetBoolean());
        rows.ShouldContain(r => r.GetProperty("action").GetString() == "PasswordChanged" && r.GetProperty("subject").GetString() == username);
        rows.ShouldContain(r => r.GetProperty("action").GetString() == "WardCreated" && r.GetProperty("detail").GetString()!.Contains(ward.Id("wardId").ToString()));

        var alerts = await p.Auditor.Api.Get("/api/audit/admin?alerts=true&pageSize=500");
        alerts.Body.EnumerateArray().ShouldAllBe(r => r.GetProperty("alert").GetBoolean());
        alerts.Body.EnumerateArray().ShouldContain(r => r.GetProperty("subject").GetString() == username);

        (await p.ReviewerA.Api.Get("/api/audit/admin")).Status.ShouldBe(403);
        (await p.SupervisorA.Api.Get("/api/audit/admin")).Status.ShouldBe(403);
        (await p.Admin.Get("/api/audit/admin")).Status.ShouldBe(403);
        (await new Api(app.Host, null).Get("/api/audit/admin")).Status.ShouldBe(401);
    }

    [Fact]
    public async Task the_auditors_pages_show_the_trail_and_an_alert()
    {
        var username = NewName("page");
        await Api.CreateUserAsync(app.Host, p.Admin, p.Admin2, new { username, displayName = "Hà Văn L", role = "Supervisor", wardIds = new[] { p.WardA } }, TestProvince.Password);
        var trail = await p.Auditor.Api.Get("/audit/admin");
        trail.Status.ShouldBe(200);
        trail.Text.ShouldContain(username);
        var index = await p.Auditor.Api.Get("/audit");
        index.Text.ShouldContain("data-testid=\"admin-alerts\"");
        (await p.ReviewerA.Api.Get("/audit/admin")).Status.ShouldBe(403);
    }

    [Fact]
    public async Task hostile_input_on_the_admin_routes_is_400_or_404_never_500()
    {
        var huge = new string('x', 1_000_000);
        var pending = (await p.Admin.Post("/api/admin/users", new { username = NewName("h"), displayName = "H", role = "Auditor" })).Id("requestId");
        var cases = new (string Method, string Url, string? Body)[]
        {
            ("POST", $"/api/admin/requests/{Guid.Empty}/approve", null),
            ("POST", $"/api/admin/requests/{Guid.Empty}/reject", "{}"),
            ("POST", "/api/admin/requests/not-a-guid/approve", null),
            ("GET", $"/api/admin/requests/{Guid.Empty}", null),
            ("GET", "/api/admin/requests/12", null),
            ("GET", "/api/admin/requests?status=Bogus", null),
            ("POST", $"/api/admin/requests/{pending}/reject", """{"reason":"a\u0000b"}"""),
            ("POST", $"/api/admin/requests/{pending}/reject", $$"""{"reason":"{{huge}}"}"""),
            ("POST", $"/api/admin/requests/{pending}/reject", """{"reason":3}"""),
            ("POST", "/api/admin/users", """{"username":"a\u0000b","displayName":"x","role":"Auditor"}"""),
            ("POST", "/api/admin/users", """{"username":"nul-name","displayName":"x\u0000","role":"Auditor"}"""),
            ("POST", "/api/admin/users", $$"""{"username":"huge-name","displayName":"{{huge}}","role":"Auditor"}"""),
            ("POST", "/api/admin/users", """{"username":"typed","displayName":"x","role":3}"""),
            ("POST", "/api/admin/users", """{"username":"typed","displayName":"x","role":"Supervisor","wardIds":["not-a-guid"]}"""),
            ("POST", "/api/admin/users", """{"username":"zero-ward","displayName":"x","role":"Supervisor","wardIds":["00000000-0000-0000-0000-000000000000"]}"""),
            ("POST", "/api/admin/users", """{"username":"zero-org","displayName":"x","role":"Reviewer","organisationId":"00000000-0000-0000-0000-000000000000"}"""),
            ("POST", $"/api/admin/users/{Guid.Empty}/access", """{"role":"Auditor"}"""),
            ("POST", $"/api/admin/users/{Guid.Empty}/password", null),
            ("POST", $"/api/admin/users/{Guid.Empty}/deactivate", null),
            ("POST", $"/api/admin/users/{p.ReviewerA.Id}/access", """{"role":"Nobody"}"""),
            ("POST", $"/api/admin/users/{p.ReviewerA.Id}/access", $$"""{"role":"Supervisor","wardIds":[{{string.Join(",", Enumerable.Repeat($"\"{Guid.NewGuid()}\"", 600))}}]}"""),
            ("POST", "/api/admin/wards", """{"code":"A\u0000","name":"x"}"""),
            ("POST", "/api/admin/organisations", """{"name":"x\u0000","type":"YouthUnion","wardId":"00000000-0000-0000-0000-000000000000"}""")
        };
        foreach (var (method, url, body) in cases)
        {
            var answer = method == "GET" ? await p.Admin.Get(url) : await p.Admin.Send(HttpMethod.Post, url, rawJson: body);
            answer.Status.ShouldBeOneOf([400, 404, 413, 422], $"{method} {url} {body?[..Math.Min(body.Length, 80)]}: {answer.Status} {answer.Text[..Math.Min(answer.Text.Length, 300)]}");
        }

        foreach (var url in new[] { "/api/audit/admin?pageSize=0", "/api/audit/admin?pageSize=100000", "/api/audit/admin?page=0", "/api/audit/admin?from=yesterday",
                     "/api/audit/admin?from=0001-01-01T00:00:00Z&to=9999-12-31T23:59:59Z", "/api/audit/admin?alerts=maybe", "/api/audit/admin?page=999999" })
        {
            var answer = await p.Auditor.Api.Get(url);
            answer.Status.ShouldBeOneOf([200, 400], $"{url}: {answer}");
        }
    }
}
