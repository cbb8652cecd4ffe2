using Alba;
using CaseTracking.Tests.Infrastructure;
using JasperFx.CommandLine;
using Marten;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Wolverine;

namespace CaseTracking.Tests.Cluster;

/// <summary>
/// Two app nodes, two in-process hosts on one test database and one schema, as <c>ops/cluster</c> runs two processes:
/// <c>DaemonMode=Distributed</c> with short node timings, each node with a data folder of its own (so nothing they
/// share can come from a file), and the real clock (Wolverine's heartbeats and the token lifetimes run on it).
/// </summary>
public class TwoNodes : IAsyncLifetime
{
    public string Schema { get; } = "t_" + Guid.NewGuid().ToString("N")[..12];

    public IAlbaHost A { get; private set; } = null!;

    public IAlbaHost B { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        JasperFxEnvironment.AutoStartHost = true;
        // One after the other: the first applies the schema, the second finds it.
        A = await StartNodeAsync("a");
        B = await StartNodeAsync("b");
        Shards = ((DocumentStore)A.Services.GetRequiredService<IDocumentStore>()).Options.Projections.AllShards().Select(s => s.Name.Identity).ToList();
        // A small demo province (its accounts include the second admin, admin2), through node A.
        if (SeedAtStart) await A.Services.GetRequiredService<CaseTracking.Demo.Seeder>().SeedAsync(12, 3, 2, 12, null, default);
    }

    protected virtual bool SeedAtStart => true;

    public Task<IAlbaHost> StartNodeAsync(string name) => AlbaHost.For<Program>(builder =>
    {
        builder.UseSetting("ConnectionStrings:Marten", TestDatabase.ConnectionString);
        builder.UseSetting("CaseTracking:Schema", Schema);
        builder.UseSetting("CaseTracking:AdminPassword", TestData.AdminPassword);
        builder.UseSetting("CaseTracking:SealDaily", "false");
        builder.UseSetting("CaseTracking:DataFolder", Path.Combine(Path.GetTempPath(), "casetracking-tests", Schema, name));
        builder.UseSetting("CaseTracking:DaemonMode", "Distributed");
        // A heartbeat every 0.5 s, a node stale after 2 s: a shard moves within a few seconds (production: 2 s, 10 s).
        builder.UseSetting("CaseTracking:Cluster:HealthCheckSeconds", "0.5");
        builder.UseSetting("CaseTracking:Cluster:StaleNodeSeconds", "2");
        builder.UseSetting("CaseTracking:Cluster:CheckAssignmentSeconds", "1");
        builder.UseSetting("CaseTracking:SignIn:PerClientPermits", "1000000");
        builder.UseSetting("CaseTracking:SignIn:PerUserPermits", "1000000");
    });

    public static Guid NodeId(IAlbaHost node) => node.Services.GetRequiredService<WolverineOptions>().UniqueNodeId;

    /// <summary>Every async projection shard of the app (what the daemon must run somewhere).</summary>
    public IReadOnlyList<string> Shards { get; private set; } = [];

    /// <summary>Wolverine's placement of the event subscription agents: agent URI → node id.</summary>
    public async Task<IReadOnlyList<(string Agent, Guid Node)>> AssignmentsAsync()
    {
        await using var conn = new NpgsqlConnection(TestDatabase.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"select id, node_id from {Schema}.wolverine_node_assignments", conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        var rows = new List<(string, Guid)>();
        while (await reader.ReadAsync()) rows.Add((reader.GetString(0), reader.GetGuid(1)));
        return rows;
    }

    /// <summary>Waits until every shard has an agent assigned to one of <paramref name="nodes"/>, and returns the placement.</summary>
    public async Task<IReadOnlyList<(string Agent, Guid Node)>> WaitForPlacementAsync(TimeSpan within, params IAlbaHost[] nodes)
    {
        var ids = nodes.Select(NodeId).ToHashSet();
        var deadline = DateTime.UtcNow + within;
        IReadOnlyList<(string Agent, Guid Node)> rows = [];
        while (DateTime.UtcNow < deadline)
        {
            rows = (await AssignmentsAsync()).Where(r => r.Agent.StartsWith("event-subscriptions:", StringComparison.Ordinal)).ToList();
            if (rows.Count >= Shards.Count && rows.All(r => ids.Contains(r.Node))) return rows;
            await Task.Delay(100);
        }

        throw new TimeoutException($"Shards not placed on [{string.Join(", ", ids)}] within {within}: {string.Join("; ", rows)}");
    }

    private readonly HashSet<IAlbaHost> _stopped = [];

    /// <summary>Stops a node as <c>ops/cluster stop</c> (SIGTERM) does: it hands its agents back on the way out.</summary>
    public async Task StopAsync(IAlbaHost node)
    {
        if (_stopped.Add(node)) await node.DisposeAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var node in new[] { B, A })
        {
            if (node is not null) await StopAsync(node);
        }

        await TestDatabase.DropSchemaAsync(Schema);
    }
}

/// <summary>Two nodes and no data yet: the failover test writes its events after the move.</summary>
public sealed class TwoEmptyNodes : TwoNodes
{
    protected override bool SeedAtStart => false;
}
