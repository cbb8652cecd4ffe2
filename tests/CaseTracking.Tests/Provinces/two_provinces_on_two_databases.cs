using CaseTracking.Access;
using CaseTracking.Provinces;
using CaseTracking.Tests.Infrastructure;
using Marten;

namespace CaseTracking.Tests.Provinces;

/// <summary>
/// Two provinces added at run time by the national administrator: one on the shared database, one on a second
/// PostgreSQL cluster. Nothing crosses between them, the national administrator reads no case content, and the daemon
/// projects both databases.
/// </summary>
[Collection(TwoClusterCollection.Name)]
public sealed class two_provinces_on_two_databases(TwoClusterFixture app) : IAsyncLifetime
{
    private const string Password = "province-user-password";
    private const string SameName = "Nguyễn Văn Trùng";

    private sealed record Side(string Code, Api Supervisor, Api Auditor, Guid Ward, Guid Person, Guid Case);

    private Api national = null!;
    private Side shared = null!;
    private Side own = null!;

    public async Task InitializeAsync()
    {
        national = new Api(app.Host, await Api.TokenAsync(app.Host, TestData.NationalAdmin, TestData.NationalAdminPassword));
        (shared, own) = await app.OnceAsync(async () => Tuple.Create(await ProvinceAsync(null), await ProvinceAsync(app.SecondDatabase)));
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static string NewCode(string prefix) => prefix + Guid.NewGuid().ToString("N")[..8];

    /// <summary>A province through the national route, then a ward, a supervisor and an auditor stored in it, and one case.</summary>
    private async Task<Side> ProvinceAsync(string? database)
    {
        var code = NewCode(database is null ? "ps" : "po");
        var added = await national.Post("/api/national/provinces", new { code, name = "Tỉnh " + code, database, adminUsername = "qt-" + code });
        added.Status.ShouldBe(201, added.ToString());
        added.Body.GetProperty("onOwnDatabase").GetBoolean().ShouldBe(database is not null);
        // The first admin signs in with the one-time password and must choose a new one.
        var oneTime = added.Body.GetProperty("oneTimePassword").GetString()!;
        var login = await new Api(app.Host, null).Post("/api/auth/token", new { username = "qt-" + code, password = oneTime });
        login.Code.ShouldBe("auth.password-change-required", login.ToString());

        var ward = new Ward { Id = Guid.CreateVersion7(), Code = "W1", Name = "Phường Một" };
        var supervisor = NewUser(code, Role.Supervisor, [ward.Id]);
        var auditor = NewUser(code, Role.Auditor, []);
        await using (var session = app.Store.LightweightSession(code))
        {
            session.Store(ward);
            session.Store(supervisor, auditor);
            await session.SaveChangesAsync();
        }

        (await LoginNames.TryReserveAsync(app.Store, supervisor, default)).ShouldBeTrue();
        (await LoginNames.TryReserveAsync(app.Store, auditor, default)).ShouldBeTrue();
        var sup = new Api(app.Host, await Api.TokenAsync(app.Host, supervisor.Username, Password));
        var aud = new Api(app.Host, await Api.TokenAsync(app.Host, auditor.Username, Password));
        var person = await sup.Post("/api/people", new { fullName = SameName, dateOfBirth = "1990-01-02", nationalId = "0" + Random.Shared.NextInt64(10_000_000_000, 99_999_999_999), address = "Số 1", wardId = ward.Id });
        person.Status.ShouldBe(201, person.ToString());
        var opened = await sup.Post("/api/cases", new
        {
            personId = person.Id("personId"), kind = "SuspendedSentence", legalBasis = new { decisionNumber = "1", issuedBy = "TA", issuedOn = "2025-05-01" },
            startsOn = "2025-06-01", endsOn = "2027-05-31", wardId = ward.Id
        });
        opened.Status.ShouldBe(201, opened.ToString());
        return new Side(code, sup, aud, ward.Id, person.Id("personId"), opened.Id("caseId"));
    }

    private static User NewUser(string tenant, Role role, List<Guid> wards)
    {
        var user = new User
        {
            Id = Guid.CreateVersion7(), Username = $"{role.ToString().ToLowerInvariant()}-{tenant}", DisplayName = role.ToString(), Role = role,
            Tenant = tenant, WardIds = wards, SecurityStamp = User.NewStamp()
        };
        user.PasswordHash = Logins.HashPassword(user, Password);
        return user;
    }

    [Fact]
    public async Task the_province_on_its_own_database_is_stored_only_there()
    {
        var schema = app.Schema;
        (await SecondCluster.ScalarAsync<long>(app.SecondDatabase, $"select count(*) from {schema}.mt_events where tenant_id = @t", ("t", own.Code))).ShouldBeGreaterThan(0);
        (await SecondCluster.ScalarAsync<long>(TestDatabase.ConnectionString, $"select count(*) from {schema}.mt_events where tenant_id = @t", ("t", own.Code))).ShouldBe(0);
        (await SecondCluster.ScalarAsync<long>(app.SecondDatabase, $"select count(*) from {schema}.mt_events where tenant_id = @t", ("t", shared.Code))).ShouldBe(0);
        (await SecondCluster.ScalarAsync<long>(app.SecondDatabase, $"select count(*) from {schema}.mt_doc_user where data ->> 'tenant' = @t", ("t", own.Code))).ShouldBe(3);
        // The hash-chain trigger was installed in the database added at run time.
        (await SecondCluster.ScalarAsync<long>(app.SecondDatabase, $"select count(*) from {schema}.mt_events where headers ->> 'hash' is null")).ShouldBe(0);
        (await own.Auditor.Get($"/api/audit/verify/{own.Case}")).Body.GetProperty("valid").GetBoolean().ShouldBeTrue();
    }

    /// <summary>The summaries' batch rebuild (ADR 0014) of the second database rebuilds its province there and touches no other.</summary>
    [Fact]
    public async Task the_summaries_of_the_province_on_its_own_database_rebuild_there()
    {
        var schema = app.Schema;
        var row = $"select concat_ws('|', tenant_id, id, mt_version, status, kind, data ->> 'wardId', data ->> 'personId') from {schema}.mt_doc_casesummary where id = @id";
        var before = await SecondCluster.ScalarAsync<string>(app.SecondDatabase, row, ("id", own.Case));
        var sharedBefore = await SecondCluster.ScalarAsync<string>(TestDatabase.ConnectionString, row, ("id", shared.Case));

        var database = await app.Store.Storage.FindOrCreateDatabase(own.Code);
        var events = await new CaseTracking.Cases.CaseSummaryRebuild(app.Store).RebuildAsync(database, null, default);

        events.ShouldBeGreaterThan(0);
        (await SecondCluster.ScalarAsync<string>(app.SecondDatabase, row, ("id", own.Case))).ShouldBe(before);
        before.ShouldStartWith($"{own.Code}|{own.Case}|");
        (await SecondCluster.ScalarAsync<string>(TestDatabase.ConnectionString, row, ("id", shared.Case))).ShouldBe(sharedBefore);
        (await SecondCluster.ScalarAsync<long>(TestDatabase.ConnectionString,
            $"select count(*) from {schema}.mt_doc_casesummary where tenant_id = @t", ("t", own.Code))).ShouldBe(0);
        (await own.Supervisor.Get($"/api/cases/{own.Case}")).Status.ShouldBe(200);
    }

    [Fact]
    public async Task a_user_of_one_province_gets_404_for_a_case_of_the_other()
    {
        foreach (var (mine, theirs) in new[] { (shared, own), (own, shared) })
        {
            (await mine.Supervisor.Get($"/api/cases/{mine.Case}")).Status.ShouldBe(200);
            (await mine.Supervisor.Get($"/api/cases/{theirs.Case}")).Status.ShouldBe(404);
            (await mine.Auditor.Get($"/api/cases/{theirs.Case}")).Status.ShouldBe(404);
            (await mine.Auditor.Get($"/api/cases/{theirs.Case}/history")).Status.ShouldBe(404);
            (await mine.Auditor.Get($"/api/people/{theirs.Person}")).Status.ShouldBe(404);
            var write = await mine.Supervisor.Post($"/api/cases/{theirs.Case}/violations", new { severity = "Minor", description = "x", occurredOn = "2026-06-01" });
            write.Status.ShouldBe(404, write.ToString());
        }
    }

    [Fact]
    public async Task lists_search_caseloads_and_statistics_do_not_mix()
    {
        foreach (var (mine, theirs) in new[] { (shared, own), (own, shared) })
        {
            var list = await mine.Auditor.Get("/api/cases?pageSize=500");
            list.Body.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("case").GetProperty("id").GetGuid()).ShouldBe([mine.Case]);
            var found = await mine.Supervisor.Get("/api/people?q=" + Uri.EscapeDataString("nguyen van trung"));
            found.Status.ShouldBe(200, found.ToString());
            found.Body.EnumerateArray().Select(p => p.GetProperty("id").GetGuid()).ShouldBe([mine.Person]);
        }

        // The daemon projects both databases: each province's statistics and caseload count its own case, once.
        foreach (var side in new[] { shared, own })
        {
            var opened = await EventuallyAsync(async () =>
                (await side.Auditor.Get("/api/statistics?from=2025-01&to=2026-06")).Body.EnumerateArray().Sum(r => r.GetProperty("opened").GetInt32()), 1);
            opened.ShouldBe(1, side.Code);
            var wards = await EventuallyAsync(async () =>
                (await side.Supervisor.Get("/api/caseload?groupBy=Ward")).Body.EnumerateArray().Count(), 1);
            wards.ShouldBe(1, side.Code);
            (await side.Supervisor.Get("/api/caseload?groupBy=Ward")).Body.EnumerateArray().Single().GetProperty("key").GetGuid().ShouldBe(side.Ward);
        }

        (await SecondCluster.ScalarAsync<long>(app.SecondDatabase,
            $"select coalesce(max(last_seq_id), 0) from {app.Schema}.mt_event_progression where name like 'StatisticsProjection%'")).ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task the_national_administrator_reads_no_case_content()
    {
        foreach (var side in new[] { shared, own })
        {
            (await national.Get($"/api/cases/{side.Case}")).Status.ShouldBe(403);
            (await national.Get($"/api/cases/{side.Case}/history")).Status.ShouldBe(403);
            (await national.Get("/api/cases")).Status.ShouldBe(403);
            (await national.Get($"/api/people/{side.Person}")).Status.ShouldBe(403);
            (await national.Get("/api/people?q=nguyen")).Status.ShouldBe(403);
            (await national.Get("/api/statistics?from=2025-01&to=2026-06")).Status.ShouldBe(403);
            (await national.Get("/api/caseload?groupBy=Ward")).Status.ShouldBe(403);
        }

        var provinces = await national.Get("/api/national/provinces");
        provinces.Status.ShouldBe(200);
        provinces.Text.ShouldNotContain("Password", Case.Insensitive);
        provinces.Body.EnumerateArray().Select(p => p.GetProperty("code").GetString()).ShouldContain(own.Code);
        // Province users may not use the national routes.
        (await own.Auditor.Get("/api/national/provinces")).Status.ShouldBe(403);
    }

    [Fact]
    public async Task hostile_input_on_the_national_route_is_a_400_naming_the_field()
    {
        async Task Refused(object body, string field)
        {
            var answer = await national.Post("/api/national/provinces", body);
            answer.Status.ShouldBe(400, answer.ToString());
            answer.ErrorFields.ShouldContain(field, answer.ToString());
        }

        var admin = "qt-" + Guid.NewGuid().ToString("N")[..8];
        await Refused(new { code = "a\0b", name = "Tỉnh", adminUsername = admin }, "code");
        await Refused(new { code = NewCode("x"), name = "Tỉnh\0", adminUsername = admin }, "name");
        await Refused(new { code = NewCode("x"), name = new string('x', 100_000), adminUsername = admin }, "name");
        await Refused(new { code = "Hà Nội", name = "Tỉnh", adminUsername = admin }, "code");
        await Refused(new { code = "national", name = "Tỉnh", adminUsername = admin }, "code");
        await Refused(new { code = shared.Code, name = "Tỉnh", adminUsername = admin }, "code");
        await Refused(new { code = "demo", name = "Tỉnh", adminUsername = admin }, "code");
        await Refused(new { code = NewCode("x"), name = "Tỉnh", adminUsername = "qt-" + shared.Code }, "adminUsername");
        await Refused(new { code = NewCode("x"), name = "Tỉnh", database = "Host=;;;=", adminUsername = admin }, "database");
        await Refused(new { code = NewCode("x"), name = "Tỉnh", database = "not a connection string", adminUsername = admin }, "database");
        await Refused(new { code = NewCode("x"), name = "Tỉnh", database = "Host=127.0.0.1;Port=1;Database=nowhere;Username=u;Password=p", adminUsername = admin }, "database");
        await Refused(new { code = NewCode("x"), name = "Tỉnh", database = TestDatabase.ConnectionString, adminUsername = admin }, "database");
        await Refused(new { code = NewCode("x"), name = "Tỉnh", database = app.SecondDatabase, adminUsername = admin }, "database");

        var wrongType = await national.PostRaw("/api/national/provinces", """{"code": 12, "name": ["x"], "adminUsername": true}""");
        wrongType.Status.ShouldBe(400, wrongType.ToString());
        (await national.PostRaw("/api/national/provinces", "{")).Status.ShouldBe(400);
        (await shared.Supervisor.Post("/api/national/provinces", new { code = NewCode("x"), name = "Tỉnh", adminUsername = admin })).Status.ShouldBe(403);
        (await new Api(app.Host, null).Post("/api/national/provinces", new { code = NewCode("x"), name = "Tỉnh", adminUsername = admin })).Status.ShouldBe(401);
        // Nothing refused was registered.
        (await national.Get("/api/national/provinces")).Body.EnumerateArray().Count(p => p.GetProperty("code").GetString()!.StartsWith('x')).ShouldBe(0);
    }

    private static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, T expected)
    {
        var until = DateTime.UtcNow.AddSeconds(60);
        T value;
        do
        {
            value = await read();
            if (EqualityComparer<T>.Default.Equals(value, expected)) return value;
            await Task.Delay(250);
        } while (DateTime.UtcNow < until);

        return value;
    }
}
