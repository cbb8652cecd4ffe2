using CaseTracking.Cases;
using CaseTracking.Statistics;
using JasperFx.Events.Projections;
using Marten;

namespace CaseTracking.Tests.Projections;

/// <summary>The statistics page size bounds a serving node's memory on a catch-up (issue 14); a rebuild may page larger.</summary>
public class statistics_page_size
{
    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(99)]
    [InlineData(100_001)]
    [InlineData(int.MaxValue)]
    public void a_page_size_outside_the_bounds_stops_the_start(int size)
    {
        var refused = Should.Throw<InvalidOperationException>(() =>
            new StoreOptions().ConfigureCases(new SupervisionKinds(), new StatisticsSettings { BatchSize = size }));
        refused.Message.ShouldContain("CaseTracking:Statistics:BatchSize");
    }

    [Theory]
    [InlineData(null, StatisticsSettings.DefaultBatchSize)]
    [InlineData(100, 100)]
    [InlineData(100_000, 100_000)]
    public void the_statistics_shard_pages_by_the_setting(int? size, int expected)
    {
        var options = new StoreOptions();
        options.ConfigureCases(new SupervisionKinds(), size is null ? new StatisticsSettings() : new StatisticsSettings { BatchSize = size.Value });
        var statistics = options.Projections.All.Single(p => p.Name == nameof(StatisticsProjection));
        statistics.Options.BatchSize.ShouldBe(expected);
    }
}
