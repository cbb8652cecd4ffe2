using CaseTracking.Access;
using CaseTracking.Infrastructure;
using CaseTracking.Web;
using Marten;
using Marten.Linq;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace CaseTracking.Pages.Admin;

public sealed class WardInput { public string? Code { get; set; } public string? Name { get; set; } }

/// <summary>The wards of the province (about 150): searchable, paged, the add form on top, rename in place.</summary>
public sealed class WardsModel(IStringLocalizer<SharedResource> l, IDocumentStore store, Writes writes) : AdminPage(l, store)
{
    public override string Section => "wards";

    [BindProperty] public WardInput Ward { get; set; } = new();
    [BindProperty] public RenameWard? Rename { get; set; }
    [BindProperty(SupportsGet = true, Name = "created")] public Guid? CreatedId { get; set; }
    [BindProperty(SupportsGet = true, Name = "renamed")] public Guid? RenamedId { get; set; }
    [BindProperty(SupportsGet = true, Name = "edit")] public Guid? EditId { get; set; }

    public List<Ward> Wards { get; private set; } = [];

    /// <summary>The ward just created or renamed, shown in the confirmation and on top of the list.</summary>
    public Ward? Changed { get; private set; }
    public Ward? Editing { get; private set; }
    public Dictionary<Guid, int> Organisations { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync()
    {
        if (Refusal() is { } refused) return refused;
        return await LoadAsync() ?? Page();
    }

    public async Task<IActionResult> OnPostCreateAsync()
    {
        var reply = await writes.Run(WriteOf(new CreateWard(Ward.Code, Ward.Name), false), AdminEndpoints.CreatingWard, HttpContext.RequestAborted);
        if (reply.IsSuccess) return Redirect($"/admin/wards?created={IdIn(reply, "wardId")}#changed");
        Show(reply, "ward");
        return await LoadAsync() ?? Page();
    }

    public async Task<IActionResult> OnPostRenameAsync(Guid wardId)
    {
        var reply = await writes.Run(WriteOf(Rename ?? new RenameWard(null), false), ReferenceDataChanges.RenamingWard(wardId), HttpContext.RequestAborted);
        if (reply.IsSuccess) return Redirect($"/admin/wards?renamed={wardId}#changed");
        if (reply.Status == StatusCodes.Status404NotFound) return NotFound();
        Show(reply, "rename");
        EditId = wardId;
        return await LoadAsync() ?? Page();
    }

    private async Task<IActionResult?> LoadAsync()
    {
        var ct = HttpContext.RequestAborted;
        await using var session = Store.QuerySession(Me.Tenant);
        var query = session.Query<Ward>().AsQueryable();
        if (SearchText is { } q) query = query.Where(w => w.Code.Contains(q, StringComparison.OrdinalIgnoreCase) || w.Name.Contains(q, StringComparison.OrdinalIgnoreCase));
        var number = PageNumber ?? 1;
        Wards = [.. await query.OrderBy(w => w.Code).Stats(out var stats).Skip((number - 1) * Shared.Paging.DefaultSize).Take(Shared.Paging.DefaultSize).ToListAsync(ct)];
        Paging = PageOf(stats.TotalResults, "/admin/wards");
        if (number > 1 && number > Paging.Pages) return NotFound();
        if ((CreatedId ?? RenamedId) is { } changed) Changed = await session.LoadAsync<Ward>(changed, ct);
        if (EditId is { } edit)
        {
            Editing = await session.LoadAsync<Ward>(edit, ct);
            if (Editing is null) return NotFound();
            Rename ??= new RenameWard(Editing.Name);
        }

        var ids = Wards.Select(w => w.Id).ToArray();
        Organisations = (await session.Query<Organisation>().Where(o => ids.Contains(o.WardId)).Select(o => o.WardId).ToListAsync(ct))
            .GroupBy(id => id).ToDictionary(g => g.Key, g => g.Count());
        return null;
    }
}
