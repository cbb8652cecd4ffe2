using System.Net;
using CaseTracking.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;

namespace CaseTracking.Tests.Cluster;

/// <summary>The node timings and the metrics gate, without a host.</summary>
public sealed class node_settings
{
    private static ClusterSettings From(params (string Key, string Value)[] values) =>
        ClusterSettings.From(new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>("CaseTracking:Cluster:" + v.Key, v.Value)))
            .Build());

    [Fact]
    public void the_defaults_move_a_dead_nodes_shards_within_about_fifteen_seconds()
    {
        var settings = From();
        (settings.StaleNodeSeconds + 2 * settings.HealthCheckSeconds).ShouldBeLessThanOrEqualTo(15);
    }

    [Theory]
    [InlineData("HealthCheckSeconds", "0")]
    [InlineData("HealthCheckSeconds", "-1")]
    [InlineData("HealthCheckSeconds", "100000")]
    [InlineData("CheckAssignmentSeconds", "0")]
    [InlineData("StaleNodeSeconds", "5")]
    public void refuses_timings_that_would_eject_live_nodes_or_never_beat(string key, string value) =>
        Should.Throw<InvalidOperationException>(() => From((key, value)));

    [Theory]
    [InlineData("127.0.0.1", null, true)]
    [InlineData("::1", null, true)]
    [InlineData("::ffff:127.0.0.1", null, true)]
    [InlineData("10.1.2.3", null, false)]
    [InlineData("127.0.0.1", "203.0.113.9", false)]
    public void metrics_go_to_loopback_callers_that_did_not_come_through_a_proxy(string remote, string? forwardedFor, bool allowed)
    {
        var http = new DefaultHttpContext();
        http.Connection.RemoteIpAddress = IPAddress.Parse(remote);
        if (forwardedFor is not null) http.Request.Headers["X-Forwarded-For"] = forwardedFor;
        Observability.MayScrape(http, new MetricsSettings().AllowedNetworks.Select(IPNetwork.Parse).ToList()).ShouldBe(allowed);
    }

    [Fact]
    public void a_configured_network_is_allowed()
    {
        var http = new DefaultHttpContext();
        http.Connection.RemoteIpAddress = IPAddress.Parse("10.1.2.3");
        Observability.MayScrape(http, [IPNetwork.Parse("10.1.0.0/16")]).ShouldBeTrue();
    }
}
