using System.Diagnostics.Metrics;
using System.Net;
using CaseTracking.Health;
using Marten;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace CaseTracking.Hosting;

/// <summary>The app's own meter: what OpenTelemetry's ASP.NET Core and runtime instruments do not already measure.</summary>
public static class Telemetry
{
    public const string Name = "CaseTracking";

    public static readonly Meter Meter = new(Name);

    /// <summary>
    /// A write refused because the record changed under it: an If-Match that is not the current version, or two
    /// writers racing (the loser). Tagged by which; counted where the 409 <c>concurrency.stale</c> is decided.
    /// </summary>
    public static readonly Counter<long> WriteConflicts = Meter.CreateCounter<long>("casetracking.write_conflicts",
        description: "Writes refused with 409 concurrency.stale (kind = if-match or race).");
}

/// <summary>
/// <c>CaseTracking:Metrics</c>. The Prometheus endpoint answers only callers from these networks and never through
/// the load balancer (a request carrying <c>X-Forwarded-For</c> is refused): the metrics carry no personal data (route
/// templates, shard and node names, counts), but they do show an outsider the app's shape and load.
/// </summary>
public sealed class MetricsSettings
{
    public bool Enabled { get; set; } = true;

    /// <summary>CIDR networks that may read /metrics; loopback by default (Prometheus on the node's machine).</summary>
    public string[] AllowedNetworks { get; set; } = ["127.0.0.0/8", "::1/128"];

    /// <summary>How often the projection lag and agent placement are read from PostgreSQL for the gauges.</summary>
    public double SampleSeconds { get; set; } = 5;
}

/// <summary>
/// OpenTelemetry (issue 19): traces and metrics of ASP.NET Core, Marten, Wolverine and the app; metrics exported for
/// Prometheus on <c>/metrics</c>, traces by OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set; JSON console logs when
/// <c>CaseTracking:Logging:Json</c> is true. docs/operations.md lists every metric.
/// </summary>
public static class Observability
{
    public static WebApplicationBuilder AddCaseTrackingObservability(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        if (configuration.GetValue("CaseTracking:Logging:Json", false))
        {
            // One JSON object per line (timestamp, level, category, message, the message's named values, scopes):
            // what a log shipper indexes without parsing text.
            builder.Logging.ClearProviders();
            builder.Logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                o.UseUtcTimestamp = true;
            });
        }

        var settings = configuration.GetSection("CaseTracking:Metrics").Get<MetricsSettings>() ?? new MetricsSettings();
        builder.Services.AddSingleton(settings);
        if (!settings.Enabled) return builder;
        _ = settings.AllowedNetworks.Select(IPNetwork.Parse).ToList(); // a typo fails the start, not the first scrape

        builder.Services.AddSingleton<ClusterGauges>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ClusterGauges>());
        var otlp = !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("casetracking", serviceInstanceId: Environment.MachineName + ":" + Environment.ProcessId))
            .WithMetrics(m =>
            {
                m.AddAspNetCoreInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddMeter(Telemetry.Name)
                    // Wolverine's own counters (messages, node events) and Marten's (daemon, sessions).
                    .AddMeter("Wolverine", "Wolverine:*", "Marten", "Marten:*")
                    .AddPrometheusExporter();
            });
        // Traces only when they go somewhere: a tracer with no exporter still makes an Activity for every request,
        // handler and Marten command (CPU and garbage on the write path) for nobody to read.
        if (otlp)
            builder.Services.AddOpenTelemetry().WithTracing(t => t
                .AddAspNetCoreInstrumentation(o => o.Filter = http => !IsScrape(http.Request.Path))
                .AddSource("Wolverine", "Marten")
                .AddOtlpExporter());
        return builder;
    }

    private static bool IsScrape(PathString path) => path.StartsWithSegments("/metrics");

    /// <summary>Before authentication: a scrape carries no user; anyone outside the allowed networks gets a 404.</summary>
    public static WebApplication UseCaseTrackingMetrics(this WebApplication app)
    {
        var settings = app.Services.GetRequiredService<MetricsSettings>();
        if (!settings.Enabled) return app;
        var networks = settings.AllowedNetworks.Select(IPNetwork.Parse).ToList();
        app.UseWhen(http => IsScrape(http.Request.Path) && !MayScrape(http, networks),
            refused => refused.Run(http =>
            {
                http.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }));
        app.UseOpenTelemetryPrometheusScrapingEndpoint("/metrics");
        return app;
    }

    public static bool MayScrape(HttpContext http, IReadOnlyList<IPNetwork> networks)
    {
        if (http.Request.Headers.ContainsKey("X-Forwarded-For") || http.Request.Headers.ContainsKey("Forwarded")) return false;
        var remote = http.Connection.RemoteIpAddress;
        if (remote is null) return false;
        if (remote.IsIPv4MappedToIPv6) remote = remote.MapToIPv4();
        return networks.Any(n => n.Contains(remote));
    }
}

/// <summary>
/// Gauges read from PostgreSQL every <see cref="MetricsSettings.SampleSeconds"/> (not at scrape time, so a scrape never
/// waits on the database): each async projection shard's lag behind the high-water mark, and which node runs which
/// agent (Wolverine's <c>wolverine_node_assignments</c>; with <c>DaemonMode=Distributed</c> the shards are agents).
/// Every node reports the whole picture, so any one node's scrape shows the cluster.
/// </summary>
public sealed class ClusterGauges : BackgroundService
{
    private readonly ProjectionWatch _watch;
    private readonly IDocumentStore _store;
    private readonly MetricsSettings _settings;
    private readonly ILogger<ClusterGauges> _logger;
    private volatile Sample _sample = new([], [], []);

    private sealed record Sample(IReadOnlyList<ShardReport> Shards, IReadOnlyList<(string Agent, int Node)> Assignments, IReadOnlyList<int> Nodes);

    // The gauges call back into this host's services: their meter comes from the host's factory, so it is disposed
    // with the host (tests run many hosts in one process).
    public ClusterGauges(ProjectionWatch watch, IDocumentStore store, MetricsSettings settings, ILogger<ClusterGauges> logger,
        IMeterFactory meters)
    {
        var meter = meters.Create(Telemetry.Name);
        _watch = watch;
        _store = store;
        _settings = settings;
        _logger = logger;
        meter.CreateObservableGauge("casetracking.projection.lag", () => _sample.Shards.Select(s =>
                new Measurement<long>(s.Lag, new("shard", s.Name), new("database", s.Database))),
            unit: "{event}", description: "Events between the high-water mark and the shard's position.");
        meter.CreateObservableGauge("casetracking.projection.position", () => _sample.Shards.Select(s =>
                new Measurement<long>(s.Position, new("shard", s.Name), new("database", s.Database))),
            unit: "{event}", description: "The last event sequence the shard has applied.");
        meter.CreateObservableGauge("casetracking.projection.stopped", () => _sample.Shards.Select(s =>
                new Measurement<int>(s.State == ProjectionState.Running ? 0 : 1, new("shard", s.Name), new("database", s.Database),
                    new("state", s.State.ToString()))),
            description: "1 when the shard is stalled or stuck (as /health/ready reports it).");
        meter.CreateObservableGauge("casetracking.agent.assigned", () => _sample.Assignments.Select(a =>
                new Measurement<int>(1, new("agent", a.Agent), new("node", a.Node))),
            description: "1 for each agent (projection shard) and the node number that runs it.");
        meter.CreateObservableGauge("casetracking.cluster.nodes", () => _sample.Nodes.Count,
            description: "App nodes with a live row in wolverine_nodes.");
    }

    /// <summary>Read now (tests; the loop does this every few seconds).</summary>
    public async Task SampleAsync(CancellationToken ct)
    {
        var shards = await _watch.ReadAsync(ct);
        var (assignments, nodes) = await PlacementAsync(ct);
        _sample = new Sample(shards, assignments, nodes);
    }

    private async Task<(List<(string, int)>, List<int>)> PlacementAsync(CancellationToken ct)
    {
        var schema = _store.Options.DatabaseSchemaName;
        await using var conn = _store.Storage.Database.CreateConnection();
        await conn.OpenAsync(ct);
        var assignments = new List<(string, int)>();
        var nodes = new List<int>();
        // Wolverine creates its node tables on its first start against the schema; before that there is nothing to show.
        await using (var exists = new NpgsqlCommand($"select to_regclass('{schema}.wolverine_node_assignments') is not null", conn))
            if (await exists.ExecuteScalarAsync(ct) is not true) return (assignments, nodes);
        await using (var cmd = new NpgsqlCommand($"""
            select a.id, n.node_number from {schema}.wolverine_node_assignments a join {schema}.wolverine_nodes n on n.id = a.node_id
            """, conn))
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) assignments.Add((reader.GetString(0), reader.GetInt32(1)));
        await using (var cmd = new NpgsqlCommand($"select node_number from {schema}.wolverine_nodes", conn))
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) nodes.Add(reader.GetInt32(0));
        return (assignments, nodes);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var every = TimeSpan.FromSeconds(Math.Max(1, _settings.SampleSeconds));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SampleAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                // An outage shows as stale gauges and the readiness check's 503; say it once per sample.
                _logger.LogWarning("Metrics sample failed: {Message}", e.Message);
            }

            try { await Task.Delay(every, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }
}
