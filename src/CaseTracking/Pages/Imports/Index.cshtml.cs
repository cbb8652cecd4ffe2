using CaseTracking.Access;
using CaseTracking.Imports;
using CaseTracking.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace CaseTracking.Pages.Imports;

/// <summary>
/// Upload, dry run, confirm: the file is checked first (nothing written) and kept on the server under its SHA-256
/// until the user confirms, so confirming imports exactly the file that was checked (<see cref="ImportUploads"/>, which
/// also removes it afterwards).
/// </summary>
public sealed class IndexModel(IStringLocalizer<SharedResource> l, Importer importer, ImportUploads uploads) : UiPage(l)
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
        if (!await RunAsync(content, name, dryRun: true))
        {
            uploads.DropAllOf(Me.UserId);
            return;
        }

        var c = Report!.Created;
        if (c.Cases + c.Reviews + c.People + c.Assignments == 0)
        {
            // Nothing the confirmation could import: nothing to keep.
            uploads.DropAllOf(Me.UserId);
            return;
        }

        await uploads.KeepAsync(Me.UserId, Report.FileSha256, content, HttpContext.RequestAborted);
        Pending = Report.FileSha256;
        PendingName = name;
    }

    public async Task OnPostImportAsync()
    {
        var content = ImportUploads.IsSha(Pending) ? await uploads.ReadAsync(Me.UserId, Pending!, HttpContext.RequestAborted) : null;
        if (content is null)
        {
            ErrorMessage = L["Imports.Expired"];
            Pending = null;
            return;
        }

        var name = PendingName is { Length: > 0 and <= 200 } n ? n : "upload";
        await RunAsync(content, name, dryRun: false);
        // Imported, or refused as a whole: either way the copy has served (a new check uploads it again). An outage
        // throws past this line and keeps the copy, so the user can confirm again; the sweep removes it otherwise.
        uploads.Drop(Me.UserId, Pending!);
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
}
