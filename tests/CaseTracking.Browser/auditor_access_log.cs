using System.Text;
using CaseTracking.Browser.Infrastructure;
using Microsoft.Playwright;

namespace CaseTracking.Browser;

/// <summary>
/// The access log as an auditor uses it (issue 15): names and words instead of ids and addresses, filters by user,
/// person and date, paging, and a CSV that a spreadsheet opens safely.
/// </summary>
[Collection(UiCollection.Name)]
public sealed class auditor_access_log(UiFixture ui)
{
    [Theory]
    [InlineData(360, 740, "auditor-access-log-filtered-phone")]
    [InlineData(1366, 900, "auditor-access-log-filtered")]
    public async Task the_auditor_reads_who_saw_whose_case_in_words_and_filters_by_person_user_and_date(int width, int height, string screenshot)
    {
        // The supervisor opens the case in the browser (a page read) and after approving nothing, the auditor reads the log.
        var supervisor = await ui.SignInAsync(ui.SupervisorA.Username, width: width, height: height);
        await supervisor.GotoAsync($"/cases/{ui.ReviewCase}");
        await supervisor.Context.CloseAsync();

        var page = await ui.SignInAsync(ui.Auditor.Username, width: width, height: height);
        await page.GotoAsync("/audit/access");
        var table = page.Locator("[data-testid=access]");
        var text = await table.InnerTextAsync();
        text.ShouldContain(ui.ReviewPerson);
        text.ShouldContain(ui.SupervisorA.DisplayName);
        text.ShouldContain("Xem hồ sơ và diễn biến");
        text.ShouldNotContain("…");
        text.ShouldNotContain("?");

        // By person: part of the name.
        var part = ui.ReviewPerson.Split(' ')[^1];
        await page.FillAsync("#person", part);
        await page.ClickAsync("[data-testid=access-filter]");
        var rows = page.Locator("[data-testid=access] tbody tr");
        (await rows.CountAsync()).ShouldBeGreaterThan(0);
        foreach (var row in await rows.AllInnerTextsAsync()) row.ShouldContain(part);

        // And by user: the supervisor's user name.
        await page.FillAsync("#user", ui.SupervisorA.Username);
        await page.ClickAsync("[data-testid=access-filter]");
        foreach (var row in await rows.AllInnerTextsAsync()) row.ShouldContain(ui.SupervisorA.DisplayName);
        await ui.ScreenshotAsync(page, screenshot);

        // A period before anything happened: nothing, said in words.
        await page.GotoAsync("/audit/access?to=2020-01-31");
        (await page.Locator("[data-testid=access-empty]").InnerTextAsync()).ShouldContain("Không có lượt truy cập");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task a_long_log_is_paged_and_the_csv_keeps_the_filters_and_defuses_formulas()
    {
        var token = await ui.TokenAsync(ui.SupervisorA.Username, UiFixture.Password);
        // A person whose name a spreadsheet would run as a formula, read 60 times: more than one page.
        var person = (await ui.Post(token, "/api/people", new
        {
            fullName = "=HYPERLINK(\"http://x\";\"Nguyễn Văn Công\")", dateOfBirth = "1990-01-02",
            nationalId = "0" + Random.Shared.NextInt64(10_000_000_000, 99_999_999_999), address = "Số 1 đường Lê Lợi", wardId = ui.WardA
        }, 201)).GetProperty("personId").GetGuid();
        for (var i = 0; i < 60; i++) (await ui.GetStatusAsync(token, $"/api/people/{person}")).ShouldBe(200);

        var page = await ui.SignInAsync(ui.Auditor.Username, width: 1366, height: 900);
        await page.GotoAsync("/audit/access?person=HYPERLINK");
        (await page.Locator("[data-testid=access] tbody tr").CountAsync()).ShouldBe(50);
        (await page.Locator("[data-testid=pager]").First.InnerTextAsync()).ShouldContain("1–50 trong 60");
        await page.Locator("[data-testid=pager-next]").First.ClickAsync();
        (await page.Locator("[data-testid=access] tbody tr").CountAsync()).ShouldBe(10);
        (await page.Locator("[data-testid=access]").InnerTextAsync()).ShouldContain("Xem thông tin cá nhân");
        page.Url.ShouldContain("person=HYPERLINK");

        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("[data-testid=access-csv]"));
        download.SuggestedFilename.ShouldStartWith("nhat-ky-truy-cap-");
        var path = await download.PathAsync();
        var bytes = await File.ReadAllBytesAsync(path);
        bytes.Take(3).ShouldBe(new byte[] { 0xEF, 0xBB, 0xBF });
        var lines = Encoding.UTF8.GetString(bytes[3..]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        lines[0].ShouldStartWith("Thời gian,Tên đăng nhập,Người dùng,Vai trò,Người chấp hành");
        lines.Length.ShouldBe(61);
        lines[1].ShouldContain("\"'=HYPERLINK(\"\"http://x\"\";\"\"Nguyễn Văn Công\"\")\"");
        lines.Skip(1).ShouldAllBe(l => l.Contains(ui.SupervisorA.Username));
        await page.Context.CloseAsync();
    }

    [Theory]
    [InlineData("/audit/access?p=0")]
    [InlineData("/audit/access?p=2147483647")]
    [InlineData("/audit/access?p=99999999999")]
    [InlineData("/audit/access?caseId=not-an-id")]
    [InlineData("/audit/access?from=0001-01-01")]
    [InlineData("/audit/access?to=9999-12-31")]
    [InlineData("/audit/access?user=%00")]
    public async Task hostile_filters_are_refused_not_failed(string url)
    {
        var page = await ui.SignInAsync(ui.Auditor.Username);
        var response = await page.GotoAsync(url);
        response!.Status.ShouldBeOneOf(400, 404);
        await page.Context.CloseAsync();
    }
}
