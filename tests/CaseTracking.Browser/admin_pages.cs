using CaseTracking.Browser.Infrastructure;
using Microsoft.Playwright;

namespace CaseTracking.Browser;

/// <summary>
/// The admin area at province scale (issue 15): one searchable, paged page per list with its form on top, a
/// confirmation that shows the new row, edit, password reset and deactivation, the searchable ward picker, and the
/// second admin's approval kept from issue 13.
/// </summary>
[Collection(UiCollection.Name)]
public sealed class admin_pages(UiFixture ui)
{
    private const string Admin2Password = UiFixture.AdminPassword + "-2";

    [Theory]
    [InlineData(360, 740, "admin-wards-phone")]
    [InlineData(1366, 900, "admin-wards")]
    public async Task an_administrator_adds_a_ward_after_correcting_a_missing_field_sees_it_and_renames_it(int width, int height, string screenshot)
    {
        var code = "T" + width;
        var page = await ui.SignInAsync("admin", UiFixture.AdminPassword, width, height);
        page.Url.ShouldEndWith("/admin");
        await page.ClickAsync("nav.subnav >> text=Xã/phường");
        page.Url.ShouldEndWith("/admin/wards");

        // The form is on top of the list; a missing name is said under the field and the code is kept.
        await page.ClickAsync("[data-testid=new-ward]");
        await page.FillAsync("#w-code", code);
        await page.ClickAsync("[data-testid=ward-submit]");
        (await page.Locator("#err-ward-name").InnerTextAsync()).ShouldContain("Tên");
        (await page.InputValueAsync("#w-code")).ShouldBe(code);

        await page.FillAsync("#w-name", $"Phường Tân Lập {width}");
        await page.ClickAsync("[data-testid=ward-submit]");
        (await page.Locator("[data-testid=confirmation]").InnerTextAsync()).ShouldContain($"Đã thêm xã/phường “Phường Tân Lập {width}” (mã {code})");
        (await page.Locator("[data-testid=changed-row]").InnerTextAsync()).ShouldContain($"Phường Tân Lập {width}");
        await ui.ScreenshotAsync(page, screenshot);

        // Search finds it by part of its name; then it is renamed in place.
        await page.FillAsync("#q", $"Tân Lập {width}");
        await page.ClickAsync("[data-testid=search]");
        var rows = page.Locator("[data-testid=wards] tbody tr");
        (await rows.CountAsync()).ShouldBe(1);
        (await page.Locator("[data-testid=pager]").First.InnerTextAsync()).ShouldContain("1–1 trong 1");
        await rows.First.Locator("a:text('Sửa')").ClickAsync();
        await page.FillAsync("#r-name", $"Phường Tân Lập Mới {width}");
        await page.ClickAsync("[data-testid=rename-submit]");
        (await page.Locator("[data-testid=confirmation]").InnerTextAsync()).ShouldContain($"Đã đổi tên thành “Phường Tân Lập Mới {width}”");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task an_administrator_adds_an_organisation_to_a_ward_and_corrects_its_type()
    {
        var page = await ui.SignInAsync("admin", UiFixture.AdminPassword, 1366, 900);
        await page.GotoAsync("/admin/organisations");
        await page.ClickAsync("[data-testid=new-organisation]");
        await page.FillAsync("#o-name", "Hội Nông dân xã Đông Anh");
        await page.SelectOptionAsync("#o-type", "VeteransAssociation");
        await page.SelectOptionAsync("#o-ward", ui.WardB.ToString());
        await page.ClickAsync("[data-testid=organisation-submit]");
        (await page.Locator("[data-testid=confirmation]").InnerTextAsync()).ShouldContain("Đã thêm tổ chức “Hội Nông dân xã Đông Anh” (Xã Đông Anh (X02))");
        var row = page.Locator("[data-testid=changed-row]");
        (await row.InnerTextAsync()).ShouldContain("Hội Cựu chiến binh");

        await row.Locator("a:text('Sửa')").ClickAsync();
        await page.SelectOptionAsync("#c-type", "FarmersAssociation");
        await page.ClickAsync("[data-testid=change-submit]");
        (await page.Locator("[data-testid=changed-row]").InnerTextAsync()).ShouldContain("Hội Nông dân");
        await ui.ScreenshotAsync(page, "admin-organisations");

        await page.SelectOptionAsync("#f-ward", ui.WardB.ToString());
        await page.ClickAsync("[data-testid=search]");
        foreach (var text in await page.Locator("[data-testid=organisations] tbody tr").AllInnerTextsAsync()) text.ShouldContain("Xã Đông Anh");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task a_new_supervisor_is_asked_for_with_the_ward_picker_approved_by_the_second_admin_then_reset_and_deactivated()
    {
        var username = "giamsat.x02." + Random.Shared.Next(1000, 9999);
        var page = await ui.SignInAsync("admin", UiFixture.AdminPassword, 360, 740);
        await page.GotoAsync("/admin/users");
        await page.ClickAsync("[data-testid=new-user]");
        await page.FillAsync("#u-name", username);
        await page.FillAsync("#u-display", "Đoàn Phương Nhi");
        await page.SelectOptionAsync("#u-role", "Supervisor");
        // The ward picker: typed without accents, it narrows the list to the one ward.
        await page.FillAsync("#u-ward-filter", "dong anh");
        var visible = page.Locator("[data-ward-picker] label[data-ward-name]:visible");
        (await visible.CountAsync()).ShouldBe(1);
        await visible.First.ClickAsync();
        (await page.Locator("[data-ward-count]").First.InnerTextAsync()).ShouldContain("Đã chọn 1");
        await ui.ScreenshotAsync(page, "admin-user-ward-picker-phone");
        await page.ClickAsync("[data-testid=user-submit]");
        var confirmation = await page.Locator("[data-testid=confirmation]").InnerTextAsync();
        confirmation.ShouldContain($"“Tạo tài khoản” cho tài khoản “{username}”");
        confirmation.ShouldContain("Xã Đông Anh");

        // The second admin approves on /admin and sees the one-time password once.
        var second = await ui.SignInAsync("admin2", Admin2Password, 1366, 900);
        await second.ClickAsync($"[data-testid='approve-{username}']");
        (await second.Locator("[data-testid=one-time-password]").InnerTextAsync()).Length.ShouldBe(16);
        await second.Context.CloseAsync();

        // Back on the list: found by name, asked a password reset, then deactivated.
        await page.GotoAsync("/admin/users?q=Phương Nhi");
        (await page.Locator("[data-testid=users] tbody tr").CountAsync()).ShouldBe(1);
        await page.ClickAsync($"[data-testid='reset-{username}']");
        (await page.Locator("[data-testid=confirmation]").InnerTextAsync()).ShouldContain("“Cấp lại mật khẩu”");
        await page.GotoAsync("/admin/users?q=Phương Nhi");
        await page.ClickAsync($"[data-testid='edit-{username}']");
        (await page.InputValueAsync("#a-role")).ShouldBe("Supervisor");
        await ui.ScreenshotAsync(page, "admin-user-change-access-phone");
        await page.GotoAsync("/admin/users?q=Phương Nhi");
        await page.ClickAsync($"[data-testid='deactivate-{username}']");
        // First the question, saying what will happen: no more sign-in, and the reset still waiting is cancelled.
        var question = await page.Locator("[data-testid=deactivate-question]").InnerTextAsync();
        question.ShouldContain("Vô hiệu hóa tài khoản của Đoàn Phương Nhi");
        question.ShouldContain("không đăng nhập được nữa");
        (await page.Locator("[data-testid=deactivate-requests]").InnerTextAsync()).ShouldContain("1 yêu cầu đang chờ phê duyệt cho tài khoản này (cấp lại mật khẩu) sẽ bị hủy");
        await ui.ScreenshotAsync(page, "admin-user-deactivate-question-phone");
        // Not ticked: asked again, nothing done.
        await page.ClickAsync("[data-testid=deactivate-submit]");
        (await page.Locator("[data-testid=error]").InnerTextAsync()).ShouldContain("Vui lòng sửa");
        (await page.Locator("#deactivate-confirm").GetAttributeAsync("aria-invalid")).ShouldBe("true");
        await page.GotoAsync("/admin/users?q=Phương Nhi");
        (await page.Locator("[data-testid=users] tbody tr").InnerTextAsync()).ShouldNotContain("Đã vô hiệu hóa");
        // "No, go back" leaves it as it was.
        await page.ClickAsync($"[data-testid='deactivate-{username}']");
        await page.ClickAsync("[data-testid=deactivate-cancel]");
        (await page.Locator("[data-testid=deactivate-question]").CountAsync()).ShouldBe(0);
        await page.GotoAsync("/admin/users?q=Phương Nhi");
        await page.ClickAsync($"[data-testid='deactivate-{username}']");
        await page.CheckAsync("#deactivate-confirm");
        await page.ClickAsync("[data-testid=deactivate-submit]");
        (await page.Locator("[data-testid=confirmation]").InnerTextAsync()).ShouldContain("Đã vô hiệu hóa tài khoản Đoàn Phương Nhi");
        (await page.Locator("[data-testid=changed-row]").InnerTextAsync()).ShouldContain("Đã vô hiệu hóa");
        // The reset that waited is gone from the requests to approve.
        await page.GotoAsync("/admin");
        (await page.Locator($"[data-testid='approve-{username}']").CountAsync()).ShouldBe(0);
        await page.Context.CloseAsync();

        var wide = await ui.SignInAsync("admin", UiFixture.AdminPassword, 1366, 900);
        await wide.GotoAsync("/admin/users");
        await ui.ScreenshotAsync(wide, "admin-users");
        await wide.GotoAsync("/admin");
        await ui.ScreenshotAsync(wide, "admin");
        await wide.Context.CloseAsync();
    }

    [Theory]
    [InlineData("/admin/users?p=0", 400)]
    [InlineData("/admin/users?p=2147483647", 400)]
    [InlineData("/admin/users?p=99999999999", 400)]
    [InlineData("/admin/users?p=500", 404)]
    [InlineData("/admin/users?role=99", 400)]
    [InlineData("/admin/users?edit=00000000-0000-0000-0000-000000000000", 404)]
    [InlineData("/admin/users?edit=not-an-id", 400)]
    [InlineData("/admin/wards?q=%00", 400)]
    [InlineData("/admin/wards?edit=00000000-0000-0000-0000-000000000000", 404)]
    [InlineData("/admin/organisations?wardId=00000000-0000-0000-0000-000000000000", 200)]
    [InlineData("/admin/organisations?edit=00000000-0000-0000-0000-000000000000", 404)]
    public async Task hostile_query_values_are_refused_not_failed(string url, int status)
    {
        var page = await ui.SignInAsync("admin", UiFixture.AdminPassword);
        (await page.GotoAsync(url))!.Status.ShouldBe(status);
        (await page.GotoAsync(url.Split('?')[0] + "?q=" + new string('x', 5000)))!.Status.ShouldBe(400);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task a_hostile_form_is_answered_with_field_errors_not_a_failure()
    {
        var page = await ui.SignInAsync("admin", UiFixture.AdminPassword);
        await page.GotoAsync("/admin/wards");
        await page.ClickAsync("[data-testid=new-ward]");
        await page.EvaluateAsync("() => { document.querySelector('#w-code').value = 'a\\u0000b'; document.querySelector('#w-name').value = 'x'.repeat(1024 * 1024); }");
        var response = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("[data-testid=ward-submit]"),
            r => r.Url.Contains("/admin/wards", StringComparison.Ordinal) && r.Request.Method == "POST");
        response!.Status.ShouldBeLessThan(500);
        if (response.Status == 200) (await page.Locator("[data-testid=error]").InnerTextAsync()).ShouldNotBeEmpty();
        await page.Context.CloseAsync();
    }
}
