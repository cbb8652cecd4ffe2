using CaseTracking.Access;
using Marten;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Options;
using Wolverine;

namespace CaseTracking.Hosting;

/// <summary>
/// <c>CaseTracking:Cluster</c>: how quickly the nodes of <c>DaemonMode=Distributed</c> notice each other. Wolverine's
/// node agent writes a heartbeat every <see cref="HealthCheckSeconds"/>; a node whose heartbeat is older than
/// <see cref="StaleNodeSeconds"/> is dropped from the assignment grid at once, and its row (with its shards) is
/// released after two consecutive stale observations (Wolverine's <c>StaleNodeEjectionThreshold</c>, 2). So a node
/// that dies takes at most about <c>StaleNodeSeconds + 2 × HealthCheckSeconds</c> to lose its shards; a node that
/// stops cleanly hands them over at the next heartbeat. Wolverine's defaults (10 s and 60 s) mean one to two
/// minutes without projections after a crash; ours, 2 s and 10 s, about 15 s (measured in docs/operations.md).
/// </summary>
public sealed class ClusterSettings
{
    public double HealthCheckSeconds { get; set; } = 2;

    public double StaleNodeSeconds { get; set; } = 10;

    /// <summary>How often every node compares the shards it should run with the ones it runs.</summary>
    public double CheckAssignmentSeconds { get; set; } = 10;

    public static ClusterSettings From(IConfiguration configuration)
    {
        var settings = configuration.GetSection("CaseTracking:Cluster").Get<ClusterSettings>() ?? new ClusterSettings();
        if (settings.HealthCheckSeconds is < 0.2 or > 600 || settings.CheckAssignmentSeconds is < 0.2 or > 3600)
            throw new InvalidOperationException("CaseTracking:Cluster: HealthCheckSeconds must be 0.2-600, CheckAssignmentSeconds 0.2-3600.");
        // A heartbeat needs time to land before its node is judged stale: three missed beats at the least.
        if (settings.StaleNodeSeconds < 3 * settings.HealthCheckSeconds)
            throw new InvalidOperationException("CaseTracking:Cluster:StaleNodeSeconds must be at least three times HealthCheckSeconds.");
        return settings;
    }
}

/// <summary>
/// What several app nodes on one database need besides Wolverine's shard distribution (issue 19): one Data
/// Protection key ring (sign-in cookies, antiforgery tokens) and one JWT signing key for every node, both in
/// PostgreSQL, and a message to every node when a user changes (<see cref="UserChangeFeed"/>).
/// </summary>
public static class Cluster
{
    public static WebApplicationBuilder AddCaseTrackingCluster(this WebApplicationBuilder builder, string daemonMode)
    {
        var services = builder.Services;
        var settings = ClusterSettings.From(builder.Configuration);
        services.AddSingleton(settings);
        if (daemonMode == "Distributed")
        {
            services.ConfigureWolverine(opts =>
            {
                // Balanced (Wolverine's default, said here because the distribution needs it): leader election and
                // agent assignment over the wolverine_nodes tables of the app's schema.
                opts.Durability.Mode = DurabilityMode.Balanced;
                opts.Durability.FirstHealthCheckExecution = TimeSpan.FromSeconds(Math.Min(settings.HealthCheckSeconds, 1));
                opts.Durability.HealthCheckPollingTime = TimeSpan.FromSeconds(settings.HealthCheckSeconds);
                opts.Durability.StaleNodeTimeout = TimeSpan.FromSeconds(settings.StaleNodeSeconds);
                opts.Durability.CheckAssignmentPeriod = TimeSpan.FromSeconds(settings.CheckAssignmentSeconds);
            });
        }

        // The key ring in PostgreSQL instead of ~/.aspnet/DataProtection-Keys of one machine. The application name
        // isolates the ring from other apps' (the default is the content root path, which differs between nodes).
        services.AddSingleton<PostgresKeyRing>();
        services.AddDataProtection().SetApplicationName("casetracking");
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp =>
            new ConfigureOptions<KeyManagementOptions>(o => o.XmlRepository = sp.GetRequiredService<PostgresKeyRing>()));
        services.ConfigureMarten(opts =>
        {
            opts.Storage.ExtendedSchemaObjects.Add(PostgresKeyRing.Definition(opts.DatabaseSchemaName));
            opts.Storage.ExtendedSchemaObjects.Add(SigningKeyStore.Definition(opts.DatabaseSchemaName));
        });

        services.AddSingleton<UserChangeFeed>();
        services.AddHostedService(sp => sp.GetRequiredService<UserChangeFeed>());
        return builder;
    }
}
