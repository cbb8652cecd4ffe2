using CaseTracking.Infrastructure;
using FluentValidation;
using Marten;
using Wolverine.Http;

namespace CaseTracking.Access;

public sealed record CreateWard(string? Code, string? Name)
{
    public sealed class Validator : AbstractValidator<CreateWard>
    {
        public Validator()
        {
            RuleFor(x => x.Code).NotEmpty().MaximumLength(20);
            RuleFor(x => x.Name).NotEmpty().MaximumLength(200);
        }
    }
}

public sealed record CreateOrganisation(string? Name, OrganisationType? Type, Guid WardId)
{
    public sealed class Validator : AbstractValidator<CreateOrganisation>
    {
        public Validator()
        {
            RuleFor(x => x.Name).NotEmpty().MaximumLength(200);
            RuleFor(x => x.Type).NotNull();
            RuleFor(x => x.WardId).NotEmpty();
        }
    }
}

public sealed record CreateUser(string? Username, string? Password, string? DisplayName, Role? Role, List<Guid>? WardIds, Guid? OrganisationId)
{
    public sealed class Validator : AbstractValidator<CreateUser>
    {
        public Validator()
        {
            RuleFor(x => x.Username).NotEmpty().MaximumLength(64).Matches("^[a-zA-Z0-9._-]+$")
                .WithMessage("'username' may hold letters, digits, dot, dash and underscore.");
            RuleFor(x => x.Password).NotEmpty().MinimumLength(10).MaximumLength(200);
            RuleFor(x => x.DisplayName).NotEmpty().MaximumLength(200);
            RuleFor(x => x.Role).NotNull();
            RuleFor(x => x.WardIds).NotEmpty().When(x => x.Role == Access.Role.Supervisor)
                .WithMessage("A supervisor needs at least one ward.");
            RuleFor(x => x.OrganisationId).NotEmpty().When(x => x.Role == Access.Role.Reviewer)
                .WithMessage("A reviewer belongs to an organisation.");
        }
    }
}

public sealed record ResetPassword(string? Password)
{
    public sealed class Validator : AbstractValidator<ResetPassword>
    {
        public Validator() => RuleFor(x => x.Password).NotEmpty().MinimumLength(10).MaximumLength(200);
    }
}

public sealed record UserView(Guid Id, string Username, string DisplayName, Role Role, IReadOnlyList<Guid> WardIds, Guid? OrganisationId, bool Active)
{
    public static UserView Of(User u) => new(u.Id, u.Username, u.DisplayName, u.Role, u.WardIds, u.OrganisationId, u.Active);
}

public sealed record EmptyBody;

/// <summary>Reference data and users of the admin's own province. Admins see no case content.</summary>
public static class AdminEndpoints
{
    private static Reply? NotAdmin(Actor actor) => actor.Role == Role.Admin ? null : Problems.Forbidden("Only administrators manage reference data and users.");

    [WolverinePost("/api/admin/wards")]
    public static Task<Reply> CreateWardEndpoint(HttpContext http, Writes writes) => CreateWardCommand(null, http, writes);

    /// <summary>The same use case for the UI, which already holds the command.</summary>
    public static Task<Reply> CreateWardCommand(CreateWard? given, HttpContext http, Writes writes) =>
        writes.Run<CreateWard>(http, [Role.Admin], async ctx =>
        {
            if (NotAdmin(ctx.Actor) is { } no) return no;
            var code = ctx.Command.Code!.Trim();
            if (await ctx.Session.Query<Ward>().AnyAsync(w => w.Code == code, http.RequestAborted))
                return Problems.Conflict("ward.code-taken", $"A ward with code {code} exists.");
            var ward = new Ward { Id = Guid.CreateVersion7(), Code = code, Name = ctx.Command.Name!.Trim() };
            ctx.Session.Insert(ward);
            return new Reply(201, new { wardId = ward.Id }, $"/api/admin/wards/{ward.Id}");
        }, given);

    [WolverineGet("/api/admin/wards")]
    public static Task<IResult> ListWards(HttpContext http, Reads reads) =>
        reads.Run(http, [Role.Admin, Role.Supervisor, Role.Auditor, Role.Reviewer], async (actor, session) =>
            Results.Json(await session.Query<Ward>().OrderBy(w => w.Code).ToListAsync(http.RequestAborted), Json.Options));

    [WolverinePost("/api/admin/organisations")]
    public static Task<Reply> CreateOrganisationEndpoint(HttpContext http, Writes writes) => CreateOrganisationCommand(null, http, writes);

    /// <summary>The same use case for the UI, which already holds the command.</summary>
    public static Task<Reply> CreateOrganisationCommand(CreateOrganisation? given, HttpContext http, Writes writes) =>
        writes.Run<CreateOrganisation>(http, [Role.Admin], async ctx =>
        {
            if (NotAdmin(ctx.Actor) is { } no) return no;
            if (await ctx.Session.LoadAsync<Ward>(ctx.Command.WardId, http.RequestAborted) is null)
                return Problems.Rule(new("organisation.ward-not-found", "No such ward in your province."));
            var org = new Organisation { Id = Guid.CreateVersion7(), Name = ctx.Command.Name!.Trim(), Type = ctx.Command.Type!.Value, WardId = ctx.Command.WardId };
            ctx.Session.Insert(org);
            return new Reply(201, new { organisationId = org.Id }, $"/api/admin/organisations/{org.Id}");
        }, given);

    [WolverineGet("/api/admin/organisations")]
    public static Task<IResult> ListOrganisations(Guid? wardId, HttpContext http, Reads reads) =>
        reads.Run(http, [Role.Admin, Role.Supervisor, Role.Auditor, Role.Reviewer], async (actor, session) =>
        {
            var query = session.Query<Organisation>().AsQueryable();
            if (wardId is { } w) query = query.Where(o => o.WardId == w);
            return Results.Json(await query.OrderBy(o => o.Name).ToListAsync(http.RequestAborted), Json.Options);
        });

    [WolverinePost("/api/admin/users")]
    public static Task<Reply> CreateUserEndpoint(HttpContext http, Writes writes) => CreateUserCommand(null, http, writes);

    /// <summary>The same use case for the UI, which already holds the command.</summary>
    public static Task<Reply> CreateUserCommand(CreateUser? given, HttpContext http, Writes writes) =>
        writes.Run<CreateUser>(http, [Role.Admin], async ctx =>
        {
            if (NotAdmin(ctx.Actor) is { } no) return no;
            var cmd = ctx.Command;
            var username = cmd.Username!.Trim().ToLowerInvariant();
            if (await ctx.Session.Query<User>().AnyAsync(u => u.Username == username, http.RequestAborted))
                return Problems.Conflict("user.username-taken", $"The user name {username} is taken.");
            var wardIds = cmd.Role == Role.Supervisor ? cmd.WardIds ?? [] : [];
            if (wardIds.Count > 0 && (await ctx.Session.LoadManyAsync<Ward>(http.RequestAborted, wardIds)).Count != wardIds.Distinct().Count())
                return Problems.Rule(new("user.ward-not-found", "Every ward must exist in your province."));
            if (cmd.Role == Role.Reviewer && await ctx.Session.LoadAsync<Organisation>(cmd.OrganisationId!.Value, http.RequestAborted) is null)
                return Problems.Rule(new("user.organisation-not-found", "No such organisation in your province."));
            var user = new User
            {
                Id = Guid.CreateVersion7(), Username = username, DisplayName = cmd.DisplayName!.Trim(), Role = cmd.Role!.Value,
                WardIds = [.. wardIds.Distinct()], OrganisationId = cmd.Role == Role.Reviewer ? cmd.OrganisationId : null,
                Tenant = ctx.Actor.Tenant, Active = true
            };
            user.PasswordHash = Logins.HashPassword(user, cmd.Password!);
            ctx.Session.Insert(user);
            return new Reply(201, new { userId = user.Id }, $"/api/admin/users/{user.Id}");
        }, given);

    [WolverineGet("/api/admin/users")]
    public static Task<IResult> ListUsers(HttpContext http, Reads reads) =>
        reads.Run(http, [Role.Admin], async (actor, session) =>
        {
            var users = await session.Query<User>().Where(u => u.Tenant == actor.Tenant).OrderBy(u => u.Username).ToListAsync(http.RequestAborted);
            return Results.Json(users.Select(UserView.Of), Json.Options);
        });

    [WolverinePost("/api/admin/users/{userId}/deactivate")]
    public static Task<Reply> Deactivate(Guid userId, HttpContext http, Writes writes) =>
        writes.Run<EmptyBody>(http, [Role.Admin], async ctx =>
        {
            if (NotAdmin(ctx.Actor) is { } no) return no;
            var user = await ctx.Session.LoadAsync<User>(userId, http.RequestAborted);
            if (user is null || user.Tenant != ctx.Actor.Tenant) return Problems.NotFound("user");
            if (user.Id == ctx.Actor.UserId) return Problems.Rule(new("user.self-deactivation", "You cannot deactivate yourself."));
            user.Active = false;
            ctx.Session.Store(user);
            http.RequestServices.GetRequiredService<ActorResolver>().Forget(user.Id);
            return new Reply(200, UserView.Of(user));
        });

    [WolverinePost("/api/admin/users/{userId}/password")]
    public static Task<Reply> Reset(Guid userId, HttpContext http, Writes writes) =>
        writes.Run<ResetPassword>(http, [Role.Admin], async ctx =>
        {
            if (NotAdmin(ctx.Actor) is { } no) return no;
            var user = await ctx.Session.LoadAsync<User>(userId, http.RequestAborted);
            if (user is null || user.Tenant != ctx.Actor.Tenant) return Problems.NotFound("user");
            user.PasswordHash = Logins.HashPassword(user, ctx.Command.Password!);
            user.FailedLogins = 0;
            user.LockedUntil = null;
            ctx.Session.Store(user);
            http.RequestServices.GetRequiredService<ActorResolver>().Forget(user.Id);
            return new Reply(200, UserView.Of(user));
        });
}
