using System.Globalization;
using CaseTracking.Browser.Infrastructure;
using Microsoft.Playwright;

namespace CaseTracking.Browser;

/// <summary>The main task of each role, clicked through as a user would, in the default language (Vietnamese).</summary>
[Collection(UiCollection.Name)]
public sealed class ui_scenarios(UiFixture ui)
{
    [Fact]
    public async Task a_reviewer_on_a_phone_logs_a_review_and_sees_it_on_the_timeline()
    {
        var page = await ui.SignInAsync(ui.ReviewerA.Username, width: 360, height: 740);
        page.Url.ShouldEndWith("/my-cases");
        await ui.ScreenshotAsync(page, "reviewer-my-cases");

        await page.GetByRole(AriaRole.Link, new() { Name = ui.ReviewPerson }).ClickAsync();
        (await page.InputValueAsync("#review-period")).ShouldNotBeNullOrEmpty("the period due is preselected");
        await page.ClickAsync("[data-testid=rating-Good]");
        await page.FillAsync("#review-summary", "Gặp tại nhà, đã có việc làm ổn định ở xưởng may.");
        await ui.ScreenshotAsync(page, "reviewer-case-review-form");
        await page.ClickAsync("[data-testid=review-submit]");

        await page.Locator("[data-testid=done]").WaitForAsync();
        var timeline = await page.Locator("[data-testid=timeline]").InnerTextAsync();
        timeline.ShouldContain("xưởng may");
        timeline.ShouldContain("Tốt");
        (await page.EvaluateAsync<int>("document.documentElement.scrollWidth")).ShouldBeLessThanOrEqualTo(360, "nothing scrolls sideways on a phone");
        await ui.ScreenshotAsync(page, "reviewer-review-logged");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task a_reviewer_sees_field_errors_next_to_the_field_and_keeps_what_was_typed()
    {
        var page = await ui.SignInAsync(ui.ReviewerA.Username, width: 360, height: 740);
        await page.GotoAsync($"/cases/{ui.ReviewCase}");
        await page.FillAsync("#review-summary", "Chưa chọn kết quả");
        await page.ClickAsync("[data-testid=review-submit]");

        (await page.Locator("#err-review-rating").InnerTextAsync()).ShouldNotBeNullOrWhiteSpace();
        (await page.InputValueAsync("#review-summary")).ShouldBe("Chưa chọn kết quả");
        await ui.ScreenshotAsync(page, "reviewer-field-error");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task a_supervisor_opens_a_case_and_assigns_it()
    {
        var page = await ui.SignInAsync(ui.SupervisorA.Username);
        page.Url.ShouldEndWith("/supervise");
        await ui.ScreenshotAsync(page, "supervisor-alerts");

        await page.ClickAsync("[data-testid=open-case]");
        await page.FillAsync("#q", ui.NewPerson.Split(' ')[^1]);
        // htmx shows the matches as the user types; the search button is there for browsers without JavaScript.
        await page.Locator("[data-testid=people]").WaitForAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = ui.NewPerson }).ClickAsync();
        (await page.Locator("[data-testid=chosen-person]").InnerTextAsync()).ShouldBe(ui.NewPerson);

        var today = DateOnly.FromDateTime(DateTime.Now);
        await page.SelectOptionAsync("#o-kind", "SuspendedSentence");
        await page.FillAsync("#o-decision", "45/2026/HS-ST");
        await page.FillAsync("#o-issuedby", "Tòa án nhân dân quận Hoàn Kiếm");
        await page.FillAsync("#o-issuedon", Iso(today.AddDays(-20)));
        await page.FillAsync("#o-starts", Iso(today.AddDays(-10)));
        await page.FillAsync("#o-ends", Iso(today.AddDays(-10).AddMonths(18)));
        await ui.ScreenshotAsync(page, "supervisor-open-case");
        await page.ClickAsync("[data-testid=open-submit]");

        await page.Locator("[data-testid=done]").WaitForAsync();
        (await page.Locator("[data-testid=status]").InnerTextAsync()).ShouldBe("Chờ phân công");
        await page.SelectOptionAsync("#assign-mentor", ui.ReviewerA.Id.ToString());
        await page.FillAsync("#assign-reason", "Gần nơi cư trú");
        await ui.ScreenshotAsync(page, "supervisor-assign");
        await page.ClickAsync("[data-testid=assign-submit]");

        await page.Locator("[data-testid=done]").WaitForAsync();
        (await page.Locator("[data-testid=status]").InnerTextAsync()).ShouldBe("Đang giám sát");
        (await page.Locator("[data-testid=timeline]").InnerTextAsync()).ShouldContain(ui.ReviewerA.DisplayName);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task one_supervisor_recommends_release_is_offered_only_withdrawal_and_a_second_sees_the_note_and_approves()
    {
        var first = await ui.SignInAsync(ui.SupervisorA.Username);
        await first.GotoAsync($"/cases/{ui.ReleaseCase}");
        await first.ClickAsync("details.action:has([data-testid=recommend-submit]) > summary");
        (await first.IsCheckedAsync("#grounds-TermCompleted")).ShouldBeTrue("the term has ended, so TermCompleted is offered");
        (await first.IsDisabledAsync("#grounds-EarlyForProgress")).ShouldBeTrue();
        (await first.Locator("[data-testid=why-EarlyForProgress]").InnerTextAsync()).ShouldNotBeNullOrWhiteSpace();
        await first.FillAsync("#recommend-note", "Đã chấp hành xong thời hạn, không vi phạm.");
        await first.ClickAsync("[data-testid=recommend-submit]");
        await first.Locator("[data-testid=done]").WaitForAsync();
        (await first.Locator("[data-testid=status]").InnerTextAsync()).ShouldBe("Chờ duyệt chấm dứt");

        await first.ClickAsync("[data-testid=decide-release]");
        (await first.Locator("[data-testid=four-eyes]").InnerTextAsync()).ShouldContain("người đề nghị không được tự phê duyệt");
        // The recommender is not offered a decision the four-eyes rule refuses (the API still refuses it: write_api).
        (await first.Locator("[data-testid=you-recommended]").InnerTextAsync()).ShouldContain("rút lại");
        (await first.Locator("[data-testid=approve-submit]").CountAsync()).ShouldBe(0);
        (await first.Locator("[data-testid=withdraw-submit]").CountAsync()).ShouldBe(1);
        await ui.ScreenshotAsync(first, "supervisor-release-refused-four-eyes");
        await first.Context.CloseAsync();

        var second = await ui.SignInAsync(ui.SupervisorA2.Username);
        await second.GotoAsync($"/cases/{ui.ReleaseCase}/release");
        (await second.Locator("[data-testid=pending-note]").InnerTextAsync()).ShouldBe("Đã chấp hành xong thời hạn, không vi phạm.");
        await second.FillAsync("#decision", "12/QĐ-UBND");
        await ui.ScreenshotAsync(second, "supervisor-release-approve");
        await second.ClickAsync("[data-testid=approve-submit]");
        await second.Locator("[data-testid=done]").WaitForAsync();
        (await second.Locator("[data-testid=status]").InnerTextAsync()).ShouldBe("Đã chấm dứt");
        await second.Context.CloseAsync();
    }

    [Fact]
    public async Task an_auditor_moves_the_as_of_moment_and_sees_the_earlier_status()
    {
        var page = await ui.SignInAsync(ui.Auditor.Username);
        page.Url.ShouldEndWith("/audit");
        await ui.ScreenshotAsync(page, "auditor-cases");
        await page.GotoAsync($"/cases/{ui.ReviewCase}");
        (await page.Locator("[data-testid=status]").InnerTextAsync()).ShouldBe("Đang giám sát");

        await page.FillAsync("#asof-at", ui.BeforeAssignment.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture));
        await page.ClickAsync("[data-testid=asof-submit]");
        (await page.Locator("[data-testid=asof-status]").InnerTextAsync()).ShouldBe("Chờ phân công");
        (await page.Locator("[data-testid=asof-result]").InnerTextAsync()).ShouldContain("như hệ thống đã ghi nhận");
        (await page.Locator("[data-testid=timeline]").CountAsync()).ShouldBe(0, "the past alone: nothing of today on screen");
        await ui.ScreenshotAsync(page, "auditor-case-as-of");

        // As it was on a day, by business dates: the case started three months ago, so a month ago it existed.
        await page.GotoAsync($"/cases/{ui.ReviewCase}?on={DateTime.Now.AddMonths(-1):yyyy-MM-dd}");
        (await page.Locator("[data-testid=asof-result]").InnerTextAsync()).ShouldContain("như thực tế vào ngày");
        await page.GotoAsync($"/cases/{ui.ReviewCase}?on={DateTime.Now.AddMonths(-4):yyyy-MM-dd}");
        (await page.Locator("[data-testid=asof-missing]").CountAsync()).ShouldBe(1, "four months ago it had not started");

        await page.GotoAsync($"/cases/{ui.ReviewCase}");
        await page.ClickAsync("[data-testid=verify-submit]");
        (await page.Locator("[data-testid=verify-result]").InnerTextAsync()).ShouldContain("Toàn vẹn");

        await page.GotoAsync($"/audit/access?caseId={ui.ReviewCase}");
        (await page.Locator("[data-testid=access]").InnerTextAsync()).ShouldContain(ui.Auditor.Username);
        await ui.ScreenshotAsync(page, "auditor-access-log");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task the_language_switches_to_english_and_back()
    {
        var page = await ui.SignInAsync(ui.SupervisorA.Username);
        (await page.Locator("h1").First.InnerTextAsync()).ShouldBe("Cảnh báo");
        await page.ClickAsync("[data-testid=lang-en]");
        (await page.Locator("h1").First.InnerTextAsync()).ShouldBe("Alerts");
        (await page.GetAttributeAsync("html", "lang")).ShouldBe("en");
        page.Url.ShouldEndWith("/supervise");
        await ui.ScreenshotAsync(page, "supervisor-alerts-english");
        await page.ClickAsync("[data-testid=lang-vi]");
        (await page.Locator("h1").First.InnerTextAsync()).ShouldBe("Cảnh báo");
        (await page.GetAttributeAsync("html", "lang")).ShouldBe("vi");

        await page.GetByRole(AriaRole.Button, new() { Name = "Đăng xuất" }).ClickAsync();
        await page.WaitForURLAsync(url => url.EndsWith("/login", StringComparison.Ordinal));
        await page.GotoAsync("/supervise");
        page.Url.ShouldContain("/login", Case.Sensitive, "signed out: the page asks to sign in again");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task a_supervisor_whose_case_changed_meanwhile_sees_what_changed_and_can_retry()
    {
        var mine = await ui.SignInAsync(ui.SupervisorA.Username);
        await mine.GotoAsync($"/cases/{ui.ReviewCase}");

        // Someone else records a violation while the first page is still open.
        var other = await mine.Context.NewPageAsync();
        await other.GotoAsync($"/cases/{ui.ReviewCase}");
        await other.ClickAsync("details.action:has(#violation-severity) > summary");
        await other.SelectOptionAsync("#violation-severity", "Minor");
        await other.FillAsync("#violation-description", "Vắng mặt buổi sinh hoạt tổ dân phố.");
        await other.ClickAsync("details.action:has(#violation-severity) button[type=submit]");
        await other.Locator("[data-testid=done]").WaitForAsync();

        await mine.ClickAsync("details.action:has(#progress-area) > summary");
        await mine.SelectOptionAsync("#progress-area", "Employment");
        await mine.SelectOptionAsync("#progress-direction", "Improved");
        await mine.FillAsync("#progress-note", "Đã có việc làm ổn định.");
        await mine.ClickAsync("details.action:has(#progress-area) button[type=submit]");
        var stale = await mine.Locator("[data-testid=stale]").InnerTextAsync();
        stale.ShouldContain("Vắng mặt buổi sinh hoạt");
        (await mine.InputValueAsync("#progress-note")).ShouldBe("Đã có việc làm ổn định.");
        await ui.ScreenshotAsync(mine, "supervisor-stale-retry");

        await mine.ClickAsync("details.action:has(#progress-area) button[type=submit]");
        await mine.Locator("[data-testid=done]").WaitForAsync();
        (await mine.Locator("[data-testid=timeline]").InnerTextAsync()).ShouldContain("Đã có việc làm ổn định.");
        await mine.Context.CloseAsync();
    }

    [Fact]
    public async Task everything_works_without_javascript()
    {
        var supervisor = await ui.SignInAsync(ui.SupervisorA.Username, javaScript: false);
        await supervisor.GotoAsync("/cases/open");
        await supervisor.FillAsync("#q", ui.NewPerson.Split(' ')[0]);
        await supervisor.ClickAsync("[data-testid=search-submit]");
        (await supervisor.Locator("[data-testid=people]").InnerTextAsync()).ShouldContain(ui.NewPerson);
        await supervisor.Context.CloseAsync();

        var reviewer = await ui.SignInAsync(ui.ReviewerA.Username, width: 360, height: 740, javaScript: false);
        await reviewer.GotoAsync($"/cases/{ui.ReviewCase}");
        await reviewer.ClickAsync("[data-testid=rating-Fair]");
        await reviewer.FillAsync("#review-summary", "Gặp tại tổ dân phố, chưa có việc làm.");
        await reviewer.ClickAsync("[data-testid=review-submit]");
        await reviewer.Locator("[data-testid=done]").WaitForAsync();
        (await reviewer.Locator("[data-testid=timeline]").InnerTextAsync()).ShouldContain("chưa có việc làm");
        await reviewer.Context.CloseAsync();
    }

    private static string Iso(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
