using CaseTracking.Access;
using CaseTracking.Infrastructure;
using CaseTracking.Web;
using Marten;
using Marten.Linq;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace CaseTracking.Pages.Admin;

public sealed class OrganisationInput { public string? Name { get; set; } public OrganisationType? Type { get; set; } public Guid? WardId { get; set; } }

/// <summary>The organisations of the province (about 600): by name or ward, paged, the add form on top, edit in place.</summary>
public sealed class OrganisationsModel(IStringLocalizer<SharedResource> l, IDocumentStore store, Writes writes) : AdminPage(l, store)
{
    public override string Section => "organisations";

    [BindProperty] public OrganisationInput Organisation { get; set; } = new();
    [BindProperty] public ChangeOrganisation? Change { get; set; }
    [BindProperty(SupportsGet = true, Name = "wardId")] public Guid? WardFilter { get; set; }
    [BindProperty(SupportsGet = true, Name = "created")] public Guid? CreatedId { get; set; }
    [BindProperty(SupportsGet = true, Name = "changed")] public Guid? ChangedId { get; set; }
    [BindProperty(SupportsGet = true, Name = "edit")] public Guid? EditId { get; set; }

    public List<Organisation> Organisations { get; private set; } = [];
    public List<Ward> Wards { get; private set; } = [];
    public Organisation? Changed { get; private set; }
    public Organisation? Editing { get; private set; }
    public Dictionary<Guid, int> Reviewers { get; private set; } = [];

    public string WardName(Guid id) => Wards.FirstOrDefault(w => w.Id == id) is { } w ? $"{w.Name} ({w.Code})" : "—";

    public async Task<IActionResult> OnGetAsync()
    {
        if (Refusal() is { } refused) return refused;
        return await LoadAsync() ?? Page();
    }

    public async Task<IActionResult> OnPostCreateAsync()
    {
        var reply = await writes.Run(WriteOf(new CreateOrganisation(Organisation.Name, Organisation.Type, Organisation.WardId ?? Guid.Empty), false),
            AdminEndpoints.CreatingOrganisation, HttpContext.RequestAborted);
        if (reply.IsSuccess) return Redirect($"/admin/organisations?created={IdIn(reply, "organisationId")}#changed");
        Show(reply, "organisation");
        return await LoadAsync() ?? Page();
    }

    public async Task<IActionResult> OnPostChangeAsync(Guid organisationId)
    {
        var reply = await writes.Run(WriteOf(Change ?? new ChangeOrganisation(null, null), false), ReferenceDataChanges.ChangingOrganisation(organisationId),
            HttpContext.RequestAborted);
        if (reply.IsSuccess) return Redirect($"/admin/organisations?changed={organisationId}#changed");
        if (reply.Status == StatusCodes.Status404NotFound) return NotFound();
        Show(reply, "change");
        EditId = organisationId;
        return await LoadAsync() ?? Page();
    }

    private async Task<IActionResult?> LoadAsync()
    {
        var ct = HttpContext.RequestAborted;
        await using var session = Store.QuerySession(Me.Tenant);
        Wards = await WardsAsync(session, ct);
        var query = session.Query<Organisation>().AsQueryable();
        if (WardFilter is { } ward) query = query.Where(o => o.WardId == ward);
        if (SearchText is { } q) query = query.Where(o => o.Name.Contains(q, StringComparison.OrdinalIgnoreCase));
        var number = PageNumber ?? 1;
        Organisations = [.. await query.OrderBy(o => o.Name).Stats(out var stats).Skip((number - 1) * Shared.Paging.DefaultSize).Take(Shared.Paging.DefaultSize).ToListAsync(ct)];
        Paging = PageOf(stats.TotalResults, "/admin/organisations");
        if (number > 1 && number > Paging.Pages) return NotFound();
        if ((CreatedId ?? ChangedId) is { } changed) Changed = await session.LoadAsync<Organisation>(changed, ct);
        if (EditId is { } edit)
        {
            Editing = await session.LoadAsync<Organisation>(edit, ct);
            if (Editing is null) return NotFound();
            Change ??= new ChangeOrganisation(Editing.Name, Editing.Type);
        }

        var ids = Organisations.Select(o => (Guid?)o.Id).Append(Changed?.Id).ToArray();
        var tenant = Me.Tenant;
        Reviewers = (await session.Query<User>().Where(u => u.Tenant == tenant && u.Active && ids.Contains(u.OrganisationId)).ToListAsync(ct))
            .GroupBy(u => u.OrganisationId!.Value).ToDictionary(g => g.Key, g => g.Count());
        return null;
    }
}
