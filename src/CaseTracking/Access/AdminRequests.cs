using System.Security.Cryptography;
using CaseTracking.Infrastructure;
using FluentValidation;
using Marten;
using CaseTracking.Provinces;
using Wolverine.Http;

namespace CaseTracking.Access;

public enum AdminRequestKind { CreateUser, ChangeAccess, ResetPassword }

/// <summary>Cancelled: closed by the system, not by an admin's decision (the user was deactivated while it waited).</summary>
public enum AdminRequestStatus { Pending, Approved, Rejected, Cancelled }

/// <summary>
/// A change to a user that could give someone case access (DESIGN §5): a new account, a new role or scope, a
/// password reset. One admin asks, another admin of the province approves; only then does it take effect.
/// Tenanted like the rest of a province's admin data; concurrent decisions on one request are refused by
/// optimistic concurrency (409).
/// </summary>
public sealed class AdminRequest
{
    public Guid Id { get; set; }
    public AdminRequestKind Kind { get; set; }
    public AdminRequestStatus Status { get; set; }
    public Guid RequestedById { get; set; }
    public string RequestedBy { get; set; } = "";
    public DateTimeOffset RequestedAt { get; set; }
    public Guid? DecidedById { get; set; }
    public string? DecidedBy { get; set; }
    public DateTimeOffset? DecidedAt { get; set; }
    public string? Reason { get; set; }

    /// <summary>The user concerned; for <see cref="AdminRequestKind.CreateUser"/> set at approval.</summary>
    public Guid? UserId { get; set; }
    public string Username { get; set; } = "";
    public string? DisplayName { get; set; }

    /// <summary>The role and scope asked for (creation, change of access); for a reset, the user's role when asked.</summary>
    public Role? Role { get; set; }
    public List<Guid> WardIds { get; set; } = [];
    public Guid? OrganisationId { get; set; }
    public Role? PreviousRole { get; set; }
}

/// <summary>Marks that a province's only admin has used its one creation of a second admin without approval.</summary>
public sealed class SecondAdminGrant
{
    public const string Key = "second-admin";
    public string Id { get; set; } = Key;
    public Guid CreatedBy { get; set; }
    public Guid AdminId { get; set; }
}

public sealed record CreateUser(string? Username, string? DisplayName, Role? Role, List<Guid>? WardIds, Guid? OrganisationId, string? Password = null)
{
    public sealed class Validator : AbstractValidator<CreateUser>
    {
        public Validator()
        {
            RuleFor(x => x.Username).NotEmpty().MaximumLength(64).Matches("^[a-zA-Z0-9._-]+$")
                .WithMessage(_ => Messages.Text("Username.Characters"));
            RuleFor(x => x.DisplayName).NotEmpty().MaximumLength(200).Must(Text.IsSingleLine)
                .WithMessage(_ => Messages.Text("PlainText"));
            RuleFor(x => x.Password).Empty()
                .WithMessage(_ => Messages.Text("Password.NotSent"));
            this.AccessRules(x => x.Role, x => x.WardIds, x => x.OrganisationId);
        }
    }
}

public sealed record ChangeAccess(Role? Role, List<Guid>? WardIds, Guid? OrganisationId)
{
    public sealed class Validator : AbstractValidator<ChangeAccess>
    {
        public Validator() => this.AccessRules(x => x.Role, x => x.WardIds, x => x.OrganisationId);
    }
}

/// <summary>Role and scope, alike for a new user and a change: a supervisor has wards, a reviewer an organisation.</summary>
public static class AccessValidation
{
    public static void AccessRules<T>(this AbstractValidator<T> v, Func<T, Role?> role, Func<T, List<Guid>?> wards, Func<T, Guid?> organisation)
    {
        v.RuleFor(x => role(x)).NotNull().IsInEnum().OverridePropertyName("role");
        v.RuleFor(x => wards(x)).NotEmpty().When(x => role(x) == Access.Role.Supervisor).OverridePropertyName("wardIds")
            .WithMessage(_ => Messages.Text("Supervisor.Wards"));
        v.RuleFor(x => wards(x)).Must(w => w is null || w.Count <= 500).OverridePropertyName("wardIds")
            .WithMessage(_ => Messages.Format("Wards.TooMany", 500));
        v.RuleFor(x => organisation(x)).NotEmpty().When(x => role(x) == Access.Role.Reviewer).OverridePropertyName("organisationId")
            .WithMessage(_ => Messages.Text("Reviewer.Organisation"));
    }
}

public sealed record RejectRequest(string? Reason)
{
    public sealed class Validator : AbstractValidator<RejectRequest>
    {
        public Validator() => RuleFor(x => x.Reason).MaximumLength(500).Must(Text.IsSingleLine)
            .WithMessage(_ => Messages.Text("PlainText"));
    }
}

public sealed record UserView(Guid Id, string Username, string DisplayName, Role Role, IReadOnlyList<Guid> WardIds, Guid? OrganisationId, bool Active,
    bool MustChangePassword)
{
    public static UserView Of(User u) => new(u.Id, u.Username, u.DisplayName, u.Role, u.WardIds, u.OrganisationId, u.Active, u.MustChangePassword);
}

/// <summary>What an approval answers: the one-time password is shown here once, to the approving admin, and stored nowhere in clear.</summary>
public sealed record Approved(Guid RequestId, AdminRequestStatus Status, Guid UserId, string Username, string? OneTimePassword);

/// <summary>
/// Users of the admin's province, under separation of duties: every grant (a new account, a role or scope, a
/// password reset) is a request that takes effect when a second admin approves. Deactivation takes power
/// away, so it needs no second admin, and it ends the user's sessions at once.
/// </summary>
public static class UserEndpoints
{
    public static readonly Role[] Admins = [Role.Admin];

    [WolverinePost("/api/admin/users")]
    [RequestBody(typeof(CreateUser))]
    public static Task<Reply> CreateUserEndpoint(HttpContext http, Writes writes) => writes.RunAsync(http, CreatingUser);

    /// <summary>
    /// A request to create a user (202); the only admin of a fresh province may create one more admin at once (201).
    /// That answer holds a one-time password, so it is never kept for an idempotent replay.
    /// </summary>
    public static readonly UseCase<CreateUser> CreatingUser = new(Admins, async ctx =>
        {
            var cmd = ctx.Command;
            var ct = ctx.Cancellation;
            var username = cmd.Username!.Trim().ToLowerInvariant();
            var store = ctx.Services.GetRequiredService<IDocumentStore>();
            if (await ctx.Session.Query<User>().AnyAsync(u => u.Username == username, ct) || await LoginNames.TakenAsync(store, username, ct))
                return Problems.Conflict("user.username-taken", $"The user name {username} is taken.");
            var wardIds = cmd.Role == Role.Supervisor ? cmd.WardIds?.Distinct().ToList() ?? [] : [];
            var orgId = cmd.Role == Role.Reviewer ? cmd.OrganisationId : null;
            if (await ScopeProblemAsync(ctx.Session, wardIds, orgId, ct) is { } scope) return scope;

            var request = new AdminRequest
            {
                Id = Guid.CreateVersion7(), Kind = AdminRequestKind.CreateUser, Status = AdminRequestStatus.Pending,
                RequestedById = ctx.Actor.UserId, RequestedBy = ctx.Actor.Username, RequestedAt = ctx.Now,
                Username = username, DisplayName = cmd.DisplayName!.Trim(), Role = cmd.Role, WardIds = wardIds, OrganisationId = orgId
            };

            if (cmd.Role == Role.Admin && await MayCreateSecondAdminAsync(ctx.Session, ctx.Actor, ct))
            {
                // A fresh province has one admin, who cannot get anything approved: it may create one more admin
                // at once, once (the grant document's id is fixed, so a second try conflicts).
                var (admin, password) = NewUser(request, ctx.Actor.Tenant);
                if (!await LoginNames.TryReserveAsync(store, admin, ct))
                    return Problems.Conflict("user.username-taken", $"The user name {username} is taken.");
                ctx.Session.Insert(admin);
                ctx.Session.Insert(new SecondAdminGrant { CreatedBy = ctx.Actor.UserId, AdminId = admin.Id });
                request.Status = AdminRequestStatus.Approved;
                request.UserId = admin.Id;
                request.DecidedById = ctx.Actor.UserId;
                request.DecidedBy = ctx.Actor.Username;
                request.DecidedAt = ctx.Now;
                request.Reason = "The province's only administrator created a second administrator.";
                ctx.Session.Insert(request);
                ctx.Session.Insert(AdminAudit.Entry(ctx.Now, ctx.Actor, AdminAction.UserCreated, admin, request,
                    "Second administrator created without approval (the province had a single administrator).", alert: true));
                return new Reply(201, new Approved(request.Id, request.Status, admin.Id, admin.Username, password), $"/api/admin/requests/{request.Id}");
            }

            ctx.Session.Insert(request);
            ctx.Session.Insert(AdminAudit.Entry(ctx.Now, ctx.Actor, AdminAction.RequestCreated, null, request,
                $"Asked to create {username} as {cmd.Role}; waits for a second administrator."));
            return Pending(request);
        }) { Idempotent = false };

    [WolverinePost("/api/admin/users/{userId}/access")]
    [RequestBody(typeof(ChangeAccess))]
    public static Task<Reply> ChangeAccessEndpoint(Guid userId, HttpContext http, Writes writes) => writes.RunAsync(http, ChangingAccess(userId));

    /// <summary>A request to give a user another role or scope (202).</summary>
    public static UseCase<ChangeAccess> ChangingAccess(Guid userId) => new(Admins, async ctx =>
        {
            var ct = ctx.Cancellation;
            var user = await UserOfAsync(ctx.Session, ctx.Actor, userId, ct);
            if (user is null) return Problems.NotFound("user");
            if (!user.Active) return Problems.Rule(new("user.inactive", "This user is deactivated."));
            var cmd = ctx.Command;
            var wardIds = cmd.Role == Role.Supervisor ? cmd.WardIds?.Distinct().ToList() ?? [] : [];
            var orgId = cmd.Role == Role.Reviewer ? cmd.OrganisationId : null;
            if (await ScopeProblemAsync(ctx.Session, wardIds, orgId, ct) is { } scope) return scope;
            var request = Request(ctx, AdminRequestKind.ChangeAccess, user);
            request.Role = cmd.Role;
            request.WardIds = wardIds;
            request.OrganisationId = orgId;
            ctx.Session.Insert(request);
            ctx.Session.Insert(AdminAudit.Entry(ctx.Now, ctx.Actor, AdminAction.RequestCreated, user, request,
                $"Asked to change {user.Username} from {user.Role} to {cmd.Role}; waits for a second administrator."));
            return Pending(request);
        });

    [WolverinePost("/api/admin/users/{userId}/password")]
    public static Task<Reply> ResetEndpoint(Guid userId, HttpContext http, Writes writes) => writes.RunAsync(http, ResettingPassword(userId));

    /// <summary>A request to reset a user's password (202): the one-time password is made when it is approved.</summary>
    public static UseCase<EmptyBody> ResettingPassword(Guid userId) => new(Admins, async ctx =>
        {
            var user = await UserOfAsync(ctx.Session, ctx.Actor, userId, ctx.Cancellation);
            if (user is null) return Problems.NotFound("user");
            if (!user.Active) return Problems.Rule(new("user.inactive", "This user is deactivated."));
            var request = Request(ctx, AdminRequestKind.ResetPassword, user);
            request.Role = user.Role;
            ctx.Session.Insert(request);
            ctx.Session.Insert(AdminAudit.Entry(ctx.Now, ctx.Actor, AdminAction.RequestCreated, user, request,
                $"Asked to reset the password of {user.Username}; waits for a second administrator."));
            return Pending(request);
        });

    [WolverinePost("/api/admin/users/{userId}/deactivate")]
    public static Task<Reply> DeactivateEndpoint(Guid userId, HttpContext http, Writes writes) => writes.RunAsync(http, Deactivating(userId));

    /// <summary>Deactivation takes power away: no second admin, and the user's sessions end at once.</summary>
    public static UseCase<EmptyBody> Deactivating(Guid userId) => new(Admins, async ctx =>
        {
            var user = await UserOfAsync(ctx.Session, ctx.Actor, userId, ctx.Cancellation);
            if (user is null) return Problems.NotFound("user");
            if (user.Id == ctx.Actor.UserId) return Problems.Rule(new("user.self-deactivation", "You cannot deactivate yourself."));
            user.Active = false;
            user.SecurityStamp = User.NewStamp();
            ctx.Session.Store(user);
            ctx.Session.Insert(AdminAudit.Entry(ctx.Now, ctx.Actor, AdminAction.UserDeactivated, user, null,
                $"Deactivated {user.Username}; every session of the user ended."));
            // What waited for a second admin about this user (a password reset, a new role) must not be approved later
            // by mistake: it is closed with the deactivation, and the trail says why.
            foreach (var waiting in await PendingForAsync(ctx.Session, user.Id, ctx.Cancellation))
            {
                Decide(waiting, ctx.Actor, ctx.Now, AdminRequestStatus.Cancelled, $"{user.Username} was deactivated.");
                ctx.Session.Store(waiting);
                ctx.Session.Insert(AdminAudit.Entry(ctx.Now, ctx.Actor, AdminAction.RequestCancelled, user, waiting,
                    $"Cancelled {waiting.Kind} asked by {waiting.RequestedBy}: {user.Username} was deactivated."));
            }
            ctx.OnSaved(() => Forget(ctx, userId));
            return new Reply(200, UserView.Of(user));
        });

    [WolverineGet("/api/admin/users")]
    public static Task<IResult> ListUsers(HttpContext http, Reads reads) =>
        reads.Run(http, Admins, async (actor, session) =>
        {
            var users = await session.Query<User>().Where(u => u.Tenant == actor.Tenant).OrderBy(u => u.Username).ToListAsync(http.RequestAborted);
            return Results.Json(users.Select(UserView.Of), Json.Options);
        });

    [WolverineGet("/api/admin/requests")]
    public static Task<IResult> ListRequests(AdminRequestStatus? status, HttpContext http, Reads reads) =>
        reads.Run(http, Admins, async (actor, session) =>
            Results.Json(await RequestsAsync(session, status, http.RequestAborted), Json.Options));

    public static async Task<IReadOnlyList<AdminRequest>> RequestsAsync(IQuerySession session, AdminRequestStatus? status, CancellationToken ct)
    {
        var query = session.Query<AdminRequest>().AsQueryable();
        if (status is { } s) query = query.Where(r => r.Status == s);
        return [.. await query.OrderByDescending(r => r.RequestedAt).Take(500).ToListAsync(ct)];
    }

    [WolverineGet("/api/admin/requests/{requestId}")]
    public static Task<IResult> GetRequest(Guid requestId, HttpContext http, Reads reads) =>
        reads.Run(http, Admins, async (actor, session) =>
            await session.LoadAsync<AdminRequest>(requestId, http.RequestAborted) is { } request
                ? Results.Json(request, Json.Options)
                : Problems.NotFound("request"));

    [WolverinePost("/api/admin/requests/{requestId}/approve")]
    public static Task<Reply> ApproveEndpoint(Guid requestId, HttpContext http, Writes writes) => writes.RunAsync(http, Approving(requestId));

    /// <summary>
    /// A second admin approves: the change takes effect now; a new password is shown once, in this answer, so it is
    /// never kept for an idempotent replay (a repeat is harmless anyway: the request is no longer pending, 409).
    /// </summary>
    public static UseCase<EmptyBody> Approving(Guid requestId) => new(Admins, async ctx =>
        {
            var ct = ctx.Cancellation;
            var request = await ctx.Session.LoadAsync<AdminRequest>(requestId, ct);
            if (request is null) return Problems.NotFound("request");
            if (Decided(request) is { } decided) return decided;
            if (request.RequestedById == ctx.Actor.UserId)
                return Problems.Rule(new("admin.same-approver", "A second administrator must approve; you asked for this change."));
            if (request.UserId == ctx.Actor.UserId)
                return Problems.Rule(new("admin.self-approval", "Another administrator must approve a change to your own account."));

            User user;
            string? password = null;
            AdminAction action;
            switch (request.Kind)
            {
                case AdminRequestKind.CreateUser:
                    var names = ctx.Services.GetRequiredService<IDocumentStore>();
                    if (await ctx.Session.Query<User>().AnyAsync(u => u.Username == request.Username, ct)
                        || await LoginNames.TakenAsync(names, request.Username, ct))
                        return Problems.Conflict("user.username-taken", $"The user name {request.Username} is taken.");
                    if (await ScopeProblemAsync(ctx.Session, request.WardIds, request.OrganisationId, ct) is { } gone) return gone;
                    (user, password) = NewUser(request, ctx.Actor.Tenant);
                    // The name is the nation's (ADR 0007): reserved in the shared database before the user is saved.
                    if (!await LoginNames.TryReserveAsync(names, user, ct))
                        return Problems.Conflict("user.username-taken", $"The user name {request.Username} is taken.");
                    ctx.Session.Insert(user);
                    request.UserId = user.Id;
                    action = AdminAction.UserCreated;
                    break;
                case AdminRequestKind.ChangeAccess:
                    var changed = await UserOfAsync(ctx.Session, ctx.Actor, request.UserId!.Value, ct);
                    if (changed is null) return Problems.NotFound("user");
                    if (!changed.Active) return Problems.Rule(new("user.inactive", "This user is deactivated."));
                    if (await ScopeProblemAsync(ctx.Session, request.WardIds, request.OrganisationId, ct) is { } missing) return missing;
                    request.PreviousRole = changed.Role;
                    changed.Role = request.Role!.Value;
                    changed.WardIds = [.. request.WardIds];
                    changed.OrganisationId = request.OrganisationId;
                    changed.SecurityStamp = User.NewStamp();
                    ctx.Session.Store(changed);
                    user = changed;
                    action = AdminAction.AccessChanged;
                    break;
                default:
                    var reset = await UserOfAsync(ctx.Session, ctx.Actor, request.UserId!.Value, ct);
                    if (reset is null) return Problems.NotFound("user");
                    if (!reset.Active) return Problems.Rule(new("user.inactive", "This user is deactivated."));
                    password = OneTimePassword();
                    reset.PasswordHash = Logins.HashPassword(reset, password);
                    reset.MustChangePassword = true;
                    reset.SecurityStamp = User.NewStamp();
                    ctx.Session.Store(reset);
                    ctx.Services.GetRequiredService<SignInAttempts>().Clear(ctx.Session, reset.Username);
                    user = reset;
                    action = AdminAction.PasswordReset;
                    break;
            }

            ctx.OnSaved(() => Forget(ctx, user.Id));
            Decide(request, ctx.Actor, ctx.Now, AdminRequestStatus.Approved, null);
            ctx.Session.Store(request);
            ctx.Session.Insert(AdminAudit.Entry(ctx.Now, ctx.Actor, AdminAction.RequestApproved, user, request,
                $"Approved {request.Kind} asked by {request.RequestedBy}."));
            ctx.Session.Insert(AdminAudit.Entry(ctx.Now, ctx.Actor, action, user, request, action switch
            {
                AdminAction.UserCreated => $"Created {user.Username} as {user.Role} with a one-time password.",
                AdminAction.AccessChanged => $"{user.Username} is now {user.Role} (was {request.PreviousRole}); earlier sessions ended.",
                _ => $"Reset the password of {user.Username} to a one-time password; earlier sessions ended."
            }, alert: true));
            return new Reply(200, new Approved(request.Id, request.Status, user.Id, user.Username, password));
        }) { Idempotent = false };

    [WolverinePost("/api/admin/requests/{requestId}/reject")]
    [RequestBody(typeof(RejectRequest))]
    public static Task<Reply> RejectEndpoint(Guid requestId, HttpContext http, Writes writes) => writes.RunAsync(http, Rejecting(requestId));

    /// <summary>Another admin refuses, or the requester withdraws: nothing changes but the request and the trail.</summary>
    public static UseCase<RejectRequest> Rejecting(Guid requestId) => new(Admins, async ctx =>
        {
            var request = await ctx.Session.LoadAsync<AdminRequest>(requestId, ctx.Cancellation);
            if (request is null) return Problems.NotFound("request");
            if (Decided(request) is { } decided) return decided;
            Decide(request, ctx.Actor, ctx.Now, AdminRequestStatus.Rejected, ctx.Command.Reason?.Trim());
            ctx.Session.Store(request);
            ctx.Session.Insert(AdminAudit.Entry(ctx.Now, ctx.Actor, AdminAction.RequestRejected, null, request,
                request.RequestedById == ctx.Actor.UserId ? $"Withdrew {request.Kind}." : $"Rejected {request.Kind} asked by {request.RequestedBy}."));
            return new Reply(200, request);
        });

    private static Reply Pending(AdminRequest request) =>
        new(202, new { requestId = request.Id, status = request.Status }, $"/api/admin/requests/{request.Id}");

    /// <summary>The requests about one user still waiting for a second admin.</summary>
    public static async Task<IReadOnlyList<AdminRequest>> PendingForAsync(IQuerySession session, Guid userId, CancellationToken ct) =>
        await session.Query<AdminRequest>().Where(r => r.UserId == userId && r.Status == AdminRequestStatus.Pending).ToListAsync(ct);

    private static AdminRequest Request<T>(WriteContext<T> ctx, AdminRequestKind kind, User user) => new()
    {
        Id = Guid.CreateVersion7(), Kind = kind, Status = AdminRequestStatus.Pending,
        RequestedById = ctx.Actor.UserId, RequestedBy = ctx.Actor.Username, RequestedAt = ctx.Now,
        UserId = user.Id, Username = user.Username, DisplayName = user.DisplayName, PreviousRole = user.Role
    };

    private static Reply? Decided(AdminRequest request) => request.Status == AdminRequestStatus.Pending
        ? null
        : Problems.Conflict("admin.request-decided", $"This request was already {request.Status.ToString().ToLowerInvariant()}.");

    private static void Decide(AdminRequest request, Actor actor, DateTimeOffset now, AdminRequestStatus status, string? reason)
    {
        request.Status = status;
        request.DecidedById = actor.UserId;
        request.DecidedBy = actor.Username;
        request.DecidedAt = now;
        request.Reason = reason;
    }

    /// <summary>Users are not tenanted documents: a user of another province is "not found" here.</summary>
    private static async Task<User?> UserOfAsync(IQuerySession session, Actor actor, Guid userId, CancellationToken ct) =>
        await session.LoadAsync<User>(userId, ct) is { } user && user.Tenant == actor.Tenant ? user : null;

    private static async Task<Reply?> ScopeProblemAsync(IQuerySession session, List<Guid> wardIds, Guid? organisationId, CancellationToken ct)
    {
        if (wardIds.Count > 0 && (wardIds.Contains(Guid.Empty) || (await session.LoadManyAsync<Ward>(ct, wardIds)).Count != wardIds.Count))
            return Problems.Rule(new("user.ward-not-found", "Every ward must exist in your province."));
        if (organisationId is { } org && (org == Guid.Empty || await session.LoadAsync<Organisation>(org, ct) is null))
            return Problems.Rule(new("user.organisation-not-found", "No such organisation in your province."));
        return null;
    }

    private static async Task<bool> MayCreateSecondAdminAsync(IQuerySession session, Actor actor, CancellationToken ct) =>
        await session.Query<User>().CountAsync(u => u.Tenant == actor.Tenant && u.Role == Role.Admin, ct) == 1
        && await session.LoadAsync<SecondAdminGrant>(SecondAdminGrant.Key, ct) is null;

    private static (User User, string Password) NewUser(AdminRequest request, string tenant)
    {
        var user = new User
        {
            Id = Guid.CreateVersion7(), Username = request.Username, DisplayName = request.DisplayName ?? request.Username,
            Role = request.Role!.Value, WardIds = [.. request.WardIds], OrganisationId = request.OrganisationId, Tenant = tenant,
            Active = true, MustChangePassword = true, SecurityStamp = User.NewStamp()
        };
        var password = OneTimePassword();
        user.PasswordHash = Logins.HashPassword(user, password);
        return (user, password);
    }

    /// <summary>16 characters without look-alikes (no 0/O, 1/l/I): read aloud or copied by hand to the user.</summary>
    public static string OneTimePassword() => RandomNumberGenerator.GetString("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789", 16);

    private static void Forget<T>(WriteContext<T> ctx, Guid userId) => ctx.Services.GetRequiredService<ActorResolver>().Forget(userId);
}
