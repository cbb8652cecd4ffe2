using System.Text.RegularExpressions;
using CaseTracking.Access;
using CaseTracking.Imports;
using CaseTracking.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace CaseTracking.Pages.Imports;

/// <summary>
/// Upload, dry run, confirm: the file is checked first (nothing written) and kept on the server under its SHA-256
/// until the user confirms, so confirming imports exactly the file that was checked.
/// </summary>
public sealed partial class IndexModel(IStringLocalizer<SharedResource> l, Importer importer) : UiPage(l)
{
    protected override Role[] Allowed => [Role.Admin, Role.Supervisor];

    [BindProperty] public IFormFile? Upload { get; set; }

    [BindProperty] public string? Pending { get; set; }

    [BindProperty] public string? PendingName { get; set; }

    public ImportReport? Report { get; private set; }

    public void OnGet()
    {
    }

    public async Task OnPostCheckAsync()
    {
        if (Upload is null || Upload.Length == 0)
        {
            ErrorMessage = ImportColumns.Text("Import.Code.import.empty-file");
            return;
        }

        if (Upload.Length > ImportsModule.MaxUploadBytes)
        {
            ErrorMessage = UploadLimits.TooLarge().Problem!.Detail;
            return;
        }

        using var buffer = new MemoryStream();
        await Upload.CopyToAsync(buffer, HttpContext.RequestAborted);
        var content = buffer.ToArray();
        var name = Path.GetFileName(Upload.FileName);
        if (!await RunAsync(content, name, dryRun: true)) return;
        Directory.CreateDirectory(Folder);
        await System.IO.File.WriteAllBytesAsync(PathOf(Report!.FileSha256), content, HttpContext.RequestAborted);
        Pending = Report.FileSha256;
        PendingName = name;
    }

    public async Task OnPostImportAsync()
    {
        if (Pending is null || !Sha().IsMatch(Pending) || !System.IO.File.Exists(PathOf(Pending)))
        {
            ErrorMessage = L["Imports.Expired"];
            Pending = null;
            return;
        }

        var content = await System.IO.File.ReadAllBytesAsync(PathOf(Pending), HttpContext.RequestAborted);
        var name = PendingName is { Length: > 0 and <= 200 } n ? n : "upload";
        if (await RunAsync(content, name, dryRun: false)) System.IO.File.Delete(PathOf(Pending));
        Pending = null;
    }

    private async Task<bool> RunAsync(byte[] content, string name, bool dryRun)
    {
        try
        {
            Report = await importer.RunAsync(Me, content, name, dryRun, null, HttpContext.RequestAborted);
            return true;
        }
        catch (ImportFileException e)
        {
            ErrorMessage = e.Message;
            return false;
        }
    }

    private static string Folder => Path.Combine(Path.GetTempPath(), "casetracking-imports");

    // The user's own files only: the path carries their id.
    private string PathOf(string sha) => Path.Combine(Folder, $"{Me.UserId:N}-{sha}.upload");

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex Sha();
}
