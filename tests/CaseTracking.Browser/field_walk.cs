using CaseTracking.Browser.Infrastructure;
using Microsoft.Playwright;

namespace CaseTracking.Browser;

/// <summary>Issue 15, the volunteer and the supervisor: what each met in the field walk, clicked as they would.</summary>
[Collection(UiCollection.Name)]
public sealed class field_walk(UiFixture ui)
{
    [Fact]
    public async Task the_review_form_opens_on_a_month_that_can_be_saved_and_offers_the_missed_ones()
    {
        var page = await ui.SignInAsync(ui.ReviewerA.Username, width: 360, height: 740);
        await page.GotoAsync($"/cases/{ui.ReviewCase}");
        var chips = page.Locator("[data-testid=missed] a");
        (await chips.CountAsync()).ShouldBeGreaterThan(0, "the case started three months ago and has months without a review");
        var preselected = await page.InputValueAsync("#review-period");
        (await chips.First.GetAttributeAsync("href"))!.ShouldContain($"period={preselected}", Case.Insensitive, "the earliest missed month is preselected");
        string.CompareOrdinal(preselected, DateTime.Now.ToString("yyyy-MM")).ShouldBeLessThanOrEqualTo(0, "never a month that has not come yet");
        (await page.Locator("[data-testid=missed]").InnerTextAsync()).ShouldContain("tháng ");

        if (await chips.CountAsync() > 1)
        {
            var second = await chips.Nth(1).GetAttributeAsync("href");
            await chips.Nth(1).ClickAsync();
            (await page.InputValueAsync("#review-period")).ShouldBe(second!.Split("period=")[1].Split('#')[0]);
        }

        await ui.ScreenshotAsync(page, "reviewer-missed-months-360");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task a_review_sent_again_says_it_is_already_saved_instead_of_refusing()
    {
        var page = await ui.SignInAsync(ui.ReviewerA.Username, width: 360, height: 740);
        await page.GotoAsync($"/cases/{ui.ReviewCase}");
        var period = await page.InputValueAsync("#review-period");
        await page.ClickAsync("[data-testid=rating-Fair]");
        await page.FillAsync("#review-summary", "Gặp ở nhà văn hóa thôn, đã đi làm đều.");
        await page.ClickAsync("[data-testid=review-submit]");
        await page.Locator("[data-testid=done]").WaitForAsync();

        // The answer was lost: the volunteer opens the form again and sends the same month.
        await page.GotoAsync($"/cases/{ui.ReviewCase}?period={period}");
        await page.FillAsync("#review-period", period);
        await page.ClickAsync("[data-testid=rating-Fair]");
        await page.FillAsync("#review-summary", "Gặp ở nhà văn hóa thôn, đã đi làm đều.");
        await page.ClickAsync("[data-testid=review-submit]");
        var banner = page.Locator("[data-testid=already-reviewed]");
        (await banner.InnerTextAsync()).ShouldContain("đã được lưu");
        (await banner.GetAttributeAsync("class"))!.ShouldContain("ok");
        (await page.Locator("[data-testid=error]").CountAsync()).ShouldBe(0, "nothing in red: it is saved");
        (await page.EvaluateAsync<string>("document.activeElement?.dataset.testid ?? ''")).ShouldBe("already-reviewed");
        await ui.ScreenshotAsync(page, "reviewer-already-saved-360");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task after_an_error_focus_is_on_the_first_marked_field_and_after_a_save_on_the_confirmation()
    {
        var page = await ui.SignInAsync(ui.ReviewerA.Username, width: 360, height: 740);
        await page.GotoAsync($"/cases/{ui.ReviewCase}");
        await page.FillAsync("#review-summary", "Chưa chọn kết quả");
        await page.ClickAsync("[data-testid=review-submit]");
        await page.WaitForLoadStateAsync(LoadState.DOMContentLoaded);
        await page.WaitForFunctionAsync("document.activeElement?.getAttribute('aria-invalid') === 'true'");
        (await page.EvaluateAsync<string>("document.activeElement.id")).ShouldBe("rating-Good", "the first marked field: the rating the user forgot");
        (await page.EvaluateAsync<double>("document.activeElement.getBoundingClientRect().top")).ShouldBeLessThan(740, "the marked field is on screen");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task overdue_is_said_in_words_and_the_whole_card_opens_the_case()
    {
        var page = await ui.SignInAsync(ui.ReviewerA.Username, width: 360, height: 740);
        var due = await page.Locator("[data-testid=review-due]").AllInnerTextsAsync();
        due.ShouldNotBeEmpty();
        due.ShouldAllBe(t => t.Contains("Đánh giá tháng") || t.Contains("Quá hạn đánh giá tháng"));
        var card = page.Locator("li.card").First;
        var box = (await card.BoundingBoxAsync())!;
        await page.Mouse.ClickAsync(box.X + box.Width - 10, box.Y + box.Height - 8);
        await page.WaitForURLAsync("**/cases/**");
        var tap = await page.EvaluateAsync<double>("Math.min(...[...document.querySelectorAll('.ratings label, details.action > summary')].map(e => e.getBoundingClientRect().height))");
        tap.ShouldBeGreaterThanOrEqualTo(44);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task the_assigned_volunteer_sees_how_to_reach_the_person()
    {
        var page = await ui.SignInAsync(ui.ReviewerA.Username, width: 360, height: 740);
        await page.GotoAsync($"/cases/{ui.ReviewCase}");
        (await page.Locator("[data-testid=contact]").InnerTextAsync()).ShouldContain("Địa chỉ");
        await page.Context.CloseAsync();

        var auditor = await ui.SignInAsync(ui.Auditor.Username);
        await auditor.GotoAsync($"/cases/{ui.ReviewCase}");
        (await auditor.Locator("[data-testid=contact]").CountAsync()).ShouldBe(0, "only the assigned organisation");
        await auditor.Context.CloseAsync();
    }

    [Fact]
    public async Task a_transfer_asks_first_then_lands_on_a_confirmation_naming_the_new_ward()
    {
        var page = await ui.SignInAsync(ui.SupervisorA.Username);
        await page.GotoAsync($"/cases/{ui.TransferCase}");
        await page.ClickAsync("details.action:has([data-testid=transfer-submit]) > summary");
        await page.SelectOptionAsync("#transfer-ward", ui.WardB.ToString());
        await page.FillAsync("#transfer-reason", "Chuyển nơi cư trú về xã Đông Anh");
        await page.ClickAsync("[data-testid=transfer-submit]");
        (await page.Locator("#err-transfer-confirmed").InnerTextAsync()).ShouldNotBeNullOrWhiteSpace("it asks before doing it");
        (await page.Locator("label[for=transfer-confirm]").InnerTextAsync()).ShouldContain("phân công");
        await ui.ScreenshotAsync(page, "supervisor-transfer-confirm");

        await page.CheckAsync("#transfer-confirm");
        await page.ClickAsync("[data-testid=transfer-submit]");
        await page.WaitForURLAsync("**/supervise**");
        (await page.Locator("[data-testid=done]").InnerTextAsync()).ShouldContain("Xã Đông Anh");
        await ui.ScreenshotAsync(page, "supervisor-transfer-done");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task opening_a_case_turns_months_into_the_end_date_and_states_the_range()
    {
        var page = await ui.SignInAsync(ui.SupervisorA.Username);
        await page.GotoAsync($"/cases/open?personId={ui.NewPersonId}");
        await page.SelectOptionAsync("#o-kind", "SuspendedSentence");
        (await page.Locator("[data-testid=months-hint]").InnerTextAsync()).ShouldContain("12–60 tháng");
        await page.SelectOptionAsync("#o-kind", "PostRehabilitationDrug");
        (await page.Locator("[data-testid=months-hint]").InnerTextAsync()).ShouldContain("12 tháng");
        (await page.Locator("[data-testid=months-hint]").InnerTextAsync()).ShouldNotContain("12–12");
        await page.FillAsync("#o-starts", "2026-01-01");
        await page.FillAsync("#o-months", "24");
        (await page.InputValueAsync("#o-ends")).ShouldBe("2027-12-31");
        await page.Context.CloseAsync();
    }
}
