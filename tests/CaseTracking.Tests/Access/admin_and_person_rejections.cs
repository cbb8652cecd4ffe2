using Bogus;
using CaseTracking.Cases;
using CaseTracking.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CaseTracking.Tests.Access;

/// <summary>Each refusal of the admin and person routes by its stable code: what a client (and the UI's text) keys on.</summary>
[Collection(AppCollection.Name)]
public sealed class admin_and_person_rejections(AppFixture app) : IAsyncLifetime
{
    private static readonly Faker Faker = new("vi");
    private TestProvince p = null!;

    public async Task InitializeAsync() => p = await TestProvince.CreateAsync(app);

    public Task DisposeAsync() => Task.CompletedTask;

    private static string NewName(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..10];

    private static void ShouldBeRefused(ApiResponse answer, int status, string code)
    {
        answer.Status.ShouldBe(status, answer.ToString());
        answer.Code.ShouldBe(code);
    }

    [Fact]
    public async Task a_ward_code_is_unique_in_the_province()
    {
        var code = "W" + Guid.NewGuid().ToString("N")[..8];
        (await p.Admin.Post("/api/admin/wards", new { code, name = "Phường Một" })).Status.ShouldBe(201);
        ShouldBeRefused(await p.Admin.Post("/api/admin/wards", new { code, name = "Phường Hai" }), 409, "ward.code-taken");
    }

    [Fact]
    public async Task an_organisation_needs_a_ward_of_the_province() =>
        ShouldBeRefused(await p.Admin.Post("/api/admin/organisations", new { name = "Hội Cựu chiến binh", type = "VeteransAssociation", wardId = Guid.NewGuid() }),
            422, "organisation.ward-not-found");

    [Fact]
    public async Task a_user_name_is_taken_once() =>
        ShouldBeRefused(await p.Admin.Post("/api/admin/users", new { username = p.SupervisorA.Username, displayName = "Lê Văn B", role = "Auditor" }),
            409, "user.username-taken");

    [Fact]
    public async Task a_supervisor_needs_wards_of_the_province() =>
        ShouldBeRefused(await p.Admin.Post("/api/admin/users",
                new { username = NewName("sup"), displayName = "Trần Thị C", role = "Supervisor", wardIds = new[] { p.WardA, Guid.NewGuid() } }),
            422, "user.ward-not-found");

    [Fact]
    public async Task a_reviewer_needs_an_organisation_of_the_province() =>
        ShouldBeRefused(await p.Admin.Post("/api/admin/users",
                new { username = NewName("rev"), displayName = "Phạm Văn D", role = "Reviewer", organisationId = Guid.NewGuid() }),
            422, "user.organisation-not-found");

    [Fact]
    public async Task an_admin_cannot_deactivate_themselves()
    {
        var me = (await p.Admin.Get("/api/admin/users")).Body.EnumerateArray().Single(u => u.GetProperty("username").GetString() == "admin");
        ShouldBeRefused(await p.Admin.Post($"/api/admin/users/{me.GetProperty("id").GetGuid()}/deactivate", null), 422, "user.self-deactivation");
    }

    [Fact]
    public async Task a_deactivated_user_gets_no_new_access()
    {
        var (userId, _) = await Api.CreateUserAsync(app.Host, p.Admin, p.Admin2,
            new { username = NewName("rev"), displayName = "Hoàng Thị E", role = "Reviewer", organisationId = p.OrgA }, TestProvince.Password);
        (await p.Admin.Post($"/api/admin/users/{userId}/deactivate", null)).Status.ShouldBe(200);

        ShouldBeRefused(await p.Admin.Post($"/api/admin/users/{userId}/access", new { role = "Supervisor", wardIds = new[] { p.WardA } }),
            422, "user.inactive");
    }

    [Fact]
    public async Task deactivating_a_user_cancels_the_requests_waiting_for_them_and_says_why_in_the_trail()
    {
        var (userId, _) = await Api.CreateUserAsync(app.Host, p.Admin, p.Admin2,
            new { username = NewName("rev"), displayName = "Trần Thị G", role = "Reviewer", organisationId = p.OrgA }, TestProvince.Password);
        var reset = await p.Admin.Post($"/api/admin/users/{userId}/password", null);
        reset.Status.ShouldBe(202, reset.ToString());
        var requestId = reset.Id("requestId");
        (await p.Admin.Get($"/api/admin/requests/{requestId}")).Body.GetProperty("status").GetString().ShouldBe("Pending");

        (await p.Admin.Post($"/api/admin/users/{userId}/deactivate", null)).Status.ShouldBe(200);

        var request = (await p.Admin.Get($"/api/admin/requests/{requestId}")).Body;
        request.GetProperty("status").GetString().ShouldBe("Cancelled");
        request.GetProperty("reason").GetString()!.ShouldContain("deactivated");
        // Nobody can approve it afterwards: it is decided.
        ShouldBeRefused(await p.Admin2.Post($"/api/admin/requests/{requestId}/approve", null), 409, "admin.request-decided");
        // And a new reset for a deactivated user is refused.
        ShouldBeRefused(await p.Admin.Post($"/api/admin/users/{userId}/password", null), 422, "user.inactive");

        var trail = await p.Auditor.Api.Get("/api/audit/admin?pageSize=500");
        trail.Body.EnumerateArray().ShouldContain(e => e.GetProperty("action").GetString() == "RequestCancelled"
            && e.GetProperty("requestId").GetGuid() == requestId && e.GetProperty("subjectId").GetGuid() == userId);
    }

    private object PersonBody(string nationalId, DateOnly born) => new
    {
        fullName = Faker.Name.FullName(), dateOfBirth = born, nationalId, address = Faker.Address.FullAddress(), wardId = p.WardA
    };

    [Fact]
    public async Task a_person_cannot_be_born_in_the_future()
    {
        var today = app.Host.Services.GetRequiredService<CaseClock>().Today;
        ShouldBeRefused(await p.SupervisorA.Api.Post("/api/people", PersonBody(Faker.Random.ReplaceNumbers("0###########"), today.AddDays(1))),
            422, "person.born-in-future");
    }

    [Fact]
    public async Task a_national_id_is_registered_once_and_the_answer_names_the_person()
    {
        var nationalId = Faker.Random.ReplaceNumbers("0###########");
        var first = await p.SupervisorA.Api.Post("/api/people", PersonBody(nationalId, new DateOnly(1990, 3, 4)));
        first.Status.ShouldBe(201);

        var second = await p.SupervisorA2.Api.Post("/api/people", PersonBody(nationalId, new DateOnly(1991, 5, 6)));
        ShouldBeRefused(second, 409, "person.national-id-taken");
        second.Body.GetProperty("conflict").GetProperty("personId").GetGuid().ShouldBe(first.Id("personId"));
    }
}
