using CaseTracking.Browser.Infrastructure;
using CaseTracking.Tests.Provinces;
using Microsoft.Playwright;

namespace CaseTracking.Browser;

/// <summary>
/// Issue 19: the national administrator's page walked in Chromium on a phone (360 px) and a desk screen (1366 px): the
/// list, a bad code, a province on the shared database and one on its own database (the second cluster), in Vietnamese
/// and in English. Screenshots go to artifacts/screenshots (national-*.png).
/// </summary>
[Collection(UiCollection.Name)]
public sealed class national_walk(UiFixture ui)
{
    [Fact]
    public Task at_1366_px() => WalkAsync(1366, 900);

    /// <summary>Found by this walk: at 360 px /national is 676 px wide (the province table's caption wraps a word a line).</summary>
    [Fact]
    public Task at_360_px() => WalkAsync(360, 740);

    private async Task WalkAsync(int width, int height)
    {
        var cluster = SecondCluster.Start();
        var databaseName = $"ct_ui_{width}_" + Guid.NewGuid().ToString("N")[..6];
        var database = await SecondCluster.CreateDatabaseAsync(cluster, databaseName);
        try
        {
            var page = await ui.SignInAsync("national", UiFixture.NationalPassword, width, height);
            await page.GotoAsync("/national");
            (await page.Locator("h1").InnerTextAsync()).ShouldBe("Các tỉnh");
            (await page.Locator("[data-testid=provinces]").InnerTextAsync()).ShouldContain("demo");
            await NoSidewaysScrollAsync(page);
            await ui.ScreenshotAsync(page, $"national-list-{width}");

            // A bad code: the field is marked and said what is wrong, in Vietnamese; nothing is added.
            await OpenFormAsync(page);
            await page.FillAsync("#p-code", "Hà Nội!");
            await page.FillAsync("#p-name", "Thành phố Hà Nội");
            await page.FillAsync("#p-admin", "qtv-hanoi");
            await page.ClickAsync("[data-testid=add-province]");
            (await page.GetAttributeAsync("#p-code", "aria-invalid")).ShouldBe("true");
            var error = await page.Locator("#err-province-code").InnerTextAsync();
            error.ShouldNotBeNullOrWhiteSpace();
            (await page.InputValueAsync("#p-name")).ShouldBe("Thành phố Hà Nội", "what was typed is kept");
            await NoSidewaysScrollAsync(page);
            await ui.ScreenshotAsync(page, $"national-bad-code-{width}");

            // On the shared database.
            var shared = "t" + width + Guid.NewGuid().ToString("N")[..4];
            await AddAsync(page, shared, "Tỉnh Thử Nghiệm Chung", null);
            (await page.Locator("[data-testid=one-time-password]").InnerTextAsync()).Length.ShouldBeGreaterThan(8);
            await ui.ScreenshotAsync(page, $"national-added-{width}");
            (await RowOfAsync(page, shared)).ShouldContain("Cơ sở dữ liệu chung");

            // On its own database.
            var own = "r" + width + Guid.NewGuid().ToString("N")[..4];
            await AddAsync(page, own, "Tỉnh Thử Nghiệm Riêng", database);
            (await RowOfAsync(page, own)).ShouldContain("Cơ sở dữ liệu riêng");
            // The connection string (its password above all) is never shown back.
            (await page.ContentAsync()).ShouldNotContain(new Npgsql.NpgsqlConnectionStringBuilder(database).Password!);
            (await page.InputValueAsync("#p-database")).ShouldBeEmpty();
            await NoSidewaysScrollAsync(page);

            // A database that does not answer: said on the field, in English once chosen.
            await page.ClickAsync("[data-testid=lang-en]");
            await page.GotoAsync("/national");
            (await page.Locator("h1").InnerTextAsync()).ShouldBe("Provinces");
            await OpenFormAsync(page);
            await page.FillAsync("#p-code", "x" + width + Guid.NewGuid().ToString("N")[..4]);
            await page.FillAsync("#p-name", "Nowhere");
            await page.FillAsync("#p-database", "Host=127.0.0.1;Port=1;Database=nowhere;Username=u;Password=p");
            await page.FillAsync("#p-admin", "admin-nowhere-" + width);
            await page.ClickAsync("[data-testid=add-province]");
            (await page.GetAttributeAsync("#p-database", "aria-invalid")).ShouldBe("true");
            (await page.Locator("main").InnerTextAsync()).ShouldContain("database", Case.Insensitive);
            await NoSidewaysScrollAsync(page);
            await ui.ScreenshotAsync(page, $"national-en-unreachable-{width}");
            await page.Context.CloseAsync();
        }
        finally
        {
            await SecondCluster.DropDatabaseAsync(cluster, databaseName);
        }
    }

    private static async Task OpenFormAsync(IPage page)
    {
        if (await page.Locator("details.action").GetAttributeAsync("open") is null) await page.ClickAsync("[data-testid=new-province]");
    }

    private static async Task AddAsync(IPage page, string code, string name, string? database)
    {
        await OpenFormAsync(page);
        await page.FillAsync("#p-code", code);
        await page.FillAsync("#p-name", name);
        if (database is not null) await page.FillAsync("#p-database", database);
        await page.FillAsync("#p-admin", "qtv-" + code);
        await page.ClickAsync("[data-testid=add-province]");
        await page.Locator("[data-testid=added]").WaitForAsync();
    }

    private static Task<string> RowOfAsync(IPage page, string code) =>
        page.Locator("[data-testid=provinces] tr", new() { Has = page.Locator($"code:text-is('{code}')") }).InnerTextAsync();

    /// <summary>Nothing wider than the screen: a phone user never scrolls sideways to read or fill the page.</summary>
    private static async Task NoSidewaysScrollAsync(IPage page)
    {
        var (scroll, inner) = (await page.EvaluateAsync<int>("document.documentElement.scrollWidth"), await page.EvaluateAsync<int>("window.innerWidth"));
        scroll.ShouldBeLessThanOrEqualTo(inner, "the page scrolls sideways");
    }
}
