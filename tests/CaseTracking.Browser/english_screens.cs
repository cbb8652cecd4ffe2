using CaseTracking.Browser.Infrastructure;
using Microsoft.Playwright;

namespace CaseTracking.Browser;

/// <summary>The main page of each role in English, for the English half of docs/user-guide.md.</summary>
[Collection(UiCollection.Name)]
public sealed class english_screens(UiFixture ui)
{
    [Fact]
    public async Task every_role_reads_its_home_page_in_english_once_chosen()
    {
        async Task Shoot(string username, string password, string path, string name, string heading, int width = 1280, int height = 900)
        {
            var page = await ui.SignInAsync(username, password, width, height);
            await page.ClickAsync("[data-testid=lang-en]");
            await page.GotoAsync(path);
            (await page.Locator("h1").First.InnerTextAsync()).ShouldContain(heading);
            (await page.GetAttributeAsync("html", "lang")).ShouldBe("en");
            await ui.ScreenshotAsync(page, name);
            await page.Context.CloseAsync();
        }

        await Shoot(ui.ReviewerA.Username, UiFixture.Password, "/my-cases", "en-reviewer-my-cases", "My cases", 360, 740);
        await Shoot(ui.ReviewerA.Username, UiFixture.Password, $"/cases/{ui.ReviewCase}", "en-reviewer-case", ui.ReviewPerson, 360, 740);
        await Shoot(ui.SupervisorA.Username, UiFixture.Password, $"/cases/{ui.PendingCase}/release", "en-supervisor-release-decision", "Decide on release");
        await Shoot(ui.Auditor.Username, UiFixture.Password, $"/cases/{ui.ReviewCase}?verify=true", "en-auditor-case", ui.ReviewPerson);
        await Shoot("admin", UiFixture.AdminPassword, "/admin", "en-admin", "Administration");
        // The admin's own pages (issue 15): each list paged and searchable, its form on top.
        await Shoot("admin", UiFixture.AdminPassword, "/admin/wards", "en-admin-wards", "Wards");
        await Shoot("admin", UiFixture.AdminPassword, "/admin/organisations", "en-admin-organisations", "Organisations");
        await Shoot("admin", UiFixture.AdminPassword, "/admin/users", "en-admin-users", "Users");
        await Shoot("admin", UiFixture.AdminPassword, $"/admin/users?deactivate={ui.ReviewerA.Id}#deactivate-title", "en-admin-user-deactivate", "Users", 360, 740);
    }
}
