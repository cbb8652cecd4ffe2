using CaseTracking.Access;
using CaseTracking.Infrastructure;
using CaseTracking.Web;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace CaseTracking.Pages.Admin;

/// <summary>
/// The administrator's start: the requests waiting for a second admin (approve or reject), and the size of each list,
/// which lives on a page of its own (/admin/wards, /admin/organisations, /admin/users).
/// </summary>
public sealed class IndexModel(IStringLocalizer<SharedResource> l, IDocumentStore store, Writes writes) : AdminPage(l, store)
{
    public override string Section => "requests";

    [BindProperty(SupportsGet = true, Name = "done")] public string? Done { get; set; }
    [BindProperty] public string? RejectReason { get; set; }

    public List<AdminRequest> Pending { get; private set; } = [];
    public Dictionary<Guid, string> WardNames { get; private set; } = [];
    public Dictionary<Guid, string> OrganisationNames { get; private set; } = [];
    public (int Wards, int Organisations, int Users) Counts { get; private set; }

    /// <summary>Shown once, on the page that answers the approval; never stored or redirected with.</summary>
    public Approved? Approval { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        if (Done is { } done && done is not ("rejected" or "requested")) Done = null;
        await LoadAsync();
        return Page();
    }

    public async Task<IActionResult> OnPostRejectAsync(Guid requestId)
    {
        var reply = await writes.Run(WriteOf(new RejectRequest(RejectReason), false), UserEndpoints.Rejecting(requestId), HttpContext.RequestAborted);
        if (reply.IsSuccess) return Redirect("/admin?done=rejected#requests");
        Show(reply, "requests");
        await LoadAsync();
        return Page();
    }

    /// <summary>An approval stays on this page: its answer may hold a one-time password, shown once and never put in a URL.</summary>
    public async Task<IActionResult> OnPostApproveAsync(Guid requestId)
    {
        var reply = await writes.Run(WriteOf(new EmptyBody(), false), UserEndpoints.Approving(requestId), HttpContext.RequestAborted);
        if (reply.IsSuccess)
        {
            Approval = reply.Body as Approved;
            // The one response with a secret in it is not compressed (BREACH), whatever the transport.
            HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpsCompressionFeature>()?.Mode = Microsoft.AspNetCore.Http.Features.HttpsCompressionMode.DoNotCompress;
        }
        else Show(reply, "requests");
        await LoadAsync();
        return Page();
    }

    private async Task LoadAsync()
    {
        var ct = HttpContext.RequestAborted;
        await using var session = Store.QuerySession(Me.Tenant);
        Pending = [.. await UserEndpoints.RequestsAsync(session, AdminRequestStatus.Pending, ct)];
        var wardIds = Pending.SelectMany(r => r.WardIds).Distinct().ToArray();
        var orgIds = Pending.Where(r => r.OrganisationId is not null).Select(r => r.OrganisationId!.Value).Distinct().ToArray();
        WardNames = wardIds.Length == 0 ? [] : (await session.LoadManyAsync<Ward>(ct, wardIds)).ToDictionary(w => w.Id, w => w.Name);
        OrganisationNames = orgIds.Length == 0 ? [] : (await session.LoadManyAsync<Organisation>(ct, orgIds)).ToDictionary(o => o.Id, o => o.Name);
        var tenant = Me.Tenant;
        Counts = (await session.Query<Ward>().CountAsync(ct), await session.Query<Organisation>().CountAsync(ct),
            await session.Query<User>().CountAsync(u => u.Tenant == tenant, ct));
    }

    /// <summary>What a request asks, in words: the role and scope asked for.</summary>
    public string Describe(AdminRequest r) => r.Kind switch
    {
        AdminRequestKind.ResetPassword => Text("Admin.RequestReset"),
        _ => $"{Enum(r.Role ?? Role.Reviewer)} {string.Join(", ", r.WardIds.Select(id => WardNames.GetValueOrDefault(id) ?? "—"))} {(r.OrganisationId is { } o ? OrganisationNames.GetValueOrDefault(o) : "")}".Trim()
    };
}
