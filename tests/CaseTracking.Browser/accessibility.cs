using CaseTracking.Browser.Infrastructure;
using Microsoft.Playwright;

namespace CaseTracking.Browser;

/// <summary>axe-core over each main page of each role: no serious or critical violation. Also the screenshots.</summary>
[Collection(UiCollection.Name)]
public sealed class accessibility(UiFixture ui)
{
    [Fact]
    public async Task the_main_pages_have_no_serious_accessibility_violations()
    {
        var found = new List<string>();

        async Task Check(IPage page, string path, string screenshot)
        {
            var response = await page.GotoAsync(path);
            response!.Status.ShouldBe(200, $"GET {path}");
            await ui.ScreenshotAsync(page, screenshot);
            found.AddRange((await ui.SeriousViolationsAsync(page)).Select(v => $"{path}: {v}"));
        }

        var anonymous = await ui.AnonymousAsync();
        await Check(anonymous, "/login", "login");
        await anonymous.Context.CloseAsync();

        var reviewer = await ui.SignInAsync(ui.ReviewerA.Username, width: 360, height: 740);
        await Check(reviewer, "/my-cases", "reviewer-my-cases");
        await Check(reviewer, $"/cases/{ui.ReviewCase}", "reviewer-case");
        await reviewer.Context.CloseAsync();

        var supervisor = await ui.SignInAsync(ui.SupervisorA.Username);
        await Check(supervisor, "/supervise", "supervisor-alerts");
        await Check(supervisor, $"/cases/{ui.ReviewCase}", "supervisor-case");
        await Check(supervisor, "/cases/open?q=Nguy", "supervisor-open-case-search");
        await Check(supervisor, $"/cases/{ui.PendingCase}/release", "supervisor-release-decision");
        await supervisor.Context.CloseAsync();

        var auditor = await ui.SignInAsync(ui.Auditor.Username);
        await Check(auditor, "/audit", "auditor-cases");
        await Check(auditor, $"/cases/{ui.ReviewCase}?verify=true", "auditor-case");
        await Check(auditor, "/audit/access", "auditor-access-log");
        await Check(auditor, "/audit/statistics", "auditor-statistics");
        await auditor.Context.CloseAsync();

        var admin = await ui.SignInAsync("admin", UiFixture.AdminPassword);
        await Check(admin, "/admin", "admin");
        await Check(admin, "/admin/wards", "admin-wards-list");
        await Check(admin, "/admin/organisations", "admin-organisations-list");
        await Check(admin, "/admin/users", "admin-users-list");
        await Check(admin, $"/admin/users?edit={ui.SupervisorA.Id}", "admin-user-change-access");
        await admin.Context.CloseAsync();

        // The long lists on a phone: stacked rows, 44 px targets.
        var phone = await ui.SignInAsync("admin", UiFixture.AdminPassword, 360, 740);
        await Check(phone, "/admin/users", "admin-users-list-phone");
        await phone.Context.CloseAsync();
        var auditorPhone = await ui.SignInAsync(ui.Auditor.Username, width: 360, height: 740);
        await Check(auditorPhone, "/audit/access", "auditor-access-log-list-phone");
        await auditorPhone.Context.CloseAsync();

        found.ShouldBeEmpty(string.Join("\n", found));
    }

    [Fact]
    public async Task a_failure_shows_a_page_not_a_stack_trace()
    {
        var page = await ui.SignInAsync(ui.ReviewerA.Username);
        var response = await page.GotoAsync($"/cases/{Guid.NewGuid()}");
        response!.Status.ShouldBe(404);
        var text = await page.Locator("main").InnerTextAsync();
        text.ShouldContain("Không tìm thấy");
        text.ShouldNotContain("Exception");
        await page.Context.CloseAsync();
    }
}
