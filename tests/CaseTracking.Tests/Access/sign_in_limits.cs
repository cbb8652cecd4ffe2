using System.Net;
using System.Text.RegularExpressions;
using CaseTracking.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace CaseTracking.Tests.Access;

/// <summary>
/// A host with real sign-in limits: 5 attempts a minute per client address, 3 per user name. The test sets
/// the client address with the X-Test-Client header, as a reverse proxy's forwarded header would.
/// </summary>
public sealed class LimitedAppFixture : AppFixture
{
    public const string ClientHeader = "X-Test-Client";

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["CaseTracking:SignIn:PerClientPermits"] = "5",
        ["CaseTracking:SignIn:PerUserPermits"] = "3",
        ["CaseTracking:SignIn:WindowSeconds"] = "60"
    };

    protected override void ConfigureTestServices(IServiceCollection services) =>
        services.AddSingleton<IStartupFilter>(new ClientAddressFilter());

    private sealed class ClientAddressFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((http, inner) =>
            {
                if (IPAddress.TryParse(http.Request.Headers[ClientHeader].ToString(), out var ip)) http.Connection.RemoteIpAddress = ip;
                return inner(http);
            });
            next(app);
        };
    }
}

/// <summary>Issue 13.5: no more than a few sign-ins per client and per user name are even looked at.</summary>
public sealed class sign_in_limits(LimitedAppFixture app) : IClassFixture<LimitedAppFixture>
{
    private static string NewName() => "lim-" + Guid.NewGuid().ToString("N")[..10];

    private static string NewClient() => $"10.{Random.Shared.Next(256)}.{Random.Shared.Next(256)}.{Random.Shared.Next(1, 255)}";

    private Task<ApiResponse> Login(string client, string username) =>
        new Api(app.Host, null).Send(HttpMethod.Post, "/api/auth/token", new { username, password = "wrong-password!" },
            headers: new Dictionary<string, string> { [LimitedAppFixture.ClientHeader] = client });

    [Fact]
    public async Task the_fourth_attempt_at_one_name_within_a_minute_is_429_with_retry_after()
    {
        var name = NewName();
        for (var i = 0; i < 3; i++) (await Login(NewClient(), name)).Status.ShouldBe(401);
        var limited = await Login(NewClient(), name);
        limited.Status.ShouldBe(429);
        limited.Code.ShouldBe("auth.rate-limited");
        limited.Raw.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        ((int)limited.Raw.Headers.RetryAfter!.Delta!.Value.TotalSeconds).ShouldBeInRange(1, 60);
    }

    [Fact]
    public async Task the_sixth_attempt_from_one_client_within_a_minute_is_429_whatever_the_name()
    {
        var client = NewClient();
        for (var i = 0; i < 5; i++) (await Login(client, NewName())).Status.ShouldBe(401);
        var limited = await Login(client, NewName());
        limited.Status.ShouldBe(429);
        limited.Raw.Headers.RetryAfter.ShouldNotBeNull();
        (await Login(NewClient(), NewName())).Status.ShouldBe(401, "another client is not held back");
    }

    [Fact]
    public async Task a_hundred_sign_ins_at_once_from_one_client_are_mostly_refused_unread()
    {
        var client = NewClient();
        var answers = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => Task.Run(() => Login(client, NewName()))));
        answers.Count(a => a.Status == 401).ShouldBe(5);
        answers.Count(a => a.Status == 429).ShouldBe(95);
    }

    [Fact]
    public async Task the_login_page_says_so_in_vietnamese_with_429()
    {
        var client = NewClient();
        using var http = app.Host.Server.CreateClient();
        http.DefaultRequestHeaders.Add(LimitedAppFixture.ClientHeader, client);
        http.DefaultRequestHeaders.Add("Accept-Language", "vi");
        HttpResponseMessage last = null!;
        for (var i = 0; i < 6; i++)
        {
            var form = await http.GetAsync("/login");
            var html = await form.Content.ReadAsStringAsync();
            var token = Regex.Match(html, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
            using var post = new HttpRequestMessage(HttpMethod.Post, "/login")
            {
                Content = new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["username"] = NewName(), ["password"] = "wrong-password!", ["__RequestVerificationToken"] = token
                })
            };
            if (form.Headers.TryGetValues("Set-Cookie", out var cookies))
                post.Headers.Add("Cookie", string.Join("; ", cookies.Select(c => c.Split(';')[0])));
            last = await http.SendAsync(post);
        }

        ((int)last.StatusCode).ShouldBe(429);
        last.Headers.RetryAfter.ShouldNotBeNull();
        WebUtility.HtmlDecode(await last.Content.ReadAsStringAsync()).ShouldContain("Bạn đã thử đăng nhập quá nhiều lần");
    }
}
