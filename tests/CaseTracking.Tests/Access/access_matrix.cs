using CaseTracking.Access;
using CaseTracking.Tests.Infrastructure;
using Marten;
using Marten.Events;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace CaseTracking.Tests.Access;

/// <summary>
/// Role × route × scope, from one table. The table must name every API route the app exposes, so a new
/// route without an access decision fails here.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class access_matrix(AppFixture app) : IAsyncLifetime
{
    private enum Scope { Public, Admin, Province, Case, National }

    /// <summary>Who may use a route; for case routes, in-scope callers get 2xx (or 422 when the case's state refuses).</summary>
    private sealed record Rule(Scope Scope, Role[] Roles, Func<Guid, object?>? Body = null);

    private static readonly Role[] Readers = [Role.Reviewer, Role.Supervisor, Role.Auditor];
    private static readonly Role[] InProvince = [Role.Reviewer, Role.Supervisor, Role.Auditor, Role.Admin];

    /// <summary>Every role, the national administrator's too: outside every province, refused every province and case route.</summary>
    private static readonly Role[] All = [Role.Reviewer, Role.Supervisor, Role.Auditor, Role.Admin, Role.NationalAdmin];

    private static readonly Dictionary<string, Rule> Table = new()
    {
        ["GET /health"] = new(Scope.Public, All),
        ["GET /health/ready"] = new(Scope.Public, All),
        ["GET /health/serving"] = new(Scope.Public, All),
        ["GET /openapi/{documentName}.json"] = new(Scope.Public, All),
        ["POST /api/auth/token"] = new(Scope.Public, All),
        ["POST /api/auth/password"] = new(Scope.Public, All),
        ["GET /api/kinds"] = new(Scope.Public, All),
        ["POST /api/admin/wards"] = new(Scope.Admin, [Role.Admin], _ => new { code = "M" + Guid.NewGuid().ToString("N")[..6], name = "Phường Mới" }),
        ["GET /api/admin/wards"] = new(Scope.Province, InProvince),
        ["POST /api/admin/wards/{wardId}"] = new(Scope.Admin, [Role.Admin], _ => new { name = "Phường Mới" }),
        ["POST /api/admin/organisations"] = new(Scope.Admin, [Role.Admin]),
        ["GET /api/admin/organisations"] = new(Scope.Province, InProvince),
        ["POST /api/admin/organisations/{organisationId}"] = new(Scope.Admin, [Role.Admin], _ => new { name = "Hội Nông dân xã Mới", type = "FarmersAssociation" }),
        ["POST /api/admin/users"] = new(Scope.Admin, [Role.Admin]),
        ["GET /api/admin/users"] = new(Scope.Admin, [Role.Admin]),
        ["POST /api/admin/users/{userId}/deactivate"] = new(Scope.Admin, [Role.Admin]),
        ["POST /api/admin/users/{userId}/password"] = new(Scope.Admin, [Role.Admin]),
        ["POST /api/admin/users/{userId}/access"] = new(Scope.Admin, [Role.Admin]),
        ["GET /api/admin/requests"] = new(Scope.Admin, [Role.Admin]),
        ["GET /api/admin/requests/{requestId}"] = new(Scope.Admin, [Role.Admin]),
        ["POST /api/admin/requests/{requestId}/approve"] = new(Scope.Admin, [Role.Admin]),
        ["POST /api/admin/requests/{requestId}/reject"] = new(Scope.Admin, [Role.Admin]),
        ["GET /api/audit/admin"] = new(Scope.Province, [Role.Auditor]),
        ["POST /api/people"] = new(Scope.Province, [Role.Supervisor]),
        ["GET /api/people"] = new(Scope.Province, [Role.Supervisor, Role.Auditor]),
        ["GET /api/people/{personId}"] = new(Scope.Province, [Role.Supervisor, Role.Auditor, Role.Reviewer]),
        ["GET /api/people/{personId}/record"] = new(Scope.Province, [Role.Supervisor, Role.Auditor]),
        ["POST /api/people/{personId}/corrections"] = new(Scope.Province, [Role.Supervisor], _ => new { address = "Số 9 Trần Phú", reason = "Sửa theo căn cước" }),
        ["GET /api/audit/access/verify"] = new(Scope.Province, [Role.Auditor]),
        ["GET /api/audit/retention"] = new(Scope.Province, [Role.Auditor]),
        ["POST /api/cases"] = new(Scope.Province, [Role.Supervisor]),
        ["GET /api/cases"] = new(Scope.Province, Readers),
        ["GET /api/caseload"] = new(Scope.Province, Readers),
        ["GET /api/alerts"] = new(Scope.Province, Readers),
        ["GET /api/statistics"] = new(Scope.Province, [Role.Supervisor, Role.Auditor]),
        ["GET /api/statistics.csv"] = new(Scope.Province, [Role.Supervisor, Role.Auditor]),
        ["GET /api/audit/access"] = new(Scope.Province, [Role.Auditor]),
        ["GET /api/imports/template.xlsx"] = new(Scope.Province, [Role.Admin, Role.Supervisor]),
        ["GET /api/imports/template.csv"] = new(Scope.Province, [Role.Admin, Role.Supervisor]),
        ["GET /api/imports/export.xlsx"] = new(Scope.Province, [Role.Supervisor, Role.Auditor]),
        ["GET /api/imports/export.csv"] = new(Scope.Province, [Role.Supervisor, Role.Auditor]),
        ["POST /api/imports"] = new(Scope.Province, [Role.Admin, Role.Supervisor]),
        ["GET /api/reports/province"] = new(Scope.Province, [Role.Supervisor, Role.Auditor]),
        ["GET /api/reports/province.xlsx"] = new(Scope.Province, [Role.Supervisor, Role.Auditor]),
        ["GET /api/cases/{caseId}"] = new(Scope.Case, Readers),
        ["GET /api/cases/{caseId}/history"] = new(Scope.Case, Readers),
        ["GET /api/cases/{caseId}/as-of"] = new(Scope.Case, Readers),
        ["GET /api/cases/{caseId}/export"] = new(Scope.Case, [Role.Auditor]),
        ["GET /api/audit/verify/{caseId}"] = new(Scope.Case, [Role.Auditor]),
        ["POST /api/cases/{caseId}/assignment"] = new(Scope.Case, [Role.Supervisor]),
        ["POST /api/cases/{caseId}/reviews"] = new(Scope.Case, [Role.Reviewer], _ => TestProvince.Review("2026-05")),
        ["POST /api/cases/{caseId}/progress"] = new(Scope.Case, [Role.Reviewer, Role.Supervisor], _ => new { area = "Family", direction = "Improved", note = "x", recordedOn = "2026-06-01" }),
        ["POST /api/cases/{caseId}/violations"] = new(Scope.Case, [Role.Supervisor], _ => new { severity = "Minor", description = "x", occurredOn = "2026-06-01" }),
        ["POST /api/cases/{caseId}/term"] = new(Scope.Case, [Role.Supervisor], _ => new { newEndsOn = "2028-01-01", decisionNumber = "1", reason = "Extended" }),
        ["POST /api/cases/{caseId}/release/recommend"] = new(Scope.Case, [Role.Reviewer, Role.Supervisor], _ => new { grounds = "EarlyForProgress", note = "x" }),
        ["POST /api/cases/{caseId}/release/approve"] = new(Scope.Case, [Role.Supervisor], _ => new { decisionNumber = "1", effectiveOn = "2026-06-15" }),
        ["POST /api/cases/{caseId}/release/reject"] = new(Scope.Case, [Role.Supervisor], _ => new { reason = "x" }),
        ["POST /api/cases/{caseId}/release/withdraw"] = new(Scope.Case, [Role.Reviewer, Role.Supervisor], _ => new { reason = "x" }),
        ["POST /api/cases/{caseId}/transfer"] = new(Scope.Case, [Role.Supervisor]),
        ["POST /api/cases/{caseId}/revoke"] = new(Scope.Case, [Role.Supervisor], _ => new { decisionNumber = "1", reason = "x" }),
        ["POST /api/cases/{caseId}/close"] = new(Scope.Case, [Role.Supervisor], _ => new { reason = "Other", note = "x" }),
        ["POST /api/national/provinces"] = new(Scope.National, [Role.NationalAdmin], _ =>
            new { code = "m" + Guid.NewGuid().ToString("N")[..8], name = "Tỉnh Mới", adminUsername = "qt-" + Guid.NewGuid().ToString("N")[..8] }),
        ["GET /api/national/provinces"] = new(Scope.National, [Role.NationalAdmin])
    };

    private TestProvince p = null!;
    private Api national = null!;
    private Api otherSupervisor = null!;
    private Guid otherCase;

    public async Task InitializeAsync()
    {
        p = await TestProvince.CreateAsync(app);
        national = new Api(app.Host, await Api.TokenAsync(app.Host, TestData.NationalAdmin, TestData.NationalAdminPassword));
        (otherSupervisor, otherCase) = await OtherProvinceAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>A second province side by side: its supervisor and one case, created straight in Marten for the tenant "other".</summary>
    private async Task<(Api, Guid)> OtherProvinceAsync()
    {
        var ward = new Ward { Id = Guid.CreateVersion7(), Code = "O" + Guid.NewGuid().ToString("N")[..6], Name = "Phường Khác" };
        var user = new User { Id = Guid.CreateVersion7(), Username = "other-" + Guid.NewGuid().ToString("N")[..8], DisplayName = "Other", Role = Role.Supervisor, Tenant = "other", WardIds = [ward.Id] };
        user.PasswordHash = Logins.HashPassword(user, TestProvince.Password);
        await using (var session = app.Store.LightweightSession("other"))
        {
            session.Store(ward);
            await session.SaveChangesAsync();
        }

        await using (var session = app.Store.LightweightSession())
        {
            session.Store(user);
            await session.SaveChangesAsync();
        }

        var api = new Api(app.Host, await Api.TokenAsync(app.Host, user.Username, TestProvince.Password));
        var person = await api.Post("/api/people", new { fullName = "Trần Thị B", dateOfBirth = "1991-02-03", nationalId = "0" + Random.Shared.NextInt64(10_000_000_000, 99_999_999_999), address = "x", wardId = ward.Id });
        var opened = await api.Post("/api/cases", new
        {
            personId = person.Id("personId"), kind = "SuspendedSentence", legalBasis = new { decisionNumber = "1", issuedBy = "TA", issuedOn = "2025-05-01" },
            startsOn = "2025-06-01", endsOn = "2027-05-31", wardId = ward.Id
        });
        opened.Status.ShouldBe(201, opened.ToString());
        return (api, opened.Id("caseId"));
    }

    [Fact]
    public void the_table_names_every_api_route()
    {
        var routes = app.Host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is { } raw && (raw.StartsWith("/api", StringComparison.Ordinal) || raw.StartsWith("api", StringComparison.Ordinal)
                || raw.StartsWith("/health", StringComparison.Ordinal) || raw.Contains("openapi", StringComparison.Ordinal)))
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(m => $"{m} /{e.RoutePattern.RawText!.TrimStart('/')}"))
            .Distinct().ToList();
        routes.Except(Table.Keys).ShouldBeEmpty("routes without an access rule in the matrix");
        Table.Keys.Except(routes).ShouldBeEmpty("rules for routes that do not exist");
    }

    private TestUser As(Role role) => role switch
    {
        Role.Reviewer => p.ReviewerA, Role.Supervisor => p.SupervisorA, Role.Auditor => p.Auditor,
        Role.NationalAdmin => new TestUser(Guid.Empty, TestData.NationalAdmin, national),
        _ => new TestUser(Guid.Empty, "admin", p.Admin)
    };

    private static string Url(string route, Guid caseId) => route.Split(' ')[1].Replace("{caseId}", caseId.ToString()) +
        (route.EndsWith("/as-of", StringComparison.Ordinal) ? "?version=1" : "");

    private Task<ApiResponse> Call(Api api, string route, Guid caseId, object? body)
    {
        body ??= route switch
        {
            _ when route.EndsWith("/assignment", StringComparison.Ordinal) => p.AssignBody(),
            _ when route.EndsWith("/transfer", StringComparison.Ordinal) => new { toWardId = p.WardB, reason = "Chuyển nơi cư trú" },
            _ => new { }
        };
        return route.StartsWith("GET", StringComparison.Ordinal) ? api.Get(Url(route, caseId)) : api.Post(Url(route, caseId), body);
    }

    [Fact]
    public async Task case_routes_answer_by_role_and_scope()
    {
        foreach (var (route, rule) in Table.Where(t => t.Value.Scope == Scope.Case))
        {
            foreach (var role in All)
            {
                var inScope = await p.OpenAssignedCaseAsync();
                var answer = await Call(As(role).Api, route, inScope, rule.Body?.Invoke(inScope));
                if (rule.Roles.Contains(role))
                    answer.Status.ShouldBeOneOf([200, 201, 422], $"{role} {route} in scope: {answer}");
                else answer.Status.ShouldBe(403, $"{role} {route}: {answer}");
            }

            // Out of scope: a supervisor of another ward, a reviewer of another organisation, and anyone from another province.
            var elsewhere = await p.OpenAssignedCaseAsync();
            if (rule.Roles.Contains(Role.Supervisor))
                (await Call(p.SupervisorB.Api, route, elsewhere, rule.Body?.Invoke(elsewhere))).Status.ShouldBe(404, $"other ward {route}");
            if (rule.Roles.Contains(Role.Reviewer))
                (await Call(p.ReviewerA2.Api, route, elsewhere, rule.Body?.Invoke(elsewhere))).Status.ShouldBe(404, $"other organisation {route}");
            if (rule.Roles.Contains(Role.Supervisor) || rule.Roles.Contains(Role.Auditor))
            {
                var asAuditor = rule.Roles.Contains(Role.Auditor) ? p.Auditor.Api : p.SupervisorA.Api;
                (await Call(asAuditor, route, otherCase, rule.Body?.Invoke(otherCase))).Status.ShouldBe(404, $"other province {route}");
            }

            (await Call(new Api(app.Host, null), route, elsewhere, rule.Body?.Invoke(elsewhere))).Status.ShouldBe(401, $"anonymous {route}");
        }
    }

    [Fact]
    public async Task province_and_admin_routes_answer_by_role()
    {
        // A person of a case assigned to reviewer A's organisation: in scope for the mentor too.
        var person = (await p.SupervisorA.Api.Get($"/api/cases/{await p.OpenAssignedCaseAsync()}")).Body.GetProperty("case").GetProperty("personId").GetGuid();
        foreach (var (route, rule) in Table.Where(t => t.Value.Scope is Scope.Admin or Scope.Province or Scope.National))
        {
            var url = route.Split(' ')[1].Replace("{personId}", person.ToString()).Replace("{userId}", p.ReviewerA2.Id.ToString())
                .Replace("{requestId}", Guid.NewGuid().ToString())
                .Replace("{wardId}", Guid.NewGuid().ToString()).Replace("{organisationId}", Guid.NewGuid().ToString());
            if (route == "GET /api/people") url += "?q=Nguy";
            foreach (var role in All)
            {
                var api = As(role).Api;
                var answer = route.StartsWith("GET", StringComparison.Ordinal) ? await api.Get(url) : await api.Post(url, rule.Body?.Invoke(Guid.Empty) ?? new { });
                // 202: a request for a second admin's approval; 404: an approval of no request.
                // 415: the import takes a multipart upload, not this JSON body.
                if (rule.Roles.Contains(role)) answer.Status.ShouldBeOneOf([200, 201, 202, 400, 404, 409, 415, 422], $"{role} {route}: {answer}");
                else answer.Status.ShouldBe(403, $"{role} {route}: {answer}");
            }

            var anonymous = route.StartsWith("GET", StringComparison.Ordinal) ? await new Api(app.Host, null).Get(url) : await new Api(app.Host, null).Post(url, new { });
            anonymous.Status.ShouldBe(401, $"anonymous {route}");
        }
    }

    [Fact]
    public async Task a_mentor_reads_only_the_people_of_their_organisations_cases()
    {
        var mine = (await p.SupervisorA.Api.Get($"/api/cases/{await p.OpenAssignedCaseAsync()}")).Body.GetProperty("case").GetProperty("personId").GetGuid();
        var notMine = await p.RegisterPersonAsync();
        (await p.ReviewerA.Api.Get($"/api/people/{mine}")).Status.ShouldBe(200);
        (await p.ReviewerA2.Api.Get($"/api/people/{mine}")).Status.ShouldBe(404);
        (await p.ReviewerA.Api.Get($"/api/people/{notMine}")).Status.ShouldBe(404);
        var log = await p.Auditor.Api.Get("/api/audit/access?pageSize=1000");
        log.Body.EnumerateArray().Count(r => r.TryGetProperty("personId", out var id) && id.GetGuid() == mine
            && r.GetProperty("username").GetString() == p.ReviewerA.Username).ShouldBe(1);
    }

    [Fact]
    public async Task another_province_sees_nothing_of_this_one()
    {
        var caseId = await p.OpenAssignedCaseAsync();
        (await p.Auditor.Api.Get($"/api/cases/{caseId}")).Status.ShouldBe(200);
        (await otherSupervisor.Get($"/api/cases/{caseId}")).Status.ShouldBe(404);
        (await otherSupervisor.Get($"/api/cases/{caseId}/history")).Status.ShouldBe(404);
        var list = await otherSupervisor.Get("/api/cases?pageSize=500");
        list.Body.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("case").GetProperty("id").GetGuid()).ShouldBe([otherCase]);
        (await otherSupervisor.Get("/api/caseload?groupBy=Ward")).Body.EnumerateArray().ShouldAllBe(r => r.GetProperty("key").GetGuid() != p.WardA);
        await app.Host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        (await otherSupervisor.Get("/api/statistics?from=2025-01&to=2026-06")).Body.EnumerateArray().Sum(r => r.GetProperty("opened").GetInt32()).ShouldBe(1);
        var auditorList = await p.Auditor.Api.Get("/api/cases?pageSize=500");
        auditorList.Body.GetProperty("items").EnumerateArray().ShouldAllBe(i => i.GetProperty("case").GetProperty("id").GetGuid() != otherCase);
        var access = await p.Auditor.Api.Get("/api/audit/access?pageSize=1000");
        access.Body.EnumerateArray().ShouldAllBe(r => r.GetProperty("caseId").GetGuid() != otherCase);
    }

    [Fact]
    public async Task a_reviewers_read_shows_in_the_auditors_access_log()
    {
        var caseId = await p.OpenAssignedCaseAsync();
        (await p.ReviewerA.Api.Get($"/api/cases/{caseId}/history")).Status.ShouldBe(200);
        var log = await p.Auditor.Api.Get($"/api/audit/access?caseId={caseId}");
        log.Body.EnumerateArray().ShouldContain(r => r.GetProperty("username").GetString() == p.ReviewerA.Username
            && r.GetProperty("what").GetString() == "ReadHistory" && r.GetProperty("role").GetString() == "Reviewer");
    }
}
