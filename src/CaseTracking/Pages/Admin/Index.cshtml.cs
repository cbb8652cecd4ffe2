using CaseTracking.Access;
using CaseTracking.Infrastructure;
using CaseTracking.Web;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace CaseTracking.Pages.Admin;

public sealed class WardInput { public string? Code { get; set; } public string? Name { get; set; } }
public sealed class OrganisationInput { public string? Name { get; set; } public OrganisationType? Type { get; set; } public Guid? WardId { get; set; } }
public sealed class UserInput
{
    public string? Username { get; set; }
    public string? Password { get; set; }
    public string? DisplayName { get; set; }
    public Role? Role { get; set; }
    public List<Guid> WardIds { get; set; } = [];
    public Guid? OrganisationId { get; set; }
}

/// <summary>Reference data and users of the administrator's province, through the admin use cases of the API.</summary>
public sealed class IndexModel(IStringLocalizer<SharedResource> l, IDocumentStore store, Writes writes) : UiPage(l)
{
    protected override Role[] Allowed => [Role.Admin];

    [BindProperty(SupportsGet = true, Name = "done")] public string? Done { get; set; }
    [BindProperty] public WardInput Ward { get; set; } = new();
    [BindProperty] public OrganisationInput Organisation { get; set; } = new();
    [BindProperty] public UserInput NewUser { get; set; } = new();

    public List<Ward> Wards { get; private set; } = [];
    public List<Organisation> Organisations { get; private set; } = [];
    public List<User> Users { get; private set; } = [];

    public string WardName(Guid id) => Wards.FirstOrDefault(w => w.Id == id)?.Name ?? "—";

    public async Task OnGetAsync() => await LoadAsync();

    public Task<IActionResult> OnPostWardAsync() => Write("ward", () =>
        AdminEndpoints.CreateWardCommand(new CreateWard(Ward.Code, Ward.Name), HttpContext, writes));

    public Task<IActionResult> OnPostOrganisationAsync() => Write("organisation", () =>
        AdminEndpoints.CreateOrganisationCommand(new CreateOrganisation(Organisation.Name, Organisation.Type, Organisation.WardId ?? Guid.Empty), HttpContext, writes));

    public Task<IActionResult> OnPostUserAsync() => Write("user", () =>
        AdminEndpoints.CreateUserCommand(new CreateUser(NewUser.Username, NewUser.Password, NewUser.DisplayName, NewUser.Role,
            NewUser.WardIds, NewUser.OrganisationId), HttpContext, writes));

    private async Task<IActionResult> Write(string form, Func<Task<Reply>> run)
    {
        AsApiClient(withVersion: false);
        var reply = await run();
        if (reply.IsSuccess) return Redirect($"/admin?done={form}#{form}s");
        Show(reply, form);
        NewUser.Password = null;
        await LoadAsync();
        return Page();
    }

    private async Task LoadAsync()
    {
        var ct = HttpContext.RequestAborted;
        await using var session = store.QuerySession(Me.Tenant);
        Wards = [.. await session.Query<Ward>().OrderBy(w => w.Code).ToListAsync(ct)];
        Organisations = [.. await session.Query<Organisation>().OrderBy(o => o.Name).ToListAsync(ct)];
        Users = [.. await session.Query<User>().Where(u => u.Tenant == Me.Tenant).OrderBy(u => u.Username).ToListAsync(ct)];
    }
}
