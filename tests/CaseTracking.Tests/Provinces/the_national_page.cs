using System.Net;
using System.Text.RegularExpressions;
using CaseTracking.Tests.Infrastructure;
using Shouldly;
using Xunit;

namespace CaseTracking.Tests.Provinces;

/// <summary>The national administrator's page, through the browser's own way in: the sign-in form and its cookie.</summary>
[Collection(AppCollection.Name)]
public sealed class the_national_page(AppFixture app)
{
    [Fact]
    public async Task the_national_admin_lists_provinces_adds_one_and_is_told_what_is_wrong()
    {
        using var client = app.Host.Server.CreateClient();
        var cookie = await FormSignIn.SignInAsync(client, TestData.NationalAdmin, TestData.NationalAdminPassword);

        var page = await GetAsync(client, "/national", cookie);
        page.StatusCode.ShouldBe(HttpStatusCode.OK);
        cookie = FormSignIn.Merge(cookie, FormSignIn.CookiesOf(page));
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
        var hostile = await AddAsync(client, cookie, refusedHtml, "x" + code, "Tỉnh\u0000thử");
        hostile.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        // (A NUL is not yet named on the page: see control_characters_in_page_forms.a_nul_is_named_too.)
        var list = await GetAsync(client, "/national", cookie);
        (await list.Content.ReadAsStringAsync()).ShouldNotContain($"<code>x{code}</code>");
    }

    [Fact]
    public async Task a_province_admin_is_not_let_in()
    {
        using var client = app.Host.Server.CreateClient();
        var cookie = await FormSignIn.SignInAsync(client, "admin", TestData.AdminPassword);
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
                ["__RequestVerificationToken"] = FormSignIn.AntiforgeryTokenOf(html)
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
}
