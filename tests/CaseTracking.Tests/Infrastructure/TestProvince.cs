using Alba;
using Bogus;
using CaseTracking.Access;
using CaseTracking.Cases;

namespace CaseTracking.Tests.Infrastructure;

public sealed record TestUser(Guid Id, string Username, Api Api);

/// <summary>
/// A small province built through the admin API, unique per test class (its own wards), so classes
/// sharing one host and schema never see each other's cases.
/// </summary>
public sealed class TestProvince
{
    public const string Password = "password-for-tests-1";
    private static readonly Faker Faker = new("vi");

    public required IAlbaHost Host { get; init; }
    public required Api Admin { get; init; }

    /// <summary>The second administrator, who approves what <see cref="Admin"/> asks.</summary>
    public required Api Admin2 { get; init; }
    public required Guid WardA { get; init; }
    public required Guid WardB { get; init; }
    public required Guid OrgA { get; init; }
    public required Guid OrgA2 { get; init; }
    public required TestUser SupervisorA { get; init; }
    public required TestUser SupervisorA2 { get; init; }
    public required TestUser SupervisorB { get; init; }
    public required TestUser ReviewerA { get; init; }
    public required TestUser ReviewerA2 { get; init; }
    public required TestUser Auditor { get; init; }

    public static async Task<TestProvince> CreateAsync(AppFixture app)
    {
        var admin = new Api(app.Host, await Api.TokenAsync(app.Host, "admin", TestData.AdminPassword));
        var admin2 = await app.SecondAdminAsync();
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var wardA = (await admin.Post("/api/admin/wards", new { code = $"A{suffix}", name = $"Phường {Faker.Address.StreetName()}" })).Id("wardId");
        var wardB = (await admin.Post("/api/admin/wards", new { code = $"B{suffix}", name = $"Xã {Faker.Address.StreetName()}" })).Id("wardId");
        var orgA = (await admin.Post("/api/admin/organisations", new { name = "Hội Liên hiệp Phụ nữ " + suffix, type = "WomensUnion", wardId = wardA })).Id("organisationId");
        var orgA2 = (await admin.Post("/api/admin/organisations", new { name = "Đoàn Thanh niên " + suffix, type = "YouthUnion", wardId = wardA })).Id("organisationId");

        async Task<TestUser> User(string prefix, Role role, Guid[]? wards = null, Guid? org = null)
        {
            var username = $"{prefix}-{suffix}";
            var (id, api) = await Api.CreateUserAsync(app.Host, admin, admin2, new
            {
                username, displayName = Faker.Name.FullName(), role = role.ToString(), wardIds = wards ?? [], organisationId = org
            }, Password);
            return new TestUser(id, username, api);
        }

        return new TestProvince
        {
            Host = app.Host, Admin = admin, Admin2 = admin2, WardA = wardA, WardB = wardB, OrgA = orgA, OrgA2 = orgA2,
            SupervisorA = await User("sup-a", Role.Supervisor, [wardA]),
            SupervisorA2 = await User("sup-a2", Role.Supervisor, [wardA]),
            SupervisorB = await User("sup-b", Role.Supervisor, [wardB]),
            ReviewerA = await User("rev-a", Role.Reviewer, org: orgA),
            ReviewerA2 = await User("rev-a2", Role.Reviewer, org: orgA2),
            Auditor = await User("aud", Role.Auditor)
        };
    }

    public async Task<Guid> RegisterPersonAsync(Guid? ward = null)
    {
        var response = await SupervisorA.Api.Post("/api/people", new
        {
            fullName = Faker.Name.FullName(),
            dateOfBirth = DateOnly.FromDateTime(Faker.Date.Past(40, new DateTime(2005, 1, 1))),
            nationalId = Faker.Random.ReplaceNumbers("0###########"),
            address = Faker.Address.FullAddress(),
            wardId = ward ?? WardA
        });
        if (response.Status != 201) throw new InvalidOperationException(response.ToString());
        return response.Id("personId");
    }

    /// <summary>Opens a case in ward A (by default a two-year suspended sentence that started a year ago).</summary>
    public async Task<Guid> OpenCaseAsync(DateOnly? startsOn = null, DateOnly? endsOn = null, SupervisionKind kind = SupervisionKind.SuspendedSentence)
    {
        var start = startsOn ?? new DateOnly(2025, 6, 1);
        var response = await SupervisorA.Api.Post("/api/cases", OpenCaseBody(await RegisterPersonAsync(), start, endsOn ?? start.AddYears(2).AddDays(-1), kind));
        if (response.Status != 201) throw new InvalidOperationException(response.ToString());
        return response.Id("caseId");
    }

    public object OpenCaseBody(Guid personId, DateOnly start, DateOnly end, SupervisionKind kind = SupervisionKind.SuspendedSentence) => new
    {
        personId, kind = kind.ToString(),
        legalBasis = new { decisionNumber = $"{Faker.Random.Number(10, 999)}/2025/HS-ST", issuedBy = "Tòa án nhân dân huyện " + Faker.Address.City(), issuedOn = start.AddDays(-10) },
        startsOn = start, endsOn = end, wardId = WardA
    };

    public async Task<Guid> OpenAssignedCaseAsync(DateOnly? startsOn = null, DateOnly? endsOn = null)
    {
        var caseId = await OpenCaseAsync(startsOn, endsOn);
        var assigned = await SupervisorA.Api.Post($"/api/cases/{caseId}/assignment", AssignBody());
        if (assigned.Status != 200) throw new InvalidOperationException(assigned.ToString());
        return caseId;
    }

    public object AssignBody() => new { organisationId = OrgA, mentorUserId = ReviewerA.Id, supervisorUserId = SupervisorA.Id, reason = "Phân công lần đầu" };

    public static object Review(string period, string rating = "Good", DateOnly? heldOn = null) => new
    {
        period, heldOn = heldOn ?? DateOnly.ParseExact(period + "-20", "yyyy-MM-dd"), rating, summary = Faker.Lorem.Sentence()
    };
}
