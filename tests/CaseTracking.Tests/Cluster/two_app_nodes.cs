using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Alba;
using CaseTracking.Access;
using CaseTracking.Demo;
using CaseTracking.Health;
using CaseTracking.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Marten;
using Wolverine.Runtime;
using Wolverine.Runtime.Agents;

namespace CaseTracking.Tests.Cluster;

/// <summary>Two nodes serving together (issue 19): shards split between them, keys and user changes shared.</summary>
public sealed class two_app_nodes(TwoNodes nodes) : IClassFixture<TwoNodes>
{
    private const string Password = "password-for-node-tests-1";

    [Fact]
    public async Task each_projection_shard_runs_on_exactly_one_node_and_the_projections_advance()
    {
        var placement = await nodes.WaitForPlacementAsync(TimeSpan.FromSeconds(30), nodes.A, nodes.B);

        // In memory, not just in Wolverine's table: every agent runs on one node and not on the other.
        var a = nodes.A.Services.GetRequiredService<IWolverineRuntime>().Agents;
        var b = nodes.B.Services.GetRequiredService<IWolverineRuntime>().Agents;
        foreach (var (agent, node) in placement)
        {
            var uri = new Uri(agent);
            var onA = a.TryFindActiveAgent<IAgent>(uri, out _);
            var onB = b.TryFindActiveAgent<IAgent>(uri, out _);
            (onA ^ onB).ShouldBeTrue($"{agent}: on A {onA}, on B {onB}");
            (onA ? TwoNodes.NodeId(nodes.A) : TwoNodes.NodeId(nodes.B)).ShouldBe(node);
        }

        // Not asserted: that both nodes get work. With the province tenancy (ADR 0007) the store is a multi-database
        // store, and Wolverine's event-subscription family then places by database ("group affinity": every shard of
        // one database on one node; databases spread over the nodes), so with one database one node runs them all.
        // The failover test shows the other node takes them over.

        // The events seeded through node A are projected by the shards wherever they run.
        await WaitUntilCaughtUpAsync(nodes.B, TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task a_token_and_a_cookie_issued_by_one_node_are_accepted_by_the_other()
    {
        var username = await NewReviewerAsync();
        var token = await Api.TokenAsync(nodes.A, username, Password);
        (await new Api(nodes.B, token).Get("/api/cases")).Status.ShouldBe(200);

        // The login form of node A (its antiforgery token), posted to node B, signs in: both keys are in PostgreSQL.
        using var clientA = nodes.A.Server.CreateClient();
        using var clientB = nodes.B.Server.CreateClient();
        var form = await clientA.GetAsync("/login");
        var antiforgery = FormSignIn.AntiforgeryTokenOf(await form.Content.ReadAsStringAsync());
        antiforgery.ShouldNotBeNullOrEmpty();
        using var post = new HttpRequestMessage(HttpMethod.Post, "/login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["username"] = username, ["password"] = Password, ["__RequestVerificationToken"] = antiforgery
            })
        };
        post.Headers.Add("Cookie", FormSignIn.CookiesOf(form));
        var signedIn = await clientB.SendAsync(post);
        ((int)signedIn.StatusCode).ShouldBe(302, await signedIn.Content.ReadAsStringAsync());
        var cookie = FormSignIn.CookiesOf(signedIn);
        cookie.ShouldContain("casetracking=");

        // The sign-in cookie of node B opens node A.
        using var read = new HttpRequestMessage(HttpMethod.Get, "/api/cases");
        read.Headers.Add("Cookie", cookie);
        (await clientA.SendAsync(read)).StatusCode.ShouldBe(HttpStatusCode.OK);

        // And none of it came from a file: each node has a data folder of its own, and the ring is in the database.
        (await CountAsync("ct_dataprotection_keys")).ShouldBeGreaterThan(0);
        (await CountAsync("ct_signing_keys")).ShouldBe(1);
    }

    [Fact]
    public async Task a_deactivation_on_one_node_refuses_the_next_request_on_the_other_at_once()
    {
        var username = await NewReviewerAsync();
        var userId = await IdOfAsync(username);
        var onB = new Api(nodes.B, await Api.TokenAsync(nodes.A, username, Password));
        var feedB = nodes.B.Services.GetRequiredService<UserChangeFeed>();
        await feedB.Listening.WaitAsync(TimeSpan.FromSeconds(10));
        var heard = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Watch(Guid id) { if (id == userId) heard.TrySetResult(); }
        feedB.Forgotten += Watch;
        try
        {
            // Node B has just read the user (its cache holds the user for up to a second).
            (await onB.Get("/api/cases")).Status.ShouldBe(200);
            var clock = Stopwatch.StartNew();
            (await (await AdminAsync()).Post($"/api/admin/users/{userId}/deactivate", null)).Status.ShouldBe(200);

            // The message reaches node B, which forgets the user: its next request is refused, well inside the
            // second the cache would otherwise have kept the user.
            await heard.Task.WaitAsync(TimeSpan.FromSeconds(1));
            var refused = await onB.Get("/api/cases");
            clock.Stop();
            refused.Status.ShouldBe(401);
            clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(1));
        }
        finally
        {
            feedB.Forgotten -= Watch;
        }
    }

    [Fact]
    public async Task a_password_reset_approved_on_one_node_ends_the_old_session_on_the_other()
    {
        var username = await NewReviewerAsync();
        var userId = await IdOfAsync(username);
        var onB = new Api(nodes.B, await Api.TokenAsync(nodes.A, username, Password));
        (await onB.Get("/api/cases")).Status.ShouldBe(200);
        var before = nodes.B.Services.GetRequiredService<UserChangeFeed>().Heard;

        var asked = await (await AdminAsync()).Post($"/api/admin/users/{userId}/password", null);
        asked.Status.ShouldBe(202, asked.ToString());
        (await (await SecondAdminAsync()).Post($"/api/admin/requests/{asked.Id("requestId")}/approve", null)).Status.ShouldBe(200);
        var clock = Stopwatch.StartNew();

        // Within a second on the other node (issue 19): the change is a message between nodes, which may land a few
        // milliseconds after the approval's answer (the full suite once asked before it had: 200).
        var status = 0;
        while ((status = (await onB.Get("/api/cases")).Status) != 401 && clock.Elapsed < TimeSpan.FromSeconds(1)) await Task.Delay(20);
        status.ShouldBe(401);
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(1));
        nodes.B.Services.GetRequiredService<UserChangeFeed>().Heard.ShouldBeGreaterThan(before);
    }

    [Fact]
    public async Task metrics_are_served_to_loopback_only_and_name_no_person()
    {
        await nodes.A.Services.GetRequiredService<CaseTracking.Hosting.ClusterGauges>().SampleAsync(default);
        // A request the route metrics will show.
        (await new Api(nodes.A, null).Get("/health")).Status.ShouldBe(200);

        var scrape = await nodes.A.Scenario(s =>
        {
            s.Get.Url("/metrics");
            s.ConfigureHttpContext(c => c.Connection.RemoteIpAddress = IPAddress.Loopback);
        });
        var text = await scrape.ReadAsTextAsync();
        foreach (var metric in new[]
                 {
                     "http_server_request_duration_seconds_bucket", "casetracking_projection_lag", "casetracking_agent_assigned",
                     "casetracking_cluster_nodes"
                 })
            text.ShouldContain(metric);
        text.ShouldContain("http_route=\"/health\"");
        text.ShouldContain("shard=\"");

        // No name, national id or address of anyone seeded, and no case id.
        await using (var session = nodes.A.Services.GetRequiredService<Marten.IDocumentStore>().QuerySession(Seeder.Tenant))
        {
            var people = await session.Query<CaseTracking.People.Person>().Take(20).ToListAsync();
            people.ShouldNotBeEmpty();
            foreach (var person in people)
            {
                text.ShouldNotContain(person.FullName);
                // As a whole number: its digits may turn up inside some float of a histogram.
                Regex.IsMatch(text, $@"(?<![\d.]){person.NationalId}(?![\d.])").ShouldBeFalse(person.NationalId);
            }
        }


        // Anyone else, or anyone through the balancer (which adds X-Forwarded-For), sees nothing.
        await nodes.A.Scenario(s =>
        {
            s.Get.Url("/metrics");
            s.ConfigureHttpContext(c => c.Connection.RemoteIpAddress = IPAddress.Parse("192.0.2.10"));
            s.StatusCodeShouldBe(404);
        });
        await nodes.A.Scenario(s =>
        {
            s.Get.Url("/metrics");
            s.WithRequestHeader("X-Forwarded-For", "192.0.2.10");
            s.ConfigureHttpContext(c => c.Connection.RemoteIpAddress = IPAddress.Loopback);
            s.StatusCodeShouldBe(404);
        });
        await nodes.A.Scenario(s =>
        {
            s.Get.Url("/metrics");
            s.StatusCodeShouldBe(404);
        });
    }

    internal static async Task WaitUntilCaughtUpAsync(IAlbaHost node, TimeSpan within)
    {
        var watch = node.Services.GetRequiredService<ProjectionWatch>();
        var deadline = DateTime.UtcNow + within;
        IReadOnlyList<ShardReport> shards = [];
        while (DateTime.UtcNow < deadline)
        {
            shards = await watch.ReadAsync(default);
            if (shards.Count > 0 && shards.All(s => s.HighWaterMark > 0 && s.Lag == 0)) return;
            await Task.Delay(100);
        }

        throw new TimeoutException("Projections did not catch up: " + string.Join("; ", shards.Select(s => $"{s.Name} {s.Position}/{s.HighWaterMark}")));
    }

    private Api? _admin;
    private Api? _secondAdmin;

    private async Task<Api> AdminAsync() => _admin ??= new Api(nodes.A, await Api.TokenAsync(nodes.A, "admin", TestData.AdminPassword));

    /// <summary>The demo province's second admin (seeded), who approves what "admin" asks.</summary>
    private async Task<Api> SecondAdminAsync() =>
        _secondAdmin ??= new Api(nodes.A, await Api.TokenAsync(nodes.A, "admin2", DemoProvince.DemoPassword));

    private async Task<string> NewReviewerAsync()
    {
        var admin2 = await SecondAdminAsync();
        var username = "node-" + Guid.NewGuid().ToString("N")[..8];
        await Api.CreateUserAsync(nodes.A, await AdminAsync(), admin2, new { username, displayName = "Nguyễn Văn Nút", role = "Auditor" }, Password);
        return username;
    }

    private async Task<Guid> IdOfAsync(string username) =>
        (await (await AdminAsync()).Get("/api/admin/users")).Body.EnumerateArray()
        .Single(u => u.GetProperty("username").GetString() == username).GetProperty("id").GetGuid();

    private async Task<long> CountAsync(string table)
    {
        await using var conn = new NpgsqlConnection(TestDatabase.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"select count(*) from {nodes.Schema}.{table}", conn);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }


}
