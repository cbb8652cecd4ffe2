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
    public string? DisplayName { get; set; }
    public Role? Role { get; set; }
    public List<Guid> WardIds { get; set; } = [];
    public Guid? OrganisationId { get; set; }
}

public sealed class AccessInput
{
    public Guid? UserId { get; set; }
    public Role? Role { get; set; }
    public List<Guid> WardIds { get; set; } = [];
    public Guid? OrganisationId { get; set; }
}

/// <summary>
/// Reference data and users of the administrator's province, through the admin use cases of the API. Every
/// grant (a new user, a role or scope, a password reset) is a request that a second admin approves here.
/// </summary>
public sealed class IndexModel(IStringLocalizer<SharedResource> l, IDocumentStore store, Writes writes) : UiPage(l)
{
    protected override Role[] Allowed => [Role.Admin];

    [BindProperty(SupportsGet = true, Name = "done")] public string? Done { get; set; }
    [BindProperty] public WardInput Ward { get; set; } = new();
    [BindProperty] public OrganisationInput Organisation { get; set; } = new();
    [BindProperty] public UserInput NewUser { get; set; } = new();
    [BindProperty] public AccessInput Access { get; set; } = new();
    [BindProperty] public string? RejectReason { get; set; }

    public List<Ward> Wards { get; private set; } = [];
    public List<Organisation> Organisations { get; private set; } = [];
    public List<User> Users { get; private set; } = [];
    public List<AdminRequest> Pending { get; private set; } = [];

    /// <summary>Shown once, on the page that answers the approval; never stored or redirected with.</summary>
    public Approved? Approval { get; private set; }

    public string WardName(Guid id) => Wards.FirstOrDefault(w => w.Id == id)?.Name ?? "—";

    public string OrganisationName(Guid? id) => id is { } org ? Organisations.FirstOrDefault(o => o.Id == org)?.Name ?? "—" : "";

    public async Task OnGetAsync() => await LoadAsync();

    public Task<IActionResult> OnPostWardAsync() => Write("ward", () =>
        writes.Run(WriteOf(new CreateWard(Ward.Code, Ward.Name), false), AdminEndpoints.CreatingWard, HttpContext.RequestAborted));

    public Task<IActionResult> OnPostOrganisationAsync() => Write("organisation", () =>
        writes.Run(WriteOf(new CreateOrganisation(Organisation.Name, Organisation.Type, Organisation.WardId ?? Guid.Empty), false), AdminEndpoints.CreatingOrganisation, HttpContext.RequestAborted));

    public Task<IActionResult> OnPostUserAsync() => Write("user", () =>
        writes.Run(WriteOf(new CreateUser(NewUser.Username, NewUser.DisplayName, NewUser.Role, NewUser.WardIds, NewUser.OrganisationId), false),
            UserEndpoints.CreatingUser, HttpContext.RequestAborted));

    public Task<IActionResult> OnPostAccessAsync() => Write("access", () =>
        writes.Run(WriteOf(new ChangeAccess(Access.Role, Access.WardIds, Access.OrganisationId), false), UserEndpoints.ChangingAccess(Access.UserId ?? Guid.Empty), HttpContext.RequestAborted));

    public Task<IActionResult> OnPostResetAsync(Guid userId) => Write("reset", () =>
        writes.Run(WriteOf(new EmptyBody(), false), UserEndpoints.ResettingPassword(userId), HttpContext.RequestAborted));

    public Task<IActionResult> OnPostDeactivateAsync(Guid userId) => Write("deactivate", () =>
        writes.Run(WriteOf(new EmptyBody(), false), UserEndpoints.Deactivating(userId), HttpContext.RequestAborted));

    public Task<IActionResult> OnPostRejectAsync(Guid requestId) => Write("rejected", () =>
        writes.Run(WriteOf(new RejectRequest(RejectReason), false), UserEndpoints.Rejecting(requestId), HttpContext.RequestAborted));

    /// <summary>An approval stays on this page: its answer may hold a one-time password, shown once and never put in a URL.</summary>
    public async Task<IActionResult> OnPostApproveAsync(Guid requestId)
    {
        var reply = await writes.Run(WriteOf(new EmptyBody(), false), UserEndpoints.Approving(requestId), HttpContext.RequestAborted);
        if (reply.IsSuccess) Approval = reply.Body as Approved;
        else Show(reply, "requests");
        await LoadAsync();
        return Page();
    }

    private async Task<IActionResult> Write(string form, Func<Task<Reply>> run)
    {
        var reply = await run();
        if (reply is { IsSuccess: true, Body: Approved approved })
        {
            // The only admin created a second admin at once: its one-time password is shown here, once.
            Approval = approved;
            await LoadAsync();
            return Page();
        }

        if (reply.IsSuccess)
        {
            var done = reply.Status == StatusCodes.Status202Accepted ? "requested" : form;
            var anchor = form is "ward" or "organisation" ? form + "s" : reply.Status == StatusCodes.Status202Accepted ? "requests" : "users";
            return Redirect($"/admin?done={done}#{anchor}");
        }

        Show(reply, form);
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
        Pending = [.. await UserEndpoints.RequestsAsync(session, AdminRequestStatus.Pending, ct)];
    }

    /// <summary>What a request asks, in words: the role and scope asked for.</summary>
    public string Describe(AdminRequest r) => r.Kind switch
    {
        AdminRequestKind.ResetPassword => Text("Admin.RequestReset"),
        _ => $"{Enum(r.Role ?? Role.Reviewer)} {string.Join(", ", r.WardIds.Select(WardName))} {OrganisationName(r.OrganisationId)}".Trim()
    };
}
