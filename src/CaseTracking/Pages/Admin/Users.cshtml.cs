using CaseTracking.Access;
using CaseTracking.Infrastructure;
using CaseTracking.Web;
using Marten;
using Marten.Linq;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace CaseTracking.Pages.Admin;

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
    public Role? Role { get; set; }
    public List<Guid> WardIds { get; set; } = [];
    public Guid? OrganisationId { get; set; }
}

/// <summary>
/// The users of the province (about 1,500): searchable by name, role, ward or organisation, paged; on top the form that
/// asks for a new account, or the change of one user's role and scope; per row, a password reset and deactivation.
/// Every grant is a request a second admin approves on /admin (DESIGN §5).
/// </summary>
public sealed class UsersModel(IStringLocalizer<SharedResource> l, IDocumentStore store, Writes writes) : AdminPage(l, store)
{
    public override string Section => "users";

    [BindProperty] public UserInput NewUser { get; set; } = new();
    [BindProperty] public AccessInput Access { get; set; } = new();
    [BindProperty(SupportsGet = true, Name = "role")] public Role? RoleFilter { get; set; }
    [BindProperty(SupportsGet = true, Name = "wardId")] public Guid? WardFilter { get; set; }
    [BindProperty(SupportsGet = true, Name = "organisationId")] public Guid? OrganisationFilter { get; set; }
    [BindProperty(SupportsGet = true, Name = "edit")] public Guid? EditId { get; set; }
    [BindProperty(SupportsGet = true, Name = "requested")] public Guid? RequestedId { get; set; }
    [BindProperty(SupportsGet = true, Name = "deactivated")] public Guid? DeactivatedId { get; set; }

    /// <summary>The user whose deactivation is asked about (the row's button): the question comes first, then the form.</summary>
    [BindProperty(SupportsGet = true, Name = "deactivate")] public Guid? DeactivateId { get; set; }

    /// <summary>The admin ticked "I confirm …" under the statement of what deactivation does.</summary>
    [BindProperty] public bool Confirmed { get; set; }

    public List<User> Users { get; private set; } = [];
    public List<Ward> Wards { get; private set; } = [];
    public List<Organisation> Organisations { get; private set; } = [];
    public User? Editing { get; private set; }

    /// <summary>The request just sent (shown with what it asks), or the user just deactivated.</summary>
    public AdminRequest? Requested { get; private set; }
    public User? Deactivated { get; private set; }

    /// <summary>The user asked about, and what waits for a second admin about them (closed by the deactivation).</summary>
    public User? Deactivating { get; private set; }
    public IReadOnlyList<AdminRequest> DeactivatingRequests { get; private set; } = [];

    /// <summary>The only admin created a second admin at once: its one-time password, shown here once.</summary>
    public Approved? Approval { get; private set; }

    public string WardName(Guid id) => Wards.FirstOrDefault(w => w.Id == id)?.Name ?? "—";

    public string OrganisationName(Guid? id) => id is { } org ? Organisations.FirstOrDefault(o => o.Id == org)?.Name ?? "—" : "";

    public string Scope(IEnumerable<Guid> wardIds, Guid? organisationId) =>
        $"{string.Join(", ", wardIds.Select(WardName))} {OrganisationName(organisationId)}".Trim();

    public async Task<IActionResult> OnGetAsync()
    {
        if (Refusal() is { } refused) return refused;
        if (RoleFilter is { } r && !System.Enum.IsDefined(r)) return BadRequest();
        return await LoadAsync() ?? Page();
    }

    public async Task<IActionResult> OnPostCreateAsync()
    {
        var reply = await writes.Run(WriteOf(new CreateUser(NewUser.Username, NewUser.DisplayName, NewUser.Role, NewUser.WardIds, NewUser.OrganisationId), false),
            UserEndpoints.CreatingUser, HttpContext.RequestAborted);
        return await Answer(reply, "user");
    }

    public async Task<IActionResult> OnPostAccessAsync(Guid userId)
    {
        var reply = await writes.Run(WriteOf(new ChangeAccess(Access.Role, Access.WardIds, Access.OrganisationId), false),
            UserEndpoints.ChangingAccess(userId), HttpContext.RequestAborted);
        EditId = userId;
        return await Answer(reply, "access");
    }

    public async Task<IActionResult> OnPostResetAsync(Guid userId) =>
        await Answer(await writes.Run(WriteOf(new EmptyBody(), false), UserEndpoints.ResettingPassword(userId), HttpContext.RequestAborted), "reset");

    public async Task<IActionResult> OnPostDeactivateAsync(Guid userId)
    {
        if (!Confirmed)
        {
            // Without the tick: the question again, the box marked, nothing sent.
            DeactivateId = userId;
            FailedForm = "deactivate";
            Errors["confirmed"] = [Text("Confirm.Required")];
            ErrorMessage = Text("Form.Invalid");
            return await LoadAsync() ?? Page();
        }

        var reply = await writes.Run(WriteOf(new EmptyBody(), false), UserEndpoints.Deactivating(userId), HttpContext.RequestAborted);
        if (reply.IsSuccess) return Redirect($"/admin/users?deactivated={userId}#changed");
        return await Answer(reply, "deactivate");
    }

    private async Task<IActionResult> Answer(Reply reply, string form)
    {
        if (reply is { IsSuccess: true, Body: Approved approved })
        {
            // The answer holds a one-time password: shown on this response only, never redirected with or compressed.
            HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpsCompressionFeature>()?.Mode = Microsoft.AspNetCore.Http.Features.HttpsCompressionMode.DoNotCompress;
            Approval = approved;
            EditId = null;
            return await LoadAsync() ?? Page();
        }

        if (reply.IsSuccess) return Redirect($"/admin/users?requested={IdIn(reply, "requestId")}#changed");
        if (reply.Status == StatusCodes.Status404NotFound) return NotFound();
        Show(reply, form);
        return await LoadAsync() ?? Page();
    }

    private async Task<IActionResult?> LoadAsync()
    {
        var ct = HttpContext.RequestAborted;
        await using var session = Store.QuerySession(Me.Tenant);
        Wards = await WardsAsync(session, ct);
        Organisations = [.. await session.Query<Organisation>().OrderBy(o => o.Name).ToListAsync(ct)];
        var tenant = Me.Tenant;
        var query = session.Query<User>().Where(u => u.Tenant == tenant);
        if (SearchText is { } q)
        {
            var login = q.ToLowerInvariant();
            query = query.Where(u => u.Username.Contains(login) || u.DisplayName.Contains(q, StringComparison.OrdinalIgnoreCase));
        }

        if (RoleFilter is { } role) query = query.Where(u => u.Role == role);
        if (WardFilter is { } ward) query = query.Where(u => u.WardIds.Contains(ward));
        if (OrganisationFilter is { } org) query = query.Where(u => u.OrganisationId == org);
        var number = PageNumber ?? 1;
        Users = [.. await query.OrderBy(u => u.Username).Stats(out var stats).Skip((number - 1) * Shared.Paging.DefaultSize).Take(Shared.Paging.DefaultSize).ToListAsync(ct)];
        Paging = PageOf(stats.TotalResults, "/admin/users");
        if (number > 1 && number > Paging.Pages) return NotFound();

        if (RequestedId is { } requested) Requested = await session.LoadAsync<AdminRequest>(requested, ct);
        if (DeactivateId is { } asked)
        {
            Deactivating = await session.LoadAsync<User>(asked, ct) is { } d && d.Tenant == tenant && d.Active ? d : null;
            if (Deactivating is null) return NotFound();
            DeactivatingRequests = await UserEndpoints.PendingForAsync(session, asked, ct);
        }

        if (DeactivatedId is { } gone) Deactivated = await session.LoadAsync<User>(gone, ct) is { } u && u.Tenant == tenant ? u : null;
        if (EditId is { } edit)
        {
            Editing = await session.LoadAsync<User>(edit, ct) is { } user && user.Tenant == tenant ? user : null;
            if (Editing is null) return NotFound();
            if (FailedForm != "access")
                Access = new AccessInput { Role = Editing.Role, WardIds = [.. Editing.WardIds], OrganisationId = Editing.OrganisationId };
        }

        return null;
    }

    /// <summary>What a request asks, in words: the role and scope asked for.</summary>
    public string Describe(AdminRequest r) => r.Kind switch
    {
        AdminRequestKind.ResetPassword => Text("Admin.RequestReset"),
        _ => $"{Enum(r.Role ?? Role.Reviewer)} {Scope(r.WardIds, r.OrganisationId)}".Trim()
    };
}
