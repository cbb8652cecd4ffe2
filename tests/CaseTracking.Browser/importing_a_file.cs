using System.Text;
using CaseTracking.Browser.Infrastructure;
using CaseTracking.Imports;
using Microsoft.Playwright;

namespace CaseTracking.Browser;

/// <summary>A supervisor uploads a filled-in template, reads the dry run, and confirms the import.</summary>
[Collection(UiCollection.Name)]
public sealed class importing_a_file(UiFixture ui)
{
    [Fact]
    public async Task a_supervisor_uploads_a_file_reads_the_dry_run_and_confirms()
    {
        var headers = ImportColumns.CaseColumns.Select(c => ImportColumns.Header(c, ImportColumns.Vietnamese));
        var nationalId = "0" + Random.Shared.NextInt64(10_000_000_000, 99_999_999_999);
        var rows = new[]
        {
            $"UI-001,Trần Thị Nhập,1988-04-02,{nationalId},5 Hàng Bạc,0912000111,P01,Án treo,77/2025/HS-ST,Tòa án nhân dân quận Hoàn Kiếm,2025-05-20,2025-06-01,2027-05-31,,,",
            "UI-002,Lê Văn Lỗi,1990-01-01,001090099999,1 Hàng Đào,,P01,Án treo,78/2025/HS-ST,Tòa án,2025-05-20,2025-06-01,31/02/2027,,,"
        };
        var csv = Encoding.UTF8.GetBytes(string.Join("\n", [string.Join(',', headers), .. rows]) + "\n");

        var page = await ui.SignInAsync(ui.SupervisorA.Username);
        await page.GotoAsync("/imports");
        (await page.Locator("h1").InnerTextAsync()).ShouldBe("Nhập hồ sơ từ tệp Excel");
        await page.SetInputFilesAsync("[data-testid=file]", new FilePayload { Name = "ho-so.csv", MimeType = "text/csv", Buffer = csv });
        await page.ClickAsync("[data-testid=check]");

        (await page.Locator("[data-testid=summary]").InnerTextAsync()).ShouldContain("Kiểm tra thử");
        (await page.Locator("[data-testid=cases]").InnerTextAsync()).ShouldBe("1");
        (await page.Locator("[data-testid=problems]").InnerTextAsync()).ShouldContain("Dòng 3, cột Ngày kết thúc:");
        await ui.ScreenshotAsync(page, "import-dry-run");
        // The checked file waits on the server for the confirmation, and only until then.
        WaitingUploads().Length.ShouldBe(1);

        await page.ClickAsync("[data-testid=confirm]");
        (await page.Locator("[data-testid=summary]").InnerTextAsync()).ShouldContain("Đã nhập");
        (await page.Locator("[data-testid=cases]").InnerTextAsync()).ShouldBe("1");
        WaitingUploads().ShouldBeEmpty();
        await ui.ScreenshotAsync(page, "import-done");

        await page.GotoAsync("/reports/province");
        (await page.Locator("[data-testid=province-report] h1").InnerTextAsync()).ShouldContain("Báo cáo");
        await ui.ScreenshotAsync(page, "province-report");
        await page.Context.CloseAsync();
    }

    /// <summary>The supervisor's uploads waiting for a confirmation (Imports/ImportUploads, its default folder).</summary>
    private string[] WaitingUploads()
    {
        var folder = Path.Combine(Path.GetTempPath(), "casetracking-imports");
        return Directory.Exists(folder) ? Directory.GetFiles(folder, $"{ui.SupervisorA.Id:N}-*.upload") : [];
    }
}
