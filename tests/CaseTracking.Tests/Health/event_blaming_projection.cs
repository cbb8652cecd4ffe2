using CaseTracking.Health;
using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using Marten.Events.Projections;

namespace CaseTracking.Tests.Health;

[ProjectionVersion(3)]
public sealed class VersionedProjection : IProjection
{
    public Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation) =>
        Task.CompletedTask;
}

public sealed class event_blaming_projection
{
    [Fact]
    public void the_daemon_sees_the_inner_projections_name_and_version_not_the_decorators()
    {
        var opts = new StoreOptions();
        opts.Projections.Add(new EventBlamingProjection(new VersionedProjection()), ProjectionLifecycle.Async);

        var shard = opts.Projections.All.Single().ShardNames().Single();
        shard.Name.ShouldBe(nameof(VersionedProjection));
        shard.Version.ShouldBe(3u);
    }
}
