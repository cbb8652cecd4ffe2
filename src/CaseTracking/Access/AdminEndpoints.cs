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
            RuleFor(x => x.Code).NotEmpty().MaximumLength(20).Must(Text.IsSingleLine).WithMessage(_ => Messages.Text("PlainText"));
            RuleFor(x => x.Name).NotEmpty().MaximumLength(200).Must(Text.IsSingleLine).WithMessage(_ => Messages.Text("PlainText"));
        }
    }
}

public sealed record CreateOrganisation(string? Name, OrganisationType? Type, Guid WardId)
{
    public sealed class Validator : AbstractValidator<CreateOrganisation>
    {
        public Validator()
        {
            RuleFor(x => x.Name).NotEmpty().MaximumLength(200).Must(Text.IsSingleLine).WithMessage(_ => Messages.Text("PlainText"));
            RuleFor(x => x.Type).NotNull().IsInEnum();
            RuleFor(x => x.WardId).NotEmpty();
        }
    }
}



/// <summary>
/// Reference data of the admin's own province. Admins see no case content; what they do lands in the admin
/// audit trail. Users are managed through requests a second admin approves (<see cref="UserEndpoints"/>).
/// </summary>
public static class AdminEndpoints
{
    /// <summary>A ward of the admin's province; its code is unique there.</summary>
    public static readonly UseCase<CreateWard> CreatingWard = new([Role.Admin], async ctx =>
    {
        var code = ctx.Command.Code!.Trim();
        if (await ctx.Session.Query<Ward>().AnyAsync(w => w.Code == code, ctx.Cancellation))
            return Problems.Conflict("ward.code-taken", $"A ward with code {code} exists.");
        var ward = new Ward { Id = Guid.CreateVersion7(), Code = code, Name = ctx.Command.Name!.Trim() };
        ctx.Session.Insert(ward);
        ctx.Session.Insert(AdminAudit.Entry(ctx.Now, ctx.Actor, AdminAction.WardCreated, null, null, $"Ward {ward.Code} {ward.Name} ({ward.Id})."));
        return new Reply(201, new { wardId = ward.Id }, $"/api/admin/wards/{ward.Id}");
    });

    [WolverinePost("/api/admin/wards")]
    [RequestBody(typeof(CreateWard))]
    public static Task<Reply> CreateWardEndpoint(HttpContext http, Writes writes) => writes.RunAsync(http, CreatingWard);

    [WolverineGet("/api/admin/wards")]
    public static Task<IResult> ListWards(HttpContext http, Reads reads) =>
        reads.Run(http, [Role.Admin, Role.Supervisor, Role.Auditor, Role.Reviewer], async (actor, session) =>
            Results.Json(await session.Query<Ward>().OrderBy(w => w.Code).ToListAsync(http.RequestAborted), Json.Options));

    /// <summary>An organisation of one ward of the admin's province.</summary>
    public static readonly UseCase<CreateOrganisation> CreatingOrganisation = new([Role.Admin], async ctx =>
    {
        if (await ctx.Session.LoadAsync<Ward>(ctx.Command.WardId, ctx.Cancellation) is null)
            return Problems.Rule(new("organisation.ward-not-found", "No such ward in your province."));
        var org = new Organisation { Id = Guid.CreateVersion7(), Name = ctx.Command.Name!.Trim(), Type = ctx.Command.Type!.Value, WardId = ctx.Command.WardId };
        ctx.Session.Insert(org);
        ctx.Session.Insert(AdminAudit.Entry(ctx.Now, ctx.Actor, AdminAction.OrganisationCreated, null, null,
            $"Organisation {org.Name} ({org.Type}, {org.Id}) in ward {org.WardId}."));
        return new Reply(201, new { organisationId = org.Id }, $"/api/admin/organisations/{org.Id}");
    });

    [WolverinePost("/api/admin/organisations")]
    [RequestBody(typeof(CreateOrganisation))]
    public static Task<Reply> CreateOrganisationEndpoint(HttpContext http, Writes writes) => writes.RunAsync(http, CreatingOrganisation);

    [WolverineGet("/api/admin/organisations")]
    public static Task<IResult> ListOrganisations(Guid? wardId, HttpContext http, Reads reads) =>
        reads.Run(http, [Role.Admin, Role.Supervisor, Role.Auditor, Role.Reviewer], async (actor, session) =>
        {
            var query = session.Query<Organisation>().AsQueryable();
            if (wardId is { } w) query = query.Where(o => o.WardId == w);
            return Results.Json(await query.OrderBy(o => o.Name).ToListAsync(http.RequestAborted), Json.Options);
        });
}
