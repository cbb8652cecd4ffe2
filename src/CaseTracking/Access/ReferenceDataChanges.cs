using CaseTracking.Infrastructure;
using FluentValidation;
using Marten;
using Wolverine.Http;

namespace CaseTracking.Access;

public sealed record RenameWard(string? Name)
{
    public sealed class Validator : AbstractValidator<RenameWard>
    {
        public Validator() =>
            RuleFor(x => x.Name).NotEmpty().MaximumLength(200).Must(Text.IsSingleLine).WithMessage(_ => Messages.Text("PlainText"));
    }
}

public sealed record ChangeOrganisation(string? Name, OrganisationType? Type)
{
    public sealed class Validator : AbstractValidator<ChangeOrganisation>
    {
        public Validator()
        {
            RuleFor(x => x.Name).NotEmpty().MaximumLength(200).Must(Text.IsSingleLine).WithMessage(_ => Messages.Text("PlainText"));
            RuleFor(x => x.Type).NotNull().IsInEnum();
        }
    }
}

/// <summary>
/// Corrections to reference data (issue 15): a ward's name (its code stays: imports and people refer to it) and an
/// organisation's name and type (its ward stays: its cases and reviewers belong there). Neither grants case access,
/// so no second admin is needed; both land in the admin audit trail with the old and new values.
/// </summary>
public static class ReferenceDataChanges
{
    public static UseCase<RenameWard> RenamingWard(Guid wardId) => new([Role.Admin], async ctx =>
    {
        var ward = await ctx.Session.LoadAsync<Ward>(wardId, ctx.Cancellation);
        if (ward is null) return Problems.NotFound("ward");
        var before = ward.Name;
        ward.Name = ctx.Command.Name!.Trim();
        ctx.Session.Store(ward);
        ctx.Session.Insert(AdminAudit.Entry(ctx.Now, ctx.Actor, AdminAction.WardRenamed, null, null, $"Ward {ward.Code} ({ward.Id}): {before} → {ward.Name}."));
        return new Reply(200, ward);
    });

    [WolverinePost("/api/admin/wards/{wardId}")]
    [RequestBody(typeof(RenameWard))]
    public static Task<Reply> RenameWardEndpoint(Guid wardId, HttpContext http, Writes writes) => writes.RunAsync(http, RenamingWard(wardId));

    public static UseCase<ChangeOrganisation> ChangingOrganisation(Guid organisationId) => new([Role.Admin], async ctx =>
    {
        var org = await ctx.Session.LoadAsync<Organisation>(organisationId, ctx.Cancellation);
        if (org is null) return Problems.NotFound("organisation");
        var before = $"{org.Name} ({org.Type})";
        org.Name = ctx.Command.Name!.Trim();
        org.Type = ctx.Command.Type!.Value;
        ctx.Session.Store(org);
        ctx.Session.Insert(AdminAudit.Entry(ctx.Now, ctx.Actor, AdminAction.OrganisationChanged, null, null,
            $"Organisation {org.Id}: {before} → {org.Name} ({org.Type})."));
        return new Reply(200, org);
    });

    [WolverinePost("/api/admin/organisations/{organisationId}")]
    [RequestBody(typeof(ChangeOrganisation))]
    public static Task<Reply> ChangeOrganisationEndpoint(Guid organisationId, HttpContext http, Writes writes) =>
        writes.RunAsync(http, ChangingOrganisation(organisationId));
}
