using System.Diagnostics;
using CaseTracking.Access;
using CaseTracking.Tests.Infrastructure;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CaseTracking.Tests.Access;

/// <summary>Issue 13.5: the lockout holds under concurrency, and its answers do not tell names apart.</summary>
[Collection(AppCollection.Name)]
public sealed class brute_force(AppFixture app) : IAsyncLifetime
{
    private TestProvince p = null!;

    public async Task InitializeAsync() => p = await TestProvince.CreateAsync(app);

    public Task DisposeAsync() => Task.CompletedTask;

    private Task<ApiResponse> Login(string username, string password) =>
        new Api(app.Host, null).Post("/api/auth/token", new { username, password });

    private long Checks => app.Host.Services.GetRequiredService<Logins>().PasswordChecks;

    private async Task<string> NewReviewer()
    {
        var username = "bf-" + Guid.NewGuid().ToString("N")[..10];
        await Api.CreateUserAsync(app.Host, p.Admin, p.Admin2, new { username, displayName = "Phạm Thị D", role = "Reviewer", organisationId = p.OrgA }, TestProvince.Password);
        return username;
    }

    private async Task<(int Failed, bool Locked)> Row(string username)
    {
        await using var conn = new NpgsqlConnection(TestDatabase.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"select failed, locked_until > @now from {app.Schema}.{SignInAttempts.TableName} where username = @u", conn);
        cmd.Parameters.AddWithValue("u", username);
        cmd.Parameters.AddWithValue("now", app.Clock.GetUtcNow());
        await using var reader = await cmd.ExecuteReaderAsync();
        return await reader.ReadAsync() ? (reader.GetInt32(0), !reader.IsDBNull(1) && reader.GetBoolean(1)) : (0, false);
    }

    [Fact]
    public async Task sixteen_clients_sending_four_wrong_passwords_each_get_at_most_five_checked()
    {
        var user = await NewReviewer();
        var before = Checks;
        var answers = await Task.WhenAll(Enumerable.Range(0, 16).Select(client => Task.Run(async () =>
        {
            var mine = new List<ApiResponse>();
            for (var i = 0; i < 4; i++) mine.Add(await Login(user, $"wrong-{client}-{i}"));
            return mine;
        })));

        (Checks - before).ShouldBeLessThanOrEqualTo(5, "passwords actually compared");
        answers.SelectMany(a => a).ShouldAllBe(a => a.Status == 401 && a.Code == "auth.invalid");
        var (failed, locked) = await Row(user);
        failed.ShouldBe(64);
        locked.ShouldBeTrue();
        (await Login(user, TestProvince.Password)).Status.ShouldBe(401, "locked after the burst");
    }

    [Fact]
    public async Task the_right_password_after_a_burst_of_wrong_ones_is_refused()
    {
        var user = await NewReviewer();
        var before = Checks;
        await Task.WhenAll(Enumerable.Range(0, 47).Select(i => Task.Run(() => Login(user, $"guess-{i}"))));
        (Checks - before).ShouldBeLessThanOrEqualTo(5);

        // The right one, alone and then inside a second burst: refused either way.
        (await Login(user, TestProvince.Password)).Status.ShouldBe(401);
        var burst = Enumerable.Range(0, 20).Select(i => Task.Run(() => Login(user, i == 10 ? TestProvince.Password : $"again-{i}"))).ToArray();
        (await Task.WhenAll(burst)).ShouldAllBe(a => a.Status == 401);
    }

    [Fact]
    public async Task an_unknown_name_a_wrong_password_and_a_locked_account_get_the_same_answer()
    {
        var wrong = await NewReviewer();
        var locked = await NewReviewer();
        for (var i = 0; i < 5; i++) await Login(locked, "wrong-password!");
        var unknown = "nobody-" + Guid.NewGuid().ToString("N")[..8];

        var answers = new[]
        {
            await Login(unknown, "wrong-password!"),
            await Login(wrong, "wrong-password!"),
            await Login(locked, TestProvince.Password)
        };
        answers.ShouldAllBe(a => a.Status == 401);
        answers.Select(a => a.Text).Distinct().Count().ShouldBe(1, string.Join("\n", answers.Select(a => a.Text)));
        answers[0].Code.ShouldBe("auth.invalid");
        answers.Select(a => string.Join(",", a.Raw.Headers.Select(h => h.Key).Order())).Distinct().Count().ShouldBe(1);

        // Comparable timing: each path compares one password hash (a dummy one when there is nothing real
        // to compare), so no path is several times faster than another.
        async Task<double> Median(string name, string password)
        {
            var times = new List<double>();
            for (var i = 0; i < 5; i++)
            {
                var watch = Stopwatch.StartNew();
                await Login(name, password);
                times.Add(watch.Elapsed.TotalMilliseconds);
            }

            return times.Order().ElementAt(2);
        }

        var medians = new[] { await Median(unknown, "x-wrong"), await Median(wrong + "-x", "x-wrong"), await Median(locked, TestProvince.Password) };
        var wrongOnly = await Median(wrong, "wrong-again");
        medians.Append(wrongOnly).Min().ShouldBeGreaterThan(medians.Append(wrongOnly).Max() / 4, string.Join(", ", medians.Append(wrongOnly)));
    }

    [Fact]
    public async Task hostile_sign_in_input_is_400_never_500()
    {
        var huge = new string('a', 1_000_000);
        foreach (var body in new[]
                 {
                     """{"username":"no\u0000body","password":"x"}""", """{"username":"nobody-hostile","password":"\u0000"}""",
                     $$"""{"username":"{{huge}}","password":"x"}""", $$"""{"username":"nobody-hostile","password":"{{huge}}"}""",
                     """{"username":3,"password":"x"}""", """{"username":["a"],"password":"x"}""", "[]", "null", "{", ""
                 })
        {
            foreach (var route in new[] { "/api/auth/token", "/api/auth/password" })
            {
                var answer = await new Api(app.Host, null).PostRaw(route, body);
                answer.Status.ShouldBeOneOf([400, 401, 413], $"{route} {body[..Math.Min(body.Length, 60)]}: {answer.Status}");
            }
        }

        var nul = await new Api(app.Host, null).Post("/api/auth/password", new { username = "no\0body", currentPassword = "x", newPassword = "long-enough-password" });
        nul.Status.ShouldBe(400);
    }
}
