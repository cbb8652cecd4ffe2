using CaseTracking.Infrastructure;
using Marten;
using Marten.Pagination;
using Wolverine.Http;

namespace CaseTracking.Access;

public enum AdminAction
{
    WardCreated, OrganisationCreated, RequestCreated, RequestApproved, RequestRejected,
    UserCreated, AccessChanged, PasswordReset, UserDeactivated, PasswordChanged,
    WardRenamed, OrganisationChanged, RequestCancelled
}

/// <summary>
/// One line of the admin audit trail of a province: who did what to whom, when. Only ever inserted (the app
/// has no route or code path that updates or deletes one); written in the same transaction as the action.
/// <see cref="Alert"/> marks what gave someone the power to read cases (an account of a reading role, or an
/// admin, created; a role or scope changed; a password reset) so auditors look at it.
/// </summary>
public sealed class AdminAuditEntry
{
    public Guid Id { get; set; }
    public DateTimeOffset At { get; set; }
    public Guid ActorId { get; set; }
    public string Actor { get; set; } = "";
    public AdminAction Action { get; set; }
    public Guid? RequestId { get; set; }
    public AdminRequestKind? RequestKind { get; set; }
    public Guid? SubjectId { get; set; }
    public string? Subject { get; set; }
    public Role? SubjectRole { get; set; }
    public string Detail { get; set; } = "";
    public bool Alert { get; set; }
}

public static class AdminAudit
{
    public static AdminAuditEntry Entry(DateTimeOffset at, Guid actorId, string actor, AdminAction action, User? subject,
        AdminRequest? request, string detail, bool alert = false) => new()
    {
        Id = Guid.CreateVersion7(), At = at, ActorId = actorId, Actor = actor, Action = action,
        RequestId = request?.Id, RequestKind = request?.Kind,
        SubjectId = subject?.Id ?? request?.UserId, Subject = subject?.Username ?? request?.Username,
        SubjectRole = subject?.Role ?? request?.Role, Detail = detail, Alert = alert
    };

    public static AdminAuditEntry Entry(DateTimeOffset at, Actor actor, AdminAction action, User? subject, AdminRequest? request,
        string detail, bool alert = false) => Entry(at, actor.UserId, actor.Username, action, subject, request, detail, alert);
}

/// <summary>The admin audit trail, for auditors only (an admin does not audit themselves).</summary>
public static class AdminAuditEndpoint
{
    public const int MaxPageSize = 500;

    [WolverineGet("/api/audit/admin")]
    public static Task<IResult> List(DateTimeOffset? from, DateTimeOffset? to, bool? alerts, int? page, int? pageSize, HttpContext http, Reads reads) =>
        reads.Run(http, [Role.Auditor], async (actor, session) =>
        {
            if (page is < 1 or > 1_000_000) return Problems.Field("page", "'page' is between 1 and 1000000.");
            if (pageSize is < 1 or > MaxPageSize) return Problems.Field("pageSize", $"'pageSize' is between 1 and {MaxPageSize}.");
            var rows = await QueryAsync(session, from, to, alerts == true, page ?? 1, pageSize ?? 100, http.RequestAborted);
            return Results.Json(rows, Json.Options);
        });

    public static async Task<IReadOnlyList<AdminAuditEntry>> QueryAsync(IQuerySession session, DateTimeOffset? from, DateTimeOffset? to,
        bool alertsOnly, int page, int pageSize, CancellationToken ct) =>
        [.. await PageAsync(session, from, to, alertsOnly, page, pageSize, ct)];

    /// <summary>One page of the trail, newest first, with the number of entries on every page (for the pager).</summary>
    public static async Task<IPagedList<AdminAuditEntry>> PageAsync(IQuerySession session, DateTimeOffset? from, DateTimeOffset? to,
        bool alertsOnly, int page, int pageSize, CancellationToken ct)
    {
        var query = session.Query<AdminAuditEntry>().AsQueryable();
        if (from?.ToUniversalTime() is { } f) query = query.Where(e => e.At >= f);
        if (to?.ToUniversalTime() is { } t) query = query.Where(e => e.At <= t);
        if (alertsOnly) query = query.Where(e => e.Alert);
        return await query.OrderByDescending(e => e.At).ThenByDescending(e => e.Id).ToPagedListAsync(page, pageSize, ct);
    }
}
