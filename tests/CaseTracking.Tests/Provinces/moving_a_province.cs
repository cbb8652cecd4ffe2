using Alba;
using CaseTracking.Access;
using CaseTracking.Provinces;
using CaseTracking.Tests.Infrastructure;
using JasperFx.CommandLine;
using Marten;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CaseTracking.Tests.Provinces;

/// <summary>
/// Two app nodes on one test database (HotCold: one runs the daemon) and an empty database on the second cluster,
/// the "own server" a province moves to.
/// </summary>
public sealed class TwoNodesAndAnEmptyDatabase : IAsyncLifetime
{
    public string Schema { get; } = "t_" + Guid.NewGuid().ToString("N")[..12];
    public string TargetName { get; } = "ct_move_" + Guid.NewGuid().ToString("N")[..8];
    public string Cluster { get; private set; } = "";
    public string Target { get; private set; } = "";
    public IAlbaHost A { get; private set; } = null!;
    public IAlbaHost B { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cluster = SecondCluster.Start();
        Target = await SecondCluster.CreateDatabaseAsync(Cluster, TargetName);
        JasperFxEnvironment.AutoStartHost = true;
        A = await StartNodeAsync("a");
        B = await StartNodeAsync("b");
    }

    private Task<IAlbaHost> StartNodeAsync(string name) => AlbaHost.For<Program>(builder =>
    {
        builder.UseSetting("ConnectionStrings:Marten", TestDatabase.ConnectionString);
        builder.UseSetting("CaseTracking:Schema", Schema);
        builder.UseSetting("CaseTracking:AdminPassword", TestData.AdminPassword);
        builder.UseSetting("CaseTracking:NationalAdminPassword", TestData.NationalAdminPassword);
        builder.UseSetting("CaseTracking:SealDaily", "false");
        builder.UseSetting("CaseTracking:DataFolder", Path.Combine(Path.GetTempPath(), "casetracking-tests", Schema, name));
        builder.UseSetting("CaseTracking:DaemonMode", "HotCold");
        builder.UseSetting("CaseTracking:SignIn:PerClientPermits", "1000000");
        builder.UseSetting("CaseTracking:SignIn:PerUserPermits", "1000000");
    });

    public async Task DisposeAsync()
    {
        await B.DisposeAsync();
        await A.DisposeAsync();
        await TestDatabase.DropSchemaAsync(Schema);
        await SecondCluster.DropDatabaseAsync(Cluster, TargetName);
    }
}

/// <summary>
/// The rehearsal of <c>province move</c> (issue 19): a province with cases on the shared database, served by two nodes,
/// is copied into its own database on the second cluster while both nodes run. Neither node restarts: the registry's
/// NOTIFY makes each read the province's place again, and from then on reads, writes, user changes, the hash chain and
/// the async projections are the new database's; the cleanup leaves nothing of the province in the shared database.
/// </summary>
public sealed class moving_a_province(TwoNodesAndAnEmptyDatabase nodes) : IClassFixture<TwoNodesAndAnEmptyDatabase>
{
    private const string Password = "province-user-password";

    [Fact]
    public async Task a_province_moves_to_its_own_database_and_every_node_serves_it_from_there_without_a_restart()
    {
        var code = "mv" + Guid.NewGuid().ToString("N")[..6];
        var national = new Api(nodes.A, await Api.TokenAsync(nodes.A, TestData.NationalAdmin, TestData.NationalAdminPassword));
        (await national.Post("/api/national/provinces", new { code, name = "Tỉnh chuyển", adminUsername = "qt-" + code })).Status.ShouldBe(201);

        // A ward, a supervisor and an auditor; three cases and a violation written through node B, one case read.
        var ward = new Ward { Id = Guid.CreateVersion7(), Code = "W1", Name = "Phường Một" };
        var supervisor = NewUser(code, Role.Supervisor, [ward.Id]);
        var auditor = NewUser(code, Role.Auditor, []);
        await using (var session = nodes.A.Services.GetRequiredService<IDocumentStore>().LightweightSession(code))
        {
            session.Store(ward);
            session.Store(supervisor, auditor);
            await session.SaveChangesAsync();
        }

        var sup = new Api(nodes.B, await Api.TokenAsync(nodes.B, supervisor.Username, Password));
        var aud = new Api(nodes.B, await Api.TokenAsync(nodes.B, auditor.Username, Password));
        var cases = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            var person = await sup.Post("/api/people", new
            {
                fullName = $"Trần Văn Chuyển {i}", dateOfBirth = "1990-01-02", nationalId = "0" + Random.Shared.NextInt64(10_000_000_000, 99_999_999_999),
                address = "Số 1", wardId = ward.Id
            });
            person.Status.ShouldBe(201, person.ToString());
            var opened = await sup.Post("/api/cases", new
            {
                personId = person.Id("personId"), kind = "SuspendedSentence", legalBasis = new { decisionNumber = $"{i}/2025", issuedBy = "TA", issuedOn = "2025-05-01" },
                startsOn = "2025-06-01", endsOn = "2027-05-31", wardId = ward.Id
            });
            opened.Status.ShouldBe(201, opened.ToString());
            cases.Add(opened.Id("caseId"));
        }

        (await sup.Post($"/api/cases/{cases[0]}/violations", new { severity = "Minor", description = "Vắng mặt", occurredOn = "2025-07-01" })).Status.ShouldBe(200);
        (await aud.Get($"/api/cases/{cases[0]}")).Status.ShouldBe(200);
        (await EventuallyAsync(() => OpenedAsync(aud), 3)).ShouldBe(3);

        var schema = nodes.Schema;
        var shared = TestDatabase.ConnectionString;
        var hashesBefore = await HashesAsync(shared, code);
        hashesBefore.Count.ShouldBeGreaterThanOrEqualTo(4);
        var feedB = nodes.B.Services.GetRequiredService<UserChangeFeed>();
        var reloaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Watch(string c) { if (c == code) reloaded.TrySetResult(); }
        feedB.ProvinceReloaded += Watch;

        // The move, from node A while both nodes serve.
        var move = nodes.A.Services.GetRequiredService<ProvinceMove>();
        var report = await move.MoveAsync(code, nodes.Target, "test", default);
        report.From.ShouldBe(ProvinceTenancy.SharedLabel);
        report.Events.ShouldBe(hashesBefore.Count);

        // Node B hears of it (NOTIFY on the registry) well within a second, without a restart.
        await reloaded.Task.WaitAsync(TimeSpan.FromSeconds(2));
        feedB.ProvinceReloaded -= Watch;

        // Reads and writes through node B now go to the new database.
        (await sup.Get($"/api/cases/{cases[1]}")).Status.ShouldBe(200);
        var written = await sup.Post($"/api/cases/{cases[1]}/violations", new { severity = "Minor", description = "Sau khi chuyển", occurredOn = "2025-08-01" });
        written.Status.ShouldBe(200, written.ToString());
        (await SecondCluster.ScalarAsync<long>(nodes.Target, $"select count(*) from {schema}.mt_events where stream_id = @s", ("s", cases[1]))).ShouldBe(2);
        (await SecondCluster.ScalarAsync<long>(shared, $"select count(*) from {schema}.mt_events where stream_id = @s", ("s", cases[1]))).ShouldBe(1);
        var list = await aud.Get("/api/cases?pageSize=50");
        list.Body.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("case").GetProperty("id").GetGuid()).Order().ShouldBe(cases.Order());
        (await aud.Get($"/api/cases/{cases[0]}/history")).Body.EnumerateArray().Count().ShouldBe(2);

        // The chain was copied, not recomputed: every event keeps its hash, and every stream verifies there.
        var hashesAfter = await HashesAsync(nodes.Target, code);
        hashesBefore.ShouldBeSubsetOf(hashesAfter);
        foreach (var id in cases) (await aud.Get($"/api/audit/verify/{id}")).Body.GetProperty("valid").GetBoolean().ShouldBeTrue();
        (await move.VerifyAsync(code, default)).ShouldAllBe(r => r.Valid);

        // The async projections are built by the daemon in the new database (nothing of them was copied): each case once.
        (await EventuallyAsync(() => OpenedAsync(aud), 3)).ShouldBe(3);
        (await SecondCluster.ScalarAsync<long>(nodes.Target,
            $"select coalesce(max(last_seq_id), 0) from {schema}.mt_event_progression where name like 'StatisticsProjection%'")).ShouldBeGreaterThan(0);

        // A user change in the province's own database reaches node B at once (its user table's NOTIFY).
        var forgotten = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Forgot(Guid id) { if (id == auditor.Id) forgotten.TrySetResult(); }
        feedB.Forgotten += Forgot;
        await using (var session = nodes.A.Services.GetRequiredService<IDocumentStore>().LightweightSession(code))
        {
            var stored = await session.LoadAsync<User>(auditor.Id);
            stored.ShouldNotBeNull().Active = false;
            session.Store(stored);
            await session.SaveChangesAsync();
        }

        await forgotten.Task.WaitAsync(TimeSpan.FromSeconds(2));
        feedB.Forgotten -= Forgot;
        (await aud.Get("/api/cases")).Status.ShouldBe(401);

        // Cleanup: nothing of the province is left in the shared database, and the province is still served.
        await move.RemoveLeftoversAsync(code, null, default);
        foreach (var table in new[] { "mt_events", "mt_streams", "mt_doc_casesummary", "mt_doc_person", "mt_doc_accessrecord", "mt_doc_statisticsrow" })
            (await SecondCluster.ScalarAsync<long>(shared, $"select count(*) from {schema}.{table} where tenant_id = @t", ("t", code))).ShouldBe(0, table);
        (await SecondCluster.ScalarAsync<long>(shared, $"select count(*) from {schema}.mt_doc_user where data ->> 'tenant' = @t", ("t", code))).ShouldBe(0);
        (await SecondCluster.ScalarAsync<long>(nodes.Target, $"select count(*) from {schema}.mt_events where tenant_id = @t", ("t", code))).ShouldBe(hashesBefore.Count + 1);
        var signIn = await new Api(nodes.A, null).Post("/api/auth/token", new { username = supervisor.Username, password = Password });
        signIn.Status.ShouldBe(200, signIn.ToString());
        (await sup.Get($"/api/cases/{cases[2]}")).Status.ShouldBe(200);
    }

    [Fact]
    public async Task a_move_into_a_database_that_holds_data_or_of_an_unknown_code_changes_nothing()
    {
        var move = nodes.A.Services.GetRequiredService<ProvinceMove>();
        await Should.ThrowAsync<MoveRefusedException>(() => move.MoveAsync("a'b", nodes.Target, "test", default));
        await Should.ThrowAsync<MoveRefusedException>(() => move.MoveAsync("demo", TestDatabase.ConnectionString, "test", default));
        await Should.ThrowAsync<MoveRefusedException>(() => move.MoveAsync("demo", "Host=127.0.0.1;Port=1;Database=x;Username=x;Password=x", "test", default));
        await Should.ThrowAsync<MoveRefusedException>(() => move.RemoveLeftoversAsync("demo", null, default));
    }

    private static async Task<int> OpenedAsync(Api auditor) =>
        (await auditor.Get("/api/statistics?from=2025-01&to=2026-06")).Body.EnumerateArray().Sum(r => r.GetProperty("opened").GetInt32());

    private async Task<HashSet<string>> HashesAsync(string connection, string code)
    {
        await using var conn = new NpgsqlConnection(connection);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"select stream_id::text || ':' || version || ':' || (headers ->> 'hash') from {nodes.Schema}.mt_events where tenant_id = @t", conn);
        cmd.Parameters.AddWithValue("t", code);
        var set = new HashSet<string>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync()) set.Add(reader.GetString(0));
        return set;
    }

    private static User NewUser(string tenant, Role role, List<Guid> wards)
    {
        var user = new User
        {
            Id = Guid.CreateVersion7(), Username = $"{role.ToString().ToLowerInvariant()}-{tenant}", DisplayName = role.ToString(), Role = role,
            Tenant = tenant, WardIds = wards, SecurityStamp = User.NewStamp(), Active = true
        };
        user.PasswordHash = Logins.HashPassword(user, Password);
        return user;
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
