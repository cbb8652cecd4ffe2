namespace CaseTracking.Access;

/// <summary>
/// The roles of a province, and the national administrator outside every province (issue 19), who adds provinces and
/// their first administrators and never reads case content (docs/security.md).
/// </summary>
public enum Role { Reviewer, Supervisor, Auditor, Admin, NationalAdmin }

public enum OrganisationType { WomensUnion, YouthUnion, VeteransAssociation, FarmersAssociation, ResidentialGroup, Other }

/// <summary>A ward (xã/phường) of a province. Tenanted: one province's wards are invisible to another.</summary>
public sealed class Ward
{
    public Guid Id { get; set; }
    public string Code { get; set; } = "";
    public string Name { get; set; } = "";
}

/// <summary>A community organisation of one ward.</summary>
public sealed class Organisation
{
    public Guid Id { get; set; }
    public string Name { get; set; } = "";
    public OrganisationType Type { get; set; }
    public Guid WardId { get; set; }
}

/// <summary>
/// A user of one province. Not tenanted in Marten (login must find the user before the province is
/// known); <see cref="Tenant"/> carries the province and every query filters on it.
/// </summary>
public sealed class User
{
    public Guid Id { get; set; }
    public string Username { get; set; } = "";
    public string DisplayName { get; set; } = "";
    public Role Role { get; set; }
    public List<Guid> WardIds { get; set; } = [];
    public Guid? OrganisationId { get; set; }
    public string Tenant { get; set; } = "";
    public bool Active { get; set; } = true;
    public string PasswordHash { get; set; } = "";

    /// <summary>
    /// Changes whenever the user's sessions must end (password reset or change, deactivation, a new role or
    /// scope). Carried in every token and cookie; <see cref="ActorResolver"/> refuses a principal whose stamp
    /// is not the user's current one. Failed sign-ins are counted in SQL, not here (<see cref="SignInAttempts"/>).
    /// </summary>
    public string SecurityStamp { get; set; } = "";

    /// <summary>Set by a one-time password (a new account, a reset): sign-in answers auth.password-change-required.</summary>
    public bool MustChangePassword { get; set; }

    public static string NewStamp() => Guid.NewGuid().ToString("N");
}

/// <summary>Who is acting, as decisions see it: resolved from the user document on every request.</summary>
public sealed record Actor(Guid UserId, string Username, string DisplayName, Role Role, string Tenant,
    IReadOnlyList<Guid> WardIds, Guid? OrganisationId)
{
    public static Actor From(User user) => new(user.Id, user.Username, user.DisplayName, user.Role, user.Tenant,
        user.WardIds, user.OrganisationId);
}

public static class AccessModule
{
    public static Marten.StoreOptions ConfigureAccess(this Marten.StoreOptions opts)
    {
        opts.Schema.For<User>().UniqueIndex(x => x.Username);
        // The national list of user names (Provinces/LoginNames.cs), in the shared database.
        opts.Schema.For<CaseTracking.Provinces.LoginName>();
        opts.Schema.For<Ward>().MultiTenanted();
        opts.Schema.For<Organisation>().MultiTenanted().Index(x => x.WardId);
        // The admin records of a province (requests, audit trail) and the sign-in attempts table.
        opts.Schema.For<AdminRequest>().MultiTenanted().UseOptimisticConcurrency(true).Index(x => x.RequestedAt);
        opts.Schema.For<AdminAuditEntry>().MultiTenanted().Index(x => x.At);
        opts.Schema.For<SecondAdminGrant>().MultiTenanted();
        opts.Storage.ExtendedSchemaObjects.Add(SignInAttempts.Definition(opts.DatabaseSchemaName));
        return opts;
    }
}
