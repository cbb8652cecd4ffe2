using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace CaseTracking.Benchmarks;

public sealed record BenchOptions(string ConnectionString, int Cases, int HttpCases, int HttpSeconds, int Clients, string DataFolder,
    string AppDll, string Output, int Port, string[] Phases, int WarmUpSeconds)
{
    /// <summary>
    /// A/B in one run: <c>--variant "NAME:KEY=VALUE|KEY=VALUE"</c> (repeatable) runs the HTTP phase again against the app
    /// started with that environment (<c>$CONN</c> in a value is the benchmark's connection string), alternating with
    /// the unchanged app for <c>--rounds</c> rounds; figures are suffixed <c>@NAME</c> and <c>@base</c>. The key <c>APP</c>
    /// is not an environment variable: it names another build of the app for that arm (e.g. a ReadyToRun publish).
    /// </summary>
    public IReadOnlyList<(string Name, Dictionary<string, string> Environment)> Variants { get; init; } = [];

    public int Rounds { get; init; } = 2;

    /// <summary>Every phase by default; <c>--phases queries,http</c> reuses the database and data folder of an earlier run (for profiling).</summary>
    public bool Runs(string phase) => Phases.Contains(phase);

    public static BenchOptions Parse(string[] args)
    {
        string Arg(string name, string fallback)
        {
            var i = Array.IndexOf(args, "--" + name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        }

        var connection = Environment.GetEnvironmentVariable("ConnectionStrings__Marten")
            ?? throw new InvalidOperationException("ConnectionStrings__Marten is not set: run ops/bench");
        return new BenchOptions(connection, int.Parse(Arg("cases", "100000"), CultureInfo.InvariantCulture),
            int.Parse(Arg("http-cases", "10000"), CultureInfo.InvariantCulture), int.Parse(Arg("seconds", "60"), CultureInfo.InvariantCulture),
            int.Parse(Arg("clients", "16"), CultureInfo.InvariantCulture), Arg("data", Path.Combine(Path.GetTempPath(), "casetracking-bench")),
            Arg("app", ""), Arg("out", "artifacts/bench/summary.json"), int.Parse(Arg("port", "5091"), CultureInfo.InvariantCulture),
            Arg("phases", "baselines,seed,rebuild,import,queries,http,fuzz").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            int.Parse(Arg("warmup", "10"), CultureInfo.InvariantCulture))
        {
            Variants = [.. args.Select((a, i) => (a, i)).Where(x => x.a == "--variant" && x.i + 1 < args.Length).Select(x => Variant(args[x.i + 1], connection))],
            Rounds = int.Parse(Arg("rounds", "2"), CultureInfo.InvariantCulture)
        };
    }

    private static (string, Dictionary<string, string>) Variant(string spec, string connection)
    {
        var (name, settings) = (spec[..spec.IndexOf(':', StringComparison.Ordinal)], spec[(spec.IndexOf(':', StringComparison.Ordinal) + 1)..]);
        return (name, settings.Split('|', StringSplitOptions.RemoveEmptyEntries).Select(kv => kv.Split('=', 2))
            .ToDictionary(kv => kv[0], kv => kv[1].Replace("$CONN", connection, StringComparison.Ordinal)));
    }
}

public sealed class Figures
{
    private readonly Dictionary<string, double> _figures = [];

    public void Set(string key, double value)
    {
        // A ratio over nothing (0/0, x/0) is no figure: said, not written (JSON has no NaN or infinity either).
        if (!double.IsFinite(value))
        {
            AnsiConsole.MarkupLine($"  {key} = [red]n/a[/] (nothing to divide by)");
            return;
        }

        _figures[key] = Math.Round(value, 2);
        AnsiConsole.MarkupLine($"  {key} = [bold]{_figures[key].ToString("N2", CultureInfo.InvariantCulture)}[/]");
    }

    public double this[string key] => _figures.GetValueOrDefault(key);

    public bool Has(string key) => _figures.ContainsKey(key);

    public void Report(BenchOptions options)
    {
        // A ratio needs its baseline from the same run (a partial --phases run has none).
        void Ratio(string name, string figure, string baseline)
        {
            if (_figures.ContainsKey(figure) && _figures.ContainsKey(baseline)) Set(name, this[figure] / this[baseline]);
        }

        // Raw inserts with as many connections as the HTTP run has clients, COPY with as many writers as the seeder.
        Ratio("http_ratio", "http_review_per_s", "raw_insert_clients_per_s");
        // Context for http_ratio: what a bare HTTP endpoint (token check, one insert) reaches here, and our share of it.
        Ratio("raw_http_ratio", "raw_http_insert_per_s", "raw_insert_clients_per_s");
        Ratio("http_vs_raw_http_ratio", "http_review_per_s", "raw_http_insert_per_s");
        Ratio("seed_ratio", "seed_events_per_s", "raw_copy_rows_per_s");
        var goals = new (string Name, bool Met)[]
        {
            ("http_vs_raw_http_ratio ≥ 0.4 and http_review_p99_ms < 50", this["http_vs_raw_http_ratio"] >= 0.4 && this["http_review_p99_ms"] < 50),
            ("http_review_non2xx = 0", this["http_review_non2xx"] == 0),
            ("seed_ratio ≥ 0.5", this["seed_ratio"] >= 0.5),
            ("rebuild_events_per_s ≥ 25,000", this["rebuild_events_per_s"] >= 25_000),
            ("import_s < 60", this["import_s"] < 60),
            ("import_dry_run_s < 30", this["import_dry_run_s"] < 30),
            ("projections_caught_up = 1", this["projections_caught_up"] == 1),
            ("caseload_p99_ms < 20", this["caseload_p99_ms"] < 20),
            ("case_list_p99_ms < 30", this["case_list_p99_ms"] < 30),
            ("case_page_p99_ms < 50", this["case_page_p99_ms"] < 50),
            ("app_peak_rss_mb < 300", this["app_peak_rss_mb"] < 300),
            ("first_request_ms < 200", this["first_request_ms"] < 200),
            ("fuzz_rss_growth_mb < 50", this["fuzz_rss_growth_mb"] < 50)
        };
        var table = new Table().AddColumns("figure", "value");
        foreach (var (k, v) in _figures.OrderBy(f => f.Key, StringComparer.Ordinal)) table.AddRow(k, v.ToString("N2", CultureInfo.InvariantCulture));
        AnsiConsole.Write(table);
        foreach (var (name, met) in goals.Where(g => _figures.ContainsKey(g.Name.Split(' ')[0]))) AnsiConsole.MarkupLine($"{(met ? "[green]✓[/]" : "[red]✗[/]")} {Markup.Escape(name)}");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(options.Output))!);
        File.WriteAllText(options.Output, JsonSerializer.Serialize(_figures.OrderBy(f => f.Key, StringComparer.Ordinal)
            .ToDictionary(f => f.Key, f => f.Value), new JsonSerializerOptions { WriteIndented = true }));
        AnsiConsole.MarkupLine($"written {options.Output}");
    }
}

public static class Percentiles
{
    public static double Of(List<double> samples, double p)
    {
        if (samples.Count == 0) return 0;
        samples.Sort();
        return samples[Math.Clamp((int)Math.Ceiling(p * samples.Count) - 1, 0, samples.Count - 1)];
    }
}

/// <summary>The app as its own process (as deployed), so its memory is measured alone.</summary>
public sealed class AppProcess : IAsyncDisposable
{
    private readonly Process _process;
    public HttpClient Http { get; }
    public int Pid => _process.Id;

    /// <summary>The first HTTP request once the app accepts connections (cold start of the request path), in ms.</summary>
    public double FirstRequestMs { get; private set; }

    /// <summary>The benchmark's HttpClient's first request, once the app is warm: the client-side share of a cold request.</summary>
    public double FirstClientRequestMs { get; private set; }

    private readonly CancellationTokenSource _sampling = new();
    private readonly Task _sampler;
    private readonly Dictionary<string, double> _peaks = [];

    /// <summary>What the benchmark is doing with the app now: each phase's resident-set peak is kept apart (PhasePeaks).</summary>
    public string Phase { get; set; } = "start";

    /// <summary>The highest resident set size sampled (every 100 ms) in each phase, in MB.</summary>
    public IReadOnlyDictionary<string, double> PhasePeaks { get { lock (_peaks) return new Dictionary<string, double>(_peaks); } }

    private AppProcess(Process process, HttpClient http)
    {
        _process = process;
        Http = http;
        _sampler = Task.Run(async () =>
        {
            while (!_sampling.IsCancellationRequested && !_process.HasExited)
            {
                var rss = RssMb();
                lock (_peaks) _peaks[Phase] = Math.Max(_peaks.GetValueOrDefault(Phase), rss);
                await Task.Delay(100).ConfigureAwait(false);
            }
        });
    }

    public static async Task<AppProcess> StartAsync(BenchOptions options, IReadOnlyDictionary<string, string>? environment = null)
    {
        var dll = environment?.GetValueOrDefault("APP") ?? options.AppDll;
        var start = new ProcessStartInfo("dotnet", [dll, "run", "--urls", $"http://127.0.0.1:{options.Port}"])
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["ConnectionStrings__Marten"] = options.ConnectionString,
                ["CaseTracking__DataFolder"] = options.DataFolder,
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["Logging__LogLevel__Default"] = "Warning",
                // The benchmark signs in many reviewers from one address: sign-in rate limits out of its way.
                ["CaseTracking__SignIn__PerClientPermits"] = "100000"
            }
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            if (key != "APP") start.Environment[key] = value;
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = new Uri($"http://127.0.0.1:{options.Port}") };
        // Ready = the port accepts connections (Kestrel listens only once the host has started); then one timed request,
        // written on a bare socket: the figure is the app's cold request path, not this process's HttpClient warming up
        // (its first use, before session 6, was counted in; docs/performance.md).
        for (var i = 0; i < 600; i++)
        {
            try
            {
                if (await FirstRequestAsync(options.Port) is { } firstMs)
                {
                    var app = new AppProcess(process, http) { FirstRequestMs = firstMs };
                    // What the client side alone costs: this HttpClient's first request, on the now warm app.
                    var watch = Stopwatch.StartNew();
                    using var warm = await http.GetAsync("/health");
                    app.FirstClientRequestMs = watch.Elapsed.TotalMilliseconds;
                    return app;
                }
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException or HttpRequestException)
            {
            }

            await Task.Delay(100);
        }

        throw new InvalidOperationException("the app did not start");
    }

    /// <summary>
    /// <c>GET /health</c> on a fresh connection, timed from the request's first byte to the response's last; null when the
    /// app answers but not 200 yet (starting). Connection: close, so the response ends when the app closes the socket.
    /// </summary>
    private static async Task<double?> FirstRequestAsync(int port)
    {
        using var client = new System.Net.Sockets.TcpClient { NoDelay = true };
        await client.ConnectAsync("127.0.0.1", port);
        var stream = client.GetStream();
        var request = System.Text.Encoding.ASCII.GetBytes($"GET /health HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
        var buffer = new byte[4096];
        var received = new MemoryStream();
        var watch = Stopwatch.StartNew();
        await stream.WriteAsync(request);
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0) received.Write(buffer, 0, read);
        var elapsed = watch.Elapsed.TotalMilliseconds;
        var head = System.Text.Encoding.ASCII.GetString(received.GetBuffer(), 0, (int)Math.Min(received.Length, 64));
        return head.StartsWith("HTTP/1.1 200", StringComparison.Ordinal) ? elapsed : null;
    }

    /// <summary>Peak resident set size so far (VmHWM), in MB.</summary>
    public double PeakRssMb() => Status("VmHWM:");

    /// <summary>Resident set size now (VmRSS), in MB.</summary>
    public double RssMb() => Status("VmRSS:");

    private double Status(string key)
    {
        string? line;
        try
        {
            line = File.ReadLines($"/proc/{Pid}/status").FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
        }
        catch (IOException)
        {
            return 0; // the process has exited (its /proc entry is gone): the sampler stops at its next look
        }

        return line is null ? 0 : double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
    }

    public async ValueTask DisposeAsync()
    {
        await _sampling.CancelAsync();
        await _sampler.ConfigureAwait(false);
        Http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}

/// <summary>CPU time so far: the app process, this process, and the whole machine (busy and idle, from /proc/stat).</summary>
public readonly record struct CpuSample(TimeSpan App, TimeSpan Client, TimeSpan Machine, TimeSpan Idle)
{
    public static CpuSample Take(int appPid)
    {
        using var app = Process.GetProcessById(appPid);
        using var self = Process.GetCurrentProcess();
        // The first line of /proc/stat: user nice system idle iowait irq softirq steal …, in clock ticks (100 a second).
        var ticks = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8)
            .Select(t => long.Parse(t, CultureInfo.InvariantCulture)).ToArray();
        var idle = ticks[3] + ticks[4];
        return new(app.TotalProcessorTime, self.TotalProcessorTime, TimeSpan.FromMilliseconds((ticks.Sum() - idle) * 10.0),
            TimeSpan.FromMilliseconds(idle * 10.0));
    }

    public static CpuSample operator -(CpuSample a, CpuSample b) => new(a.App - b.App, a.Client - b.Client, a.Machine - b.Machine, a.Idle - b.Idle);
}
