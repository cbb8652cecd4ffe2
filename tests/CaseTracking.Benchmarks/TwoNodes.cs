using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CaseTracking.Demo;
using Npgsql;
using Spectre.Console;

namespace CaseTracking.Benchmarks;

/// <summary>
/// The <c>cluster</c> phase (opt-in: <c>ops/bench --phases cluster</c> after a run that seeded, or
/// <c>--phases seed,cluster</c>): reviews logged against one node directly, then against two nodes
/// (<c>DaemonMode=Distributed</c>) behind HAProxy, same clients, same seconds, one run; then one node is killed
/// (SIGKILL) and the time until the other runs every projection shard is measured.
/// </summary>
public static class TwoNodes
{
    public static async Task RunAsync(BenchOptions options, Figures results)
    {
        var haproxy = File.Exists("/usr/sbin/haproxy") ? "/usr/sbin/haproxy" : "haproxy";
        var rows = (await File.ReadAllLinesAsync(Path.Combine(options.DataFolder, "http-cases.txt"))).Select(l => l.Split(',')).ToList();
        var queue = await WorkAsync(options, rows);

        AnsiConsole.MarkupLine($"[bold]Cluster[/]: one node directly, then two nodes behind HAProxy; {options.Clients} clients × {options.HttpSeconds} s each");
        await using (var one = await Node.StartAsync(options, options.Port, "Solo"))
        {
            var (perSecond, p99) = await ReviewsAsync(one.Http, queue, options);
            results.Set("cluster_one_node_review_per_s", perSecond);
            results.Set("cluster_one_node_review_p99_ms", p99);
        }

        var ports = new[] { options.Port + 1, options.Port + 2 };
        var balancerPort = options.Port + 3;
        var a = await Node.StartAsync(options, ports[0], "Distributed");
        var b = await Node.StartAsync(options, ports[1], "Distributed");
        var config = Path.Combine(options.DataFolder, "bench-haproxy.cfg");
        await File.WriteAllTextAsync(config, $$"""
            global
              maxconn 4096
            defaults
              mode http
              option forwardfor
              timeout connect 3s
              timeout client 60s
              timeout server 60s
              retries 2
              option redispatch
            frontend casetracking
              bind 127.0.0.1:{{balancerPort}}
              default_backend nodes
            backend nodes
              balance roundrobin
              option httpchk GET /health/serving
              default-server inter 1s fall 2 rise 2
              server a 127.0.0.1:{{ports[0]}} check
              server b 127.0.0.1:{{ports[1]}} check

            """);
        using var balancer = Process.Start(new ProcessStartInfo(haproxy, ["-db", "-f", config]) { RedirectStandardError = true })!;
        try
        {
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = new Uri($"http://127.0.0.1:{balancerPort}") };
            await WaitAsync(http);
            var (perSecond, p99) = await ReviewsAsync(http, queue, options);
            results.Set("cluster_two_nodes_review_per_s", perSecond);
            results.Set("cluster_two_nodes_review_p99_ms", p99);
            results.Set("cluster_two_nodes_peak_rss_mb", a.PeakRssMb() + b.PeakRssMb());

            // Failover: SIGKILL the node that runs a shard; time until the other runs every shard.
            var owners = await PlacementAsync(options);
            var victim = owners.Values.Contains(await a.NodeNumberAsync()) ? a : b;
            var survivor = victim == a ? b : a;
            var survivorNumber = await survivor.NodeNumberAsync();
            var watch = Stopwatch.StartNew();
            victim.Kill();
            while (watch.Elapsed < TimeSpan.FromMinutes(3))
            {
                var now = await PlacementAsync(options);
                if (now.Count >= owners.Count && now.Values.All(n => n == survivorNumber)) break;
                await Task.Delay(100);
            }

            results.Set("cluster_failover_s", watch.Elapsed.TotalSeconds);
        }
        finally
        {
            // The months this phase used are gone for the next run (an unfinished month counts as used).
            var used = 60 - (int)Math.Floor(queue.Count / (double)rows.Count);
            await File.WriteAllTextAsync(Path.Combine(options.DataFolder, "http-next-month.txt"), used.ToString(CultureInfo.InvariantCulture));
            if (!balancer.HasExited) balancer.Kill();
            await a.DisposeAsync();
            await b.DisposeAsync();
        }
    }

    /// <summary>(case, month) pairs no earlier phase used, so no review is refused as a duplicate period.</summary>
    private static async Task<ConcurrentQueue<(Guid Case, string Reviewer, int Month)>> WorkAsync(BenchOptions options, List<string[]> rows)
    {
        var next = Path.Combine(options.DataFolder, "http-next-month.txt");
        var from = File.Exists(next) ? int.Parse(await File.ReadAllTextAsync(next), CultureInfo.InvariantCulture) : 0;
        var queue = new ConcurrentQueue<(Guid, string, int)>();
        for (var month = from; month < 60; month++)
            foreach (var r in rows) queue.Enqueue((Guid.Parse(r[0]), r[1], month));
        return queue;
    }

    private static async Task<(double PerSecond, double P99)> ReviewsAsync(HttpClient http, ConcurrentQueue<(Guid Case, string Reviewer, int Month)> queue,
        BenchOptions options)
    {
        var tokens = new ConcurrentDictionary<string, string>();
        var today = DateOnly.FromDateTime(DateTime.Now);
        var first = new DateOnly(today.Year, today.Month, 1).AddMonths(-59);

        async Task<bool> ReviewAsync((Guid Case, string Reviewer, int Month) item)
        {
            if (!tokens.TryGetValue(item.Reviewer, out var token))
            {
                var answer = await http.PostAsJsonAsync("/api/auth/token", new { username = item.Reviewer, password = DemoProvince.DemoPassword });
                answer.EnsureSuccessStatusCode();
                token = tokens[item.Reviewer] = (await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
            }

            var period = first.AddMonths(item.Month);
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/cases/{item.Case}/reviews")
            {
                Content = JsonContent.Create(new
                {
                    period = period.ToString("yyyy-MM", CultureInfo.InvariantCulture), heldOn = period.AddDays(20) > today ? today : period.AddDays(20),
                    rating = "Good", summary = "Chấp hành tốt, tích cực lao động sản xuất tại địa phương"
                })
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await http.SendAsync(request);
            await response.Content.ReadAsByteArrayAsync();
            return (int)response.StatusCode == 201;
        }

        var warming = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, options.Clients).Select(async _ =>
        {
            while (warming.Elapsed < TimeSpan.FromSeconds(options.WarmUpSeconds) && queue.TryDequeue(out var item)) await ReviewAsync(item);
        }));
        var latencies = new ConcurrentBag<double>();
        long failures = 0;
        var watch = Stopwatch.StartNew();
        var duration = TimeSpan.FromSeconds(options.HttpSeconds);
        await Task.WhenAll(Enumerable.Range(0, options.Clients).Select(async _ =>
        {
            while (watch.Elapsed < duration && queue.TryDequeue(out var item))
            {
                var started = Stopwatch.GetTimestamp();
                var created = await ReviewAsync(item);
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (!created) Interlocked.Increment(ref failures);
            }
        }));
        var elapsed = watch.Elapsed.TotalSeconds;
        var samples = latencies.ToList();
        AnsiConsole.MarkupLine($"  {samples.Count:N0} requests, {failures:N0} not 201");
        return ((samples.Count - failures) / elapsed, Percentiles.Of(samples, 0.99));
    }

    private static async Task WaitAsync(HttpClient http)
    {
        for (var i = 0; i < 300; i++)
        {
            try
            {
                if ((await http.GetAsync("/health/serving")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100);
        }

        throw new InvalidOperationException("the balancer did not answer");
    }

    /// <summary>Event subscription agent → node number, from Wolverine's tables.</summary>
    private static async Task<Dictionary<string, int>> PlacementAsync(BenchOptions options)
    {
        await using var conn = new NpgsqlConnection(options.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("""
            select a.id, n.node_number from casetracking.wolverine_node_assignments a join casetracking.wolverine_nodes n on n.id = a.node_id
            where a.id like 'event-subscriptions:%'
            """, conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        var rows = new Dictionary<string, int>();
        while (await reader.ReadAsync()) rows[reader.GetString(0)] = reader.GetInt32(1);
        return rows;
    }

    /// <summary>One app process on a port of its own.</summary>
    private sealed class Node : IAsyncDisposable
    {
        private readonly Process _process;
        public HttpClient Http { get; }
        public int Port { get; }

        private Node(Process process, HttpClient http, int port)
        {
            _process = process;
            Http = http;
            Port = port;
        }

        public static async Task<Node> StartAsync(BenchOptions options, int port, string daemonMode)
        {
            var start = new ProcessStartInfo("dotnet", [options.AppDll, "run", "--urls", $"http://127.0.0.1:{port}"])
            {
                WorkingDirectory = Path.GetDirectoryName(options.AppDll)!,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                Environment =
                {
                    ["ConnectionStrings__Marten"] = options.ConnectionString,
                    ["CaseTracking__DataFolder"] = Path.Combine(options.DataFolder, $"node-{port}"),
                    ["CaseTracking__DaemonMode"] = daemonMode,
                    ["CaseTracking__SignIn__PerClientPermits"] = "100000",
                    ["ASPNETCORE_ENVIRONMENT"] = "Production",
                    ["Logging__LogLevel__Default"] = "Warning"
                }
            };
            var process = Process.Start(start)!;
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await WaitAsync(http);
            return new Node(process, http, port);
        }

        /// <summary>This node's number in wolverine_nodes, as its /health/serving tells.</summary>
        public async Task<int> NodeNumberAsync() =>
            (await Http.GetFromJsonAsync<JsonElement>("/health/serving")).GetProperty("node").GetInt32();

        public double PeakRssMb()
        {
            var line = File.ReadLines($"/proc/{_process.Id}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? 0 : double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
        }

        public void Kill()
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }

        public async ValueTask DisposeAsync()
        {
            Http.Dispose();
            if (!_process.HasExited)
            {
                // SIGTERM first: a clean stop hands the node's shards over.
                Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)])?.WaitForExit();
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                try { await _process.WaitForExitAsync(wait.Token); }
                catch (OperationCanceledException) { _process.Kill(entireProcessTree: true); }
            }

            _process.Dispose();
        }
    }
}
