using System.Diagnostics;
using CaseTracking.Demo;
using Microsoft.Extensions.DependencyInjection;

namespace CaseTracking.Tests.Cluster;

/// <summary>Failover (issue 19): a node that stops hands its shards to the node that stays.</summary>
public sealed class a_node_stops(TwoEmptyNodes nodes) : IClassFixture<TwoEmptyNodes>
{
    [Fact]
    public async Task its_shards_move_to_the_other_node_and_the_projections_go_on()
    {
        var placement = await nodes.WaitForPlacementAsync(TimeSpan.FromSeconds(30), nodes.A, nodes.B);
        var idA = TwoNodes.NodeId(nodes.A);
        var (owner, survivor) = placement.Any(p => p.Node == idA) ? (nodes.A, nodes.B) : (nodes.B, nodes.A);

        var clock = Stopwatch.StartNew();
        await nodes.StopAsync(owner);
        // Every shard on the survivor within a few heartbeats (0.5 s here; node stale after 2 s).
        var moved = await nodes.WaitForPlacementAsync(TimeSpan.FromSeconds(20), survivor);
        clock.Stop();
        moved.Count.ShouldBe(placement.Count);
        moved.ShouldAllBe(p => p.Node == TwoNodes.NodeId(survivor));

        // The survivor projects what is written now.
        await survivor.Services.GetRequiredService<Seeder>().SeedAsync(6, 5, 1, 6, null, default);
        await two_app_nodes.WaitUntilCaughtUpAsync(survivor, TimeSpan.FromSeconds(30));
        Console.WriteLine($"Shards moved to the surviving node in {clock.Elapsed.TotalSeconds:0.0} s");
    }
}
