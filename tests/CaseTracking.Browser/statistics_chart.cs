using System.Net;
using System.Text.RegularExpressions;
using CaseTracking.Browser.Infrastructure;

namespace CaseTracking.Browser;

/// <summary>
/// The statistics page's chart: Chart.js from npm (wwwroot/lib, ops/frontend) loaded as the other front-end packages
/// are (fingerprinted, cached for a year, deferred), and the page whole without it: the table is the content.
/// </summary>
[Collection(UiCollection.Name)]
public sealed class statistics_chart(UiFixture ui)
{
    [Fact]
    public async Task chart_js_is_loaded_fingerprinted_and_cached_like_the_other_packages()
    {
        var page = await ui.SignInAsync(ui.Auditor.Username, width: 1366, height: 900);
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        await page.GotoAsync("/audit/statistics");
        var src = await page.Locator("script[src*='chart.umd']").GetAttributeAsync("src");
        src.ShouldNotBeNull();
        Regex.IsMatch(src, @"^/lib/chartjs/chart\.umd\.[a-z0-9]+\.js$").ShouldBeTrue($"a fingerprinted name: {src}");
        (await page.Locator("script[src*='chart.umd']").GetAttributeAsync("defer")).ShouldNotBeNull();

        using var http = new HttpClient { BaseAddress = new Uri(ui.BaseUrl) };
        using var file = await http.GetAsync(src);
        file.StatusCode.ShouldBe(HttpStatusCode.OK);
        file.Headers.CacheControl!.ToString().ShouldContain("immutable");

        await page.Locator("[data-testid=chart]").WaitForAsync();
        (await page.EvaluateAsync<bool>("() => !!Chart.getChart(document.getElementById('chart'))")).ShouldBeTrue();
        errors.ShouldBeEmpty();
        await ui.ScreenshotAsync(page, "auditor-statistics-chart");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task without_chart_js_the_page_shows_its_table_and_no_empty_chart()
    {
        var page = await ui.SignInAsync(ui.Auditor.Username, width: 360, height: 740);
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        await page.RouteAsync("**/lib/chartjs/**", route => route.AbortAsync());
        await page.GotoAsync("/audit/statistics");
        await page.WaitForLoadStateAsync(Microsoft.Playwright.LoadState.NetworkIdle);
        (await page.Locator("[data-testid=chart]").IsHiddenAsync()).ShouldBeTrue();
        (await page.Locator("[data-testid=stats] tbody tr").CountAsync()).ShouldBeGreaterThan(0);
        (await page.Locator("[data-testid=stats-total]").IsVisibleAsync()).ShouldBeTrue();
        errors.ShouldBeEmpty();
        await ui.ScreenshotAsync(page, "auditor-statistics-no-chart-phone");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task without_javascript_the_page_shows_its_table_and_no_empty_chart()
    {
        var page = await ui.SignInAsync(ui.Auditor.Username, width: 1366, height: 900, javaScript: false);
        await page.GotoAsync("/audit/statistics");
        (await page.Locator("[data-testid=chart]").IsHiddenAsync()).ShouldBeTrue();
        (await page.Locator("[data-testid=stats] tbody tr").CountAsync()).ShouldBeGreaterThan(0);
        await page.Context.CloseAsync();
    }
}
