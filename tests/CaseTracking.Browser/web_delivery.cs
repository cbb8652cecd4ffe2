using System.Net;
using System.Text.RegularExpressions;
using CaseTracking.Browser.Infrastructure;

namespace CaseTracking.Browser;

/// <summary>
/// How pages and files travel (issue 15): compressed, style sheet and scripts under fingerprinted names cached for a
/// year, htmx only where a page uses it, a favicon.
/// </summary>
[Collection(UiCollection.Name)]
public sealed class web_delivery(UiFixture ui)
{
    private HttpClient Client(DecompressionMethods decompress = DecompressionMethods.None) =>
        new(new HttpClientHandler { AutomaticDecompression = decompress }) { BaseAddress = new Uri(ui.BaseUrl) };

    [Theory]
    [InlineData("br")]
    [InlineData("gzip")]
    public async Task pages_and_static_files_are_compressed(string encoding)
    {
        using var http = Client();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/login");
        request.Headers.TryAddWithoutValidation("Accept-Encoding", encoding);
        using var page = await http.SendAsync(request);
        page.StatusCode.ShouldBe(HttpStatusCode.OK);
        page.Content.Headers.ContentEncoding.ShouldContain(encoding);

        using var plain = Client(DecompressionMethods.All);
        var html = await plain.GetStringAsync("/login");
        var css = Regex.Match(html, "href=\"(/css/site\\.[a-z0-9]+\\.css)\"").Groups[1].Value;
        css.ShouldNotBeEmpty("the style sheet has a fingerprinted name: " + html[..Math.Min(800, html.Length)]);
        using var cssRequest = new HttpRequestMessage(HttpMethod.Get, css);
        cssRequest.Headers.TryAddWithoutValidation("Accept-Encoding", encoding);
        using var file = await http.SendAsync(cssRequest);
        file.StatusCode.ShouldBe(HttpStatusCode.OK);
        file.Content.Headers.ContentEncoding.ShouldContain(encoding);
        file.Headers.CacheControl!.ToString().ShouldContain("immutable");
        file.Headers.CacheControl.MaxAge!.Value.TotalDays.ShouldBeGreaterThan(300);
        (await file.Content.ReadAsByteArrayAsync()).Length.ShouldBeGreaterThan(100);
    }

    [Fact]
    public async Task htmx_is_loaded_only_by_the_page_that_uses_it_and_there_is_a_favicon()
    {
        using var http = Client(DecompressionMethods.All);
        var login = await http.GetStringAsync("/login");
        login.ShouldNotContain("htmx");
        var icon = Regex.Match(login, "rel=\"icon\" href=\"(/favicon\\.[a-z0-9]+\\.svg)\"").Groups[1].Value;
        icon.ShouldNotBeEmpty();
        (await http.GetByteArrayAsync(icon)).Length.ShouldBeGreaterThan(100);
        (await http.GetByteArrayAsync("/favicon.ico")).Length.ShouldBeGreaterThan(100);

        var page = await ui.SignInAsync(ui.SupervisorA.Username);
        (await page.ContentAsync()).ShouldNotContain("htmx");
        await page.GotoAsync("/cases/open");
        (await page.EvaluateAsync<bool>("() => typeof htmx !== 'undefined'")).ShouldBeTrue();
        await page.Context.CloseAsync();
    }
}
