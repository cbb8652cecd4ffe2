using CaseTracking.Access;
using CaseTracking.Tests.Infrastructure;

namespace CaseTracking.Tests.Imports;

/// <summary>
/// A province of its own (tenant), made straight in Marten: two wards with fixed codes W1 and W2, one organisation
/// each, two supervisors of both wards, a mentor per organisation and an auditor. Same codes and names in every
/// such province, so a file of one can be imported into another once the user names are mapped.
/// </summary>
public sealed class SmallProvince
{
    public required string Tenant { get; init; }
    public required string Prefix { get; init; }
    public required Ward W1 { get; init; }
    public required Ward W2 { get; init; }
    public required Organisation O1 { get; init; }
    public required Organisation O2 { get; init; }
    public required Api Supervisor { get; init; }
    public required Api Supervisor2 { get; init; }
    public required Api Auditor { get; init; }

    public string User(string role) => $"{Prefix}-{role}";

    public static async Task<SmallProvince> CreateAsync(AppFixture app, string label)
    {
        var prefix = $"{label}{Guid.NewGuid().ToString("N")[..6]}";
        var tenant = prefix;
        var w1 = new Ward { Id = Guid.CreateVersion7(), Code = "W1", Name = "Phường Một" };
        var w2 = new Ward { Id = Guid.CreateVersion7(), Code = "W2", Name = "Xã Hai" };
        var o1 = new Organisation { Id = Guid.CreateVersion7(), Name = "Hội Liên hiệp Phụ nữ phường Một", Type = OrganisationType.WomensUnion, WardId = w1.Id };
        var o2 = new Organisation { Id = Guid.CreateVersion7(), Name = "Đoàn Thanh niên xã Hai", Type = OrganisationType.YouthUnion, WardId = w2.Id };
        await using (var session = app.Store.LightweightSession(tenant))
        {
            session.Store(w1, w2);
            session.Store(o1, o2);
            await session.SaveChangesAsync();
        }

        CaseTracking.Access.User Make(string role, Role r, List<Guid>? wards = null, Guid? org = null)
        {
            var user = new CaseTracking.Access.User
            {
                Id = Guid.CreateVersion7(), Username = $"{prefix}-{role}", DisplayName = role, Role = r, Tenant = tenant, WardIds = wards ?? [],
                OrganisationId = org, SecurityStamp = CaseTracking.Access.User.NewStamp()
            };
            user.PasswordHash = Logins.HashPassword(user, TestProvince.Password);
            return user;
        }

        var users = new[]
        {
            Make("sup", Role.Supervisor, [w1.Id, w2.Id]), Make("sup2", Role.Supervisor, [w1.Id, w2.Id]),
            Make("rev1", Role.Reviewer, org: o1.Id), Make("rev2", Role.Reviewer, org: o2.Id), Make("aud", Role.Auditor)
        };
        await using (var session = app.Store.LightweightSession())
        {
            session.Store(users);
            await session.SaveChangesAsync();
        }

        async Task<Api> Sign(string role) => new(app.Host, await Api.TokenAsync(app.Host, $"{prefix}-{role}", TestProvince.Password));
        return new SmallProvince
        {
            Tenant = tenant, Prefix = prefix, W1 = w1, W2 = w2, O1 = o1, O2 = o2,
            Supervisor = await Sign("sup"), Supervisor2 = await Sign("sup2"), Auditor = await Sign("aud")
        };
    }
}
