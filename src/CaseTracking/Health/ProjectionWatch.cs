using System.Collections.Concurrent;
using Marten;

namespace CaseTracking.Health;

/// <summary>
/// Remembers when each async projection last moved. A projection is stalled when it is behind the
/// high-water mark and has not advanced for <c>CaseTracking:ProjectionStallSeconds</c> (default 120).
/// </summary>
public sealed class ProjectionWatch(IDocumentStore store, TimeProvider time, IConfiguration configuration)
{
    private readonly ConcurrentDictionary<string, (long Sequence, DateTimeOffset Since)> _seen = new();
    private readonly TimeSpan _stallAfter = TimeSpan.FromSeconds(configuration.GetValue("CaseTracking:ProjectionStallSeconds", 120));

    public async Task<IReadOnlyList<ProjectionLag>> ReadAsync(CancellationToken ct)
    {
        var progress = await store.Advanced.AllProjectionProgress(token: ct);
        var highWater = progress.FirstOrDefault(p => p.ShardName == "HighWaterMark")?.Sequence ?? 0;
        var now = time.GetUtcNow();
        var rows = new List<ProjectionLag>();
        foreach (var shard in progress.Where(p => p.ShardName != "HighWaterMark"))
        {
            var seen = _seen.AddOrUpdate(shard.ShardName, _ => (shard.Sequence, now),
                (_, old) => old.Sequence == shard.Sequence ? old : (shard.Sequence, now));
            var stalled = shard.Sequence < highWater && now - seen.Since > _stallAfter;
            rows.Add(new ProjectionLag(shard.ShardName, shard.Sequence, highWater, stalled));
        }

        return rows;
    }
}
