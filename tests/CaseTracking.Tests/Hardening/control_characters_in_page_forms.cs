using System.Net;
using CaseTracking.Tests.Infrastructure;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace CaseTracking.Tests.Hardening;

/// <summary>
/// A control character in a page form (issue 19): the pages answer 400 with their error page naming the field, the
/// way the API's ProblemDetails does, never a bare 400 or a 500, and nothing is written.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class control_characters_in_page_forms(AppFixture app) : IAsyncLifetime
{
    private TestProvince province = null!;

    public async Task InitializeAsync() => province = await TestProvince.CreateAsync(app);

    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [InlineData("\u0007")]
    [InlineData("\u001b[31m")]
    [InlineData("\u0085")]
    public async Task the_sign_in_form_names_the_field(string control)
    {
        using var client = app.Host.Server.CreateClient();
        var form = await client.GetAsync("/login");
        var refused = await PostAsync(client, "/login", FormSignIn.CookiesOf(form), await form.Content.ReadAsStringAsync(), new()
        {
            ["username"] = "admin" + control, ["password"] = TestData.AdminPassword
        });

        await ShouldNameAsync(refused, "username");
        // No session cookie was issued.
        FormSignIn.CookiesOf(refused).ShouldNotContain("casetracking=");
    }

    [Fact]
    public async Task the_person_form_of_opening_a_case_names_the_field_and_registers_no_one()
    {
        using var client = app.Host.Server.CreateClient();
        var cookie = await FormSignIn.SignInAsync(client, province.SupervisorA.Username, TestProvince.Password);
        var page = await client.SendAsync(Get("/cases/open", cookie));
        page.StatusCode.ShouldBe(HttpStatusCode.OK);
        var html = await page.Content.ReadAsStringAsync();
        var name = "Nguyễn Văn " + Guid.NewGuid().ToString("N")[..6];

        var refused = await PostAsync(client, "/cases/open?handler=Person", FormSignIn.Merge(cookie, FormSignIn.CookiesOf(page)), html, new()
        {
            ["Person.FullName"] = name + "\u0007", ["Person.DateOfBirth"] = "1990-01-02", ["Person.NationalId"] = "001090012345",
            ["Person.Address"] = "Số 1 đường Một", ["Person.WardId"] = province.WardA.ToString()
        });

        await ShouldNameAsync(refused, "Person.FullName");
        await using var session = app.Store.QuerySession("demo");
        (await session.Query<CaseTracking.People.Person>().AnyAsync(p => p.FullName.StartsWith(name))).ShouldBeFalse();
    }

    [Fact]
    public async Task the_national_form_names_the_field_and_adds_no_province()
    {
        using var client = app.Host.Server.CreateClient();
        var cookie = await FormSignIn.SignInAsync(client, TestData.NationalAdmin, TestData.NationalAdminPassword);
        var page = await client.SendAsync(Get("/national", cookie));
        var code = "n" + Guid.NewGuid().ToString("N")[..6];

        var refused = await PostAsync(client, "/national?handler=Add", FormSignIn.Merge(cookie, FormSignIn.CookiesOf(page)),
            await page.Content.ReadAsStringAsync(), new()
            {
                ["Province.Code"] = code + "\u0008", ["Province.Name"] = "Tỉnh thử", ["Province.AdminUsername"] = "admin-" + code
            });

        await ShouldNameAsync(refused, "Province.Code");
        var provinces = app.Host.Services.GetRequiredService<CaseTracking.Provinces.Provinces>();
        (await provinces.AllAsync(default)).ShouldNotContain(p => p.Code.StartsWith(code));
    }

    /// <summary>
    /// A NUL (%00) is refused by the form reader itself, before InputHygiene sees the values: the field is found in the
    /// raw body, and the error page must not read the refused form again (it did, and answered a bare 400).
    /// </summary>
    [Fact]
    public Task a_nul_is_named_too() => the_sign_in_form_names_the_field("\u0000");

    [Fact]
    public async Task a_control_character_in_a_field_name_is_refused_without_echoing_it()
    {
        using var client = app.Host.Server.CreateClient();
        var form = await client.GetAsync("/login");
        var refused = await PostAsync(client, "/login", FormSignIn.CookiesOf(form), await form.Content.ReadAsStringAsync(), new()
        {
            ["user\u0000name"] = "admin", ["password"] = TestData.AdminPassword
        });

        refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await refused.Content.ReadAsStringAsync()).ShouldNotContain("\u0000");
    }

    /// <summary>400, the error page with the field's name in its marked paragraph, and no stack trace or 500.</summary>
    private static async Task ShouldNameAsync(HttpResponseMessage refused, string field)
    {
        var body = await refused.Content.ReadAsStringAsync();
        refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest, body);
        body.ShouldContain($"data-field=\"{field}\"");
        body.ShouldContain("role=\"alert\"");
        body.ShouldNotContain("Exception");
    }

    private static HttpRequestMessage Get(string path, string cookie)
    {
        var get = new HttpRequestMessage(HttpMethod.Get, path);
        get.Headers.Add("Cookie", cookie);
        return get;
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string path, string cookie, string html, Dictionary<string, string> fields)
    {
        fields["__RequestVerificationToken"] = FormSignIn.AntiforgeryTokenOf(html);
        using var post = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(fields) };
        post.Headers.Add("Cookie", cookie);
        return await client.SendAsync(post);
    }
}
