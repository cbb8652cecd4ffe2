using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using CaseTracking.Access;
using CaseTracking.Benchmarks;
using CaseTracking.Hosting;
using Spectre.Console;

// The benchmark: raw PostgreSQL baselines and product figures measured in one run, reported as ratios.
// ops/bench prepares a durable private PostgreSQL and passes its connection string.
if (args is ["bare-endpoint", var barePort])
{
    // The bare HTTP baseline runs as a process of its own, as the product does (Baselines).
    await Baselines.ServeBareEndpointAsync(int.Parse(barePort, CultureInfo.InvariantCulture));
    return;
}

var options = BenchOptions.Parse(args);
var results = new Figures();
AnsiConsole.MarkupLine($"[bold]CaseTracking benchmark[/] — {Environment.ProcessorCount} cores, {options.Cases:N0} cases, HTTP {options.HttpSeconds} s × {options.Clients} clients");

if (options.Runs("baselines")) await Baselines.RunAsync(options, results);

var builder = WebApplication.CreateBuilder(["--environment", "Production"]);
builder.Configuration["ConnectionStrings:Marten"] = options.ConnectionString;
builder.Configuration["CaseTracking:DataFolder"] = options.DataFolder;
builder.Configuration["CaseTracking:AdminPassword"] = "bench-admin-password";
// The benchmark signs in many reviewers from one address: sign-in rate limits out of its way.
builder.Configuration["CaseTracking:SignIn:PerClientPermits"] = "100000";
// The in-process phases (seed, rebuild, import) run as the rebuild verb does: larger statistics pages (src Program.cs).
builder.Configuration["CaseTracking:Statistics:BatchSize"] = CaseTracking.Statistics.StatisticsSettings.RebuildBatchSize.ToString(CultureInfo.InvariantCulture);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.AddCaseTracking();
await using (var app = builder.Build())
{
    if (options.Runs("seed")) await Product.SeedAsync(app.Services, options, results);
    if (options.Runs("rebuild")) await Product.RebuildAsync(app.Services, results);
    if (options.Runs("caseload")) await Product.RebuildCaseloadAsync(app.Services, results);
    if (options.Runs("statistics")) await Product.RebuildStatisticsAsync(app.Services, results);
    if (options.Runs("summary")) await Product.RebuildSummaryAsync(app.Services, results);
    if (options.Runs("import")) await ImportBench.RunAsync(app.Services, options, results);
    // Opt-in (not among the default phases): 34 provinces over several databases (National.cs).
    if (options.Runs("national")) await National.RunAsync(app.Services, options, args, results);
    if (options.Runs("seed")) await Product.HttpCasesAsync(app.Services, options);
}

await using (var server = await AppProcess.StartAsync(options))
{
    results.Set("first_request_ms", server.FirstRequestMs);
    results.Set("first_request_client_ms", server.FirstClientRequestMs);
    if (options.Runs("queries"))
    {
        // A user's first steps after a restart, beyond /health: signing in (a password hash, slow by design) and the
        // first read of a projection through Marten (its first query compiled).
        var signIn = Stopwatch.StartNew();
        var token = await Product.TokenAsync(server.Http, "sup001-1", CaseTracking.Demo.DemoProvince.DemoPassword);
        results.Set("first_signin_ms", signIn.Elapsed.TotalMilliseconds);
        if (await Product.TimeAsync(server.Http, token, "/api/caseload?groupBy=Organisation") is { } firstRead) results.Set("first_api_read_ms", firstRead);
    }

    if (options.Runs("queries")) await Product.QueriesAsync(server, options, results);
    if (options.Runs("http")) await Product.HttpReviewsAsync(server, options, results);
    server.Phase = "fuzz";
    if (options.Runs("fuzz")) await Fuzz.BurstAsync(server, results);
    // Which phase set the peak: the daemon catching up on what was written before the app started, the reads, the writes.
    foreach (var (phase, peak) in server.PhasePeaks) results.Set($"app_rss_peak_{phase}_mb", peak);
}

if (options.Runs("http") && options.Variants.Count > 0) await Product.VariantsAsync(options, results);
// Opt-in (--phases cluster): one node against two behind HAProxy, and failover (TwoNodes.cs).
if (options.Runs("cluster")) await TwoNodes.RunAsync(options, results);

results.Report(options);
