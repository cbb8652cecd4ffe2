using CaseTracking.Access;
using CaseTracking.Tests.Infrastructure;
using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace CaseTracking.Tests.Access;

[Collection(AppCollection.Name)]
public sealed class signing_in(AppFixture app) : IAsyncLifetime
{
    private TestProvince p = null!;

    public async Task InitializeAsync() => p = await TestProvince.CreateAsync(app);

    public Task DisposeAsync() => Task.CompletedTask;

    private Task<ApiResponse> Login(string username, string password) =>
        new Api(app.Host, null).Post("/api/auth/token", new { username, password });

    [Fact]
    public async Task a_valid_login_gets_a_one_hour_token()
    {
        var answer = await Login(p.ReviewerA.Username, TestProvince.Password);
        answer.Status.ShouldBe(200);
        answer.Body.GetProperty("expiresAt").GetDateTimeOffset().ShouldBe(app.Clock.GetUtcNow().AddHours(1), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task a_wrong_password_is_401_and_five_in_a_row_lock_for_fifteen_minutes()
    {
        var user = await NewReviewer();
        for (var i = 0; i < 5; i++) (await Login(user, "wrong-password!")).Code.ShouldBe("auth.invalid");
        // Locked: the right password is refused, with the very answer of a wrong one.
        (await Login(user, TestProvince.Password)).Code.ShouldBe("auth.invalid");
        app.Clock.Advance(TimeSpan.FromMinutes(16));
        try
        {
            (await Login(user, TestProvince.Password)).Status.ShouldBe(200);
        }
        finally
        {
            app.Clock.Advance(-TimeSpan.FromMinutes(16));
        }
    }

    [Fact]
    public async Task a_token_expires_after_an_hour()
    {
        (await p.ReviewerA.Api.Get("/api/cases")).Status.ShouldBe(200);
        app.Clock.Advance(TimeSpan.FromMinutes(61));
        try
        {
            (await p.ReviewerA.Api.Get("/api/cases")).Status.ShouldBe(401);
        }
        finally
        {
            app.Clock.Advance(-TimeSpan.FromMinutes(61));
        }
    }

    [Fact]
    public async Task a_deactivated_user_is_refused_at_login_and_with_an_old_token()
    {
        var username = await NewReviewer();
        var api = new Api(app.Host, await Api.TokenAsync(app.Host, username, TestProvince.Password));
        (await api.Get("/api/cases")).Status.ShouldBe(200);
        var id = (await p.Admin.Get("/api/admin/users")).Body.EnumerateArray().Single(u => u.GetProperty("username").GetString() == username).GetProperty("id").GetGuid();
        (await p.Admin.Send(HttpMethod.Post, $"/api/admin/users/{id}/deactivate")).Status.ShouldBe(200);
        (await api.Get("/api/cases")).Status.ShouldBe(401);
        (await Login(username, TestProvince.Password)).Code.ShouldBe("auth.inactive");
    }

    [Fact]
    public async Task a_password_chosen_by_the_admin_is_refused_with_the_field_named()
    {
        var answer = await p.Admin.Post("/api/admin/users", new { username = "chosen-" + Guid.NewGuid().ToString("N")[..6], password = "admin-knows-this-1", displayName = "X", role = "Auditor" });
        answer.Status.ShouldBe(400);
        answer.ErrorFields.ShouldContain("password");
    }

    [Fact]
    public async Task the_bootstrap_admin_uses_the_configured_password_or_a_random_one()
    {
        // The fixture's host was started with CaseTracking:AdminPassword.
        (await Login("admin", TestData.AdminPassword)).Status.ShouldBe(200);

        // Without configuration, and with no admin yet, a random password is generated and returned once.
        // Every admin (the second one too, and admins of other test provinces) is put aside and back afterwards.
        var store = app.Store;
        List<User> admins;
        await using (var session = store.LightweightSession())
        {
            admins = [.. await session.Query<User>().Where(u => u.Role == Role.Admin).ToListAsync()];
            session.DeleteWhere<User>(u => u.Role == Role.Admin);
            await session.SaveChangesAsync();
        }

        try
        {
            var bootstrap = new AdminBootstrap(store, new ConfigurationBuilder().Build(), NullLogger<AdminBootstrap>.Instance);
            var password = await bootstrap.EnsureAdminAsync(default);
            password.ShouldNotBeNullOrEmpty();
            password.ShouldNotBe(TestData.AdminPassword);
            (await Login("admin", password)).Status.ShouldBe(200);
            (await bootstrap.EnsureAdminAsync(default)).ShouldBeNull("an admin exists: nothing is created twice");
        }
        finally
        {
            await using var session = store.LightweightSession();
            session.DeleteWhere<User>(u => u.Role == Role.Admin);
            await session.SaveChangesAsync();
            session.Store(admins.ToArray());
            await session.SaveChangesAsync();
        }
    }

    private async Task<string> NewReviewer()
    {
        var username = "rv-" + Guid.NewGuid().ToString("N")[..10];
        await Api.CreateUserAsync(app.Host, p.Admin, p.Admin2, new { username, displayName = "Lê Văn C", role = "Reviewer", organisationId = p.OrgA }, TestProvince.Password);
        return username;
    }
}
