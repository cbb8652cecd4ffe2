using System.Net;
using System.Text.RegularExpressions;
using CaseTracking.Tests.Infrastructure;
using Shouldly;
using Xunit;

namespace CaseTracking.Tests.Provinces;

/// <summary>The national administrator's page, through the browser's own way in: the sign-in form and its cookie.</summary>
[Collection(AppCollection.Name)]
public sealed partial class the_national_page(AppFixture app)
{
    [Fact]
    public async Task the_national_admin_lists_provinces_adds_one_and_is_told_what_is_wrong()
    {
        using var client = app.Host.Server.CreateClient();
        var (cookie, _) = await SignInAsync(client, TestData.NationalAdmin, TestData.NationalAdminPassword);

        var page = await GetAsync(client, "/national", cookie);
        page.StatusCode.ShouldBe(HttpStatusCode.OK);
        cookie = Merge(cookie, CookiesOf(page));
        var html = await page.Content.ReadAsStringAsync();
        html.ShouldContain("<code>demo</code>");

        var code = "q" + Guid.NewGuid().ToString("N")[..5];
        // A code that is not one: the field is marked on the page, nothing is added.
        var refused = await AddAsync(client, cookie, html, "không hợp lệ!", "Tỉnh thử");
        var refusedHtml = await refused.Content.ReadAsStringAsync();
        refused.StatusCode.ShouldBe(HttpStatusCode.OK);
        Regex.IsMatch(refusedHtml, "id=\"p-code\"[^>]*aria-invalid=\"true\"").ShouldBeTrue(refusedHtml);
        refusedHtml.ShouldNotContain($"<code>{code}</code>");

        // A good one: listed at once.
        var added = await AddAsync(client, cookie, refusedHtml, code, "Tỉnh thử nghiệm");
        added.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await added.Content.ReadAsStringAsync()).ShouldContain($"<code>{code}</code>");

        // A control character in the form is refused before the page runs: 400, never a 500, and nothing added.
        // (Today the answer does not name the field; noted in issue 19's closing note.)
        var hostile = await AddAsync(client, cookie, refusedHtml, "x" + code, "Tỉnh\u0000thử");
        hostile.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var list = await GetAsync(client, "/national", cookie);
        (await list.Content.ReadAsStringAsync()).ShouldNotContain($"<code>x{code}</code>");
    }

    [Fact]
    public async Task a_province_admin_is_not_let_in()
    {
        using var client = app.Host.Server.CreateClient();
        var (cookie, _) = await SignInAsync(client, "admin", TestData.AdminPassword);
        var page = await GetAsync(client, "/national", cookie);
        ((int)page.StatusCode).ShouldBeOneOf(403, 302);
        (await page.Content.ReadAsStringAsync()).ShouldNotContain("Province.Code");
    }

    private static async Task<HttpResponseMessage> AddAsync(HttpClient client, string cookie, string html, string code, string name)
    {
        using var post = new HttpRequestMessage(HttpMethod.Post, "/national?handler=Add")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["Province.Code"] = code, ["Province.Name"] = name, ["Province.AdminUsername"] = "admin-" + code,
                ["__RequestVerificationToken"] = AntiforgeryToken().Match(html).Groups[1].Value
            })
        };
        post.Headers.Add("Cookie", cookie);
        return await client.SendAsync(post);
    }

    private static async Task<HttpResponseMessage> GetAsync(HttpClient client, string path, string cookie)
    {
        using var get = new HttpRequestMessage(HttpMethod.Get, path);
        get.Headers.Add("Cookie", cookie);
        return await client.SendAsync(get);
    }

    private static async Task<(string Cookie, HttpResponseMessage Answer)> SignInAsync(HttpClient client, string username, string password)
    {
        var form = await client.GetAsync("/login");
        var antiforgery = AntiforgeryToken().Match(await form.Content.ReadAsStringAsync()).Groups[1].Value;
        using var post = new HttpRequestMessage(HttpMethod.Post, "/login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["username"] = username, ["password"] = password, ["__RequestVerificationToken"] = antiforgery
            })
        };
        post.Headers.Add("Cookie", CookiesOf(form));
        var signedIn = await client.SendAsync(post);
        ((int)signedIn.StatusCode).ShouldBe(302, await signedIn.Content.ReadAsStringAsync());
        // The form's antiforgery cookie stays with the session cookie: the page's own forms need both.
        return (Merge(CookiesOf(form), CookiesOf(signedIn)), signedIn);
    }

    /// <summary>A cookie jar in one line: later values of the same name win.</summary>
    private static string Merge(string earlier, string later)
    {
        var jar = new Dictionary<string, string>();
        foreach (var pair in (earlier + "; " + later).Split("; ", StringSplitOptions.RemoveEmptyEntries))
            jar[pair.Split('=')[0]] = pair;
        return string.Join("; ", jar.Values);
    }

    private static string CookiesOf(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var cookies) ? string.Join("; ", cookies.Select(c => c.Split(';')[0])) : "";

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}
