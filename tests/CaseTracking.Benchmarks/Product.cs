using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CaseTracking.Access;
using CaseTracking.Caseloads;
using CaseTracking.Cases;
using CaseTracking.Demo;
using CaseTracking.Statistics;
using JasperFx.Events.Daemon;
using Marten;
using Spectre.Console;

namespace CaseTracking.Benchmarks;

public static class Product
{
    private const string Tenant = "demo";

    public static async Task SeedAsync(IServiceProvider services, BenchOptions options, Figures results)
    {
        AnsiConsole.MarkupLine($"[bold]Seed[/] {options.Cases:N0} cases");
        var seeder = services.GetRequiredService<Seeder>();
        var report = await seeder.SeedAsync(options.Cases, 42, 150, 2000, null, default);
        AnsiConsole.MarkupLine($"  {report.Events:N0} events in {report.Elapsed.TotalSeconds:N1} s");
        results.Set("seed_events_per_s", report.EventsPerSecond);
        // Two writers: their summed seconds appending events and waiting for a batch, and the producer's waiting for a writer.
        results.Set("seed_events_append_s", report.Spent.EventsAppend.TotalSeconds);
        results.Set("seed_writers_idle_s", report.Spent.WritersIdle.TotalSeconds);
        results.Set("seed_producer_blocked_s", report.Spent.ProducerBlocked.TotalSeconds);
    }

    public static async Task RebuildAsync(IServiceProvider services, Figures results)
    {
        AnsiConsole.MarkupLine("[bold]Rebuild[/] every projection (side by side, as the rebuild verb does)");
        var store = services.GetRequiredService<IDocumentStore>();
        var events = (await store.Advanced.FetchEventStoreStatistics()).EventCount;
        using var daemon = await store.BuildProjectionDaemonAsync();
        var watch = Stopwatch.StartNew();
        // The three the figure has always counted (CaseActivity, the report's, is not among them).
        var names = CasesModule.RebuildNames.Where(n => n != "CaseActivity");
        StatisticsProfile.Reset();
        await Task.WhenAll(names.Select(async name =>
        {
            await CasesModule.RebuildAsync(store, daemon, store.Storage.Database, name, TimeSpan.FromMinutes(30), null, default);
            AnsiConsole.MarkupLine($"  {name} done after {watch.Elapsed.TotalSeconds:N1} s");
            results.Set($"rebuild_{name}_s", watch.Elapsed.TotalSeconds);
        }));

        // The province's events replayed into every read model, per second of wall-clock time.
        results.Set("rebuild_events_per_s", events / watch.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// One projection rebuilt alone, as the opt-in phases <c>caseload</c>, <c>summary</c> and <c>statistics</c> do: the
    /// events in the log, the wall-clock seconds, and the machine's CPU meanwhile (this process apart from the rest).
    /// </summary>
    private static async Task<(long Events, double Seconds, CpuSample Cpu)> RebuildAloneAsync(IServiceProvider services, string projection)
    {
        var store = services.GetRequiredService<IDocumentStore>();
        var events = (await store.Advanced.FetchEventStoreStatistics()).EventCount;
        using var daemon = await store.BuildProjectionDaemonAsync();
        var before = CpuSample.Take(Environment.ProcessId);
        var watch = Stopwatch.StartNew();
        await CasesModule.RebuildAsync(store, daemon, store.Storage.Database, projection, TimeSpan.FromMinutes(30), null, default);
        return (events, watch.Elapsed.TotalSeconds, CpuSample.Take(Environment.ProcessId) - before);
    }

    /// <summary>Opt-in phase <c>caseload</c>: the caseload projection rebuilt alone (issue 14: its events/s before and after a change).</summary>
    public static async Task RebuildCaseloadAsync(IServiceProvider services, Figures results)
    {
        AnsiConsole.MarkupLine("[bold]Rebuild[/] the caseload alone");
        var (events, seconds, _) = await RebuildAloneAsync(services, nameof(CaseloadProjection));
        results.Set("caseload_rebuild_events_per_s", events / seconds);
    }

    /// <summary>
    /// Opt-in phase <c>summary</c>: the case summaries rebuilt alone by their batch job (issue 20, ADR 0014), with the
    /// machine's CPU split between this process and everything else (PostgreSQL).
    /// </summary>
    public static async Task RebuildSummaryAsync(IServiceProvider services, Figures results)
    {
        AnsiConsole.MarkupLine("[bold]Rebuild[/] the case summaries alone");
        var (events, seconds, cpu) = await RebuildAloneAsync(services, nameof(CaseSummary));
        results.Set("summary_rebuild_s", seconds);
        results.Set("summary_rebuild_events_per_s", events / seconds);
        // Microseconds of CPU per event: this process (read and deserialise the events, fold, serialise the summaries)
        // and the rest of the machine (PostgreSQL: the streams' event queries and the COPY).
        var app = cpu.App.TotalMilliseconds * 1000 / events;
        var other = (cpu.Machine - cpu.App).TotalMilliseconds * 1000 / events;
        results.Set("summary_rebuild_app_us_per_event", app);
        results.Set("summary_rebuild_other_us_per_event", other);
        AnsiConsole.MarkupLine($"  {events:N0} events in {seconds:N1} s; CPU per event: this process {app:N1} µs, the rest {other:N1} µs");
    }

    /// <summary>
    /// Opt-in phase <c>statistics</c>: the statistics projection rebuilt alone (issue 20). With
    /// <c>CaseTracking__Statistics__Profile=true</c> it also prints where its pages' time went.
    /// </summary>
    public static async Task RebuildStatisticsAsync(IServiceProvider services, Figures results)
    {
        var settings = services.GetRequiredService<StatisticsSettings>();
        AnsiConsole.MarkupLine("[bold]Rebuild[/] the statistics alone");
        StatisticsProfile.Reset();
        var (events, seconds, _) = await RebuildAloneAsync(services, nameof(StatisticsProjection));
        results.Set("statistics_rebuild_s", seconds);
        results.Set("statistics_rebuild_events_per_s", events / seconds);
        if (!settings.Profile) return;
        var p = StatisticsProfile.Read();
        var apply = p.Members + p.Fold + p.QueueWrites;
        AnsiConsole.MarkupLine($"  {p.Pages:N0} pages, {p.Events:N0} events, {p.Rows:N0} row writes ({(double)p.Rows / Math.Max(1, p.Events):N2} an event)");
        AnsiConsole.MarkupLine($"  in the projection: members {p.Members:N1} s, fold {p.Fold:N1} s, rows' merge queued {p.QueueWrites:N1} s");
        AnsiConsole.MarkupLine($"  outside it (the daemon: fetch and deserialise the page, write the batch): {seconds - apply:N1} s");
        results.Set("statistics_profile_members_s", p.Members);
        results.Set("statistics_profile_fold_s", p.Fold);
        results.Set("statistics_profile_queue_s", p.QueueWrites);
        results.Set("statistics_profile_daemon_s", seconds - apply);
        results.Set("statistics_profile_row_writes", p.Rows);
    }

    /// <summary>Monthly reviews already logged on each HTTP case: a history like the seeded province's (about 20 events a case).</summary>
    private const int HistoryMonths = 18;

    /// <summary>
    /// The HTTP run needs review periods still free: 10,000 five-year cases that started 59 months ago, with
    /// <see cref="HistoryMonths"/> months of reviews, assigned to organisations whose reviewers the clients sign in as.
    /// </summary>
    public static async Task HttpCasesAsync(IServiceProvider services, BenchOptions options)
    {
        var store = services.GetRequiredService<IDocumentStore>();
        var today = DateOnly.FromDateTime(DateTime.Now);
        var start = new DateOnly(today.Year, today.Month, 1).AddMonths(-59);
        await using var query = store.QuerySession(Tenant);
        var reviewers = await query.Query<User>().Where(u => u.Role == Role.Reviewer && u.Username.EndsWith("-1")).Take(64).ToListAsync();
        var orgs = (await query.LoadManyAsync<Organisation>(reviewers.Select(r => r.OrganisationId!.Value).ToArray())).ToDictionary(o => o.Id);
        var supervisors = await query.Query<User>().Where(u => u.Role == Role.Supervisor).ToListAsync();
        var rows = new List<(Guid Case, string Reviewer)>();
        for (var batch = 0; batch < options.HttpCases; batch += 500)
        {
            await using var session = store.LightweightSession(Tenant);
            for (var i = batch; i < Math.Min(options.HttpCases, batch + 500); i++)
            {
                var reviewer = reviewers[i % reviewers.Count];
                var org = orgs[reviewer.OrganisationId!.Value];
                var supervisor = supervisors.First(s => s.WardIds.Contains(org.WardId));
                var caseId = Guid.CreateVersion7();
                var personId = Guid.CreateVersion7();
                session.Insert(new People.Person { Id = personId, FullName = "Bench " + i, NationalId = $"9{i:00000000000}", Address = "x", WardId = org.WardId });
                var history = new List<object>
                {
                    new CaseOpened(caseId, personId, SupervisionKind.SuspendedSentence, new LegalBasis("B/1", "Bench", start.AddDays(-5)), start,
                        start.AddMonths(60).AddDays(-1), org.WardId, supervisor.Id),
                    new CaseAssigned(org.Id, reviewer.Id, supervisor.Id, "bench", supervisor.Id)
                };
                for (var month = 0; month < HistoryMonths; month++)
                {
                    var period = start.AddMonths(month);
                    history.Add(new ReviewLogged(Guid.CreateVersion7(), period.ToString("yyyy-MM", CultureInfo.InvariantCulture), period.AddDays(20),
                        ReviewRating.Good, "Chấp hành tốt, tích cực lao động sản xuất tại địa phương", reviewer.Id));
                }

                session.Events.StartStream<Case>(caseId, history);
                rows.Add((caseId, reviewer.Username));
            }

            await session.SaveChangesAsync();
        }

        await File.WriteAllLinesAsync(Path.Combine(options.DataFolder, "http-cases.txt"), rows.Select(r => $"{r.Case},{r.Reviewer}"));
        await File.WriteAllTextAsync(Path.Combine(options.DataFolder, "http-next-month.txt"), HistoryMonths.ToString(CultureInfo.InvariantCulture));
        await File.WriteAllTextAsync(Path.Combine(options.DataFolder, FirstMonthFile), start.ToString("yyyy-MM", CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// The month the HTTP cases started (yyyy-MM), written when they are seeded: a rerun in a later calendar month still
    /// numbers the months from the cases' real start, so it never sends a period past the term's end (422).
    /// </summary>
    private const string FirstMonthFile = "http-first-month.txt";

    internal static async Task<string> TokenAsync(HttpClient http, string username, string password)
    {
        var answer = await http.PostAsJsonAsync("/api/auth/token", new { username, password });
        answer.EnsureSuccessStatusCode();
        return (await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
    }

    /// <summary>The time of one GET, or null when it did not answer 2xx (counted apart, never in a percentile).</summary>
    internal static async Task<double?> TimeAsync(HttpClient http, string token, string url)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var watch = Stopwatch.StartNew();
        try
        {
            using var response = await http.SendAsync(request);
            await response.Content.ReadAsByteArrayAsync();
            return response.IsSuccessStatusCode ? watch.Elapsed.TotalMilliseconds : null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    /// <summary>A p99 is read from at least this many samples (the tenth-highest of 1,000).</summary>
    private const int QuerySamples = 1000;

    public static async Task QueriesAsync(AppProcess app, BenchOptions options, Figures results)
    {
        AnsiConsole.MarkupLine($"[bold]Queries[/] (p99 of {QuerySamples:N0} sequential requests each, after 20 warm-up)");
        var http = app.Http;
        app.Phase = "catchup";
        // Reads of projections that have not caught up would be measured on a smaller, different read model: no figures.
        var caughtUp = await CaughtUpAsync(http);
        app.Phase = "queries";
        results.Set("projections_caught_up", caughtUp ? 1 : 0);
        if (!caughtUp)
        {
            AnsiConsole.MarkupLine("[red]  the projections did not catch up within 10 minutes: no read figures from this run[/]");
            return;
        }

        var supervisor = await TokenAsync(http, "sup001-1", DemoProvince.DemoPassword);
        var auditor = await TokenAsync(http, "auditor", DemoProvince.DemoPassword);
        var wards = JsonDocument.Parse(await (await Authorized(http, supervisor, "/api/admin/wards")).Content.ReadAsStringAsync())
            .RootElement.EnumerateArray().Select(w => w.GetProperty("id").GetGuid()).ToList();
        var longCase = await LongestCaseAsync(http, auditor);

        long non2xx = 0;
        async Task<List<double>> Samples(string token, Func<int, string> url)
        {
            for (var i = 0; i < 20; i++) await TimeAsync(http, token, url(i));
            var samples = new List<double>();
            for (var i = 0; i < QuerySamples; i++)
                if (await TimeAsync(http, token, url(i)) is { } ms) samples.Add(ms);
                else non2xx++;
            return samples;
        }

        var caseload = await Samples(supervisor, _ => "/api/caseload?groupBy=Organisation");
        results.Set("caseload_p50_ms", Percentiles.Of(caseload, 0.50));
        results.Set("caseload_p99_ms", Percentiles.Of(caseload, 0.99));
        var list = await Samples(auditor, i => $"/api/cases?wardId={wards[i % wards.Count]}&page={1 + i % 3}&pageSize=50");
        results.Set("case_list_p50_ms", Percentiles.Of(list, 0.50));
        results.Set("case_list_p99_ms", Percentiles.Of(list, 0.99));
        var pages = new List<double>();
        for (var i = 0; i < QuerySamples + 20; i++)
        {
            var watch = Stopwatch.StartNew();
            var ok = await TimeAsync(http, auditor, $"/api/cases/{longCase}") is not null
                & await TimeAsync(http, auditor, $"/api/cases/{longCase}/history") is not null;
            if (i < 20) continue;
            if (ok) pages.Add(watch.Elapsed.TotalMilliseconds);
            else non2xx++;
        }

        results.Set("case_page_p50_ms", Percentiles.Of(pages, 0.50));
        results.Set("case_page_p99_ms", Percentiles.Of(pages, 0.99));
        results.Set("query_non2xx", non2xx);
    }

    /// <summary>Reads are measured once the app's async projections have caught up with the events written before it started.</summary>
    private static async Task<bool> CaughtUpAsync(HttpClient http)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromMinutes(10))
        {
            using var response = await http.GetAsync("/health/ready");
            var ready = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            if (ready.TryGetProperty("projections", out var shards) && shards.GetArrayLength() > 0
                && shards.EnumerateArray().All(p => p.GetProperty("sequence").GetInt64() >= p.GetProperty("highWaterMark").GetInt64()))
            {
                AnsiConsole.MarkupLine($"  projections caught up after {watch.Elapsed.TotalSeconds:N0} s");
                return true;
            }

            await Task.Delay(1000);
        }

        return false;
    }

    private static async Task<HttpResponseMessage> Authorized(HttpClient http, string token, string url)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await http.SendAsync(request);
    }

    /// <summary>A case with about 40 events (the seed's longest have three years of monthly reviews).</summary>
    private static async Task<Guid> LongestCaseAsync(HttpClient http, string auditor)
    {
        var page = JsonDocument.Parse(await (await Authorized(http, auditor, "/api/cases?status=Active&pageSize=500&page=1")).Content.ReadAsStringAsync());
        return page.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("case"))
            .OrderBy(c => Math.Abs(c.GetProperty("version").GetInt64() - 40)).First().GetProperty("id").GetGuid();
    }

    private static readonly string[] VariantFigures =
    [
        "http_review_per_s", "http_review_p50_ms", "http_review_p99_ms", "http_review_non2xx", "http_app_cpu_ms_per_review",
        "http_client_cpu_ms_per_review", "http_other_cpu_ms_per_review", "http_idle_cpu_share", "http_summary_hot_update_share",
        // Start-up and memory per arm too: runtime settings (GC, W^X, ReadyToRun) move these more than throughput.
        "first_request_ms", "first_request_client_ms", "app_peak_rss_mb"
    ];

    /// <summary>The A/B rounds of <see cref="BenchOptions.Variants"/>: base, each variant, base, each variant, …; means per name.</summary>
    public static async Task VariantsAsync(BenchOptions options, Figures results)
    {
        var runs = new Dictionary<string, List<Figures>>();
        var names = new[] { ("base", new Dictionary<string, string>()) }.Concat(options.Variants).ToList();
        for (var round = 0; round < options.Rounds; round++)
            foreach (var (name, environment) in names)
            {
                AnsiConsole.MarkupLine($"[bold]A/B[/] round {round + 1}: {Markup.Escape(name)} {Markup.Escape(string.Join(' ', environment.Keys))}");
                await using var server = await AppProcess.StartAsync(options, environment);
                var one = new Figures();
                one.Set("first_request_ms", server.FirstRequestMs);
                one.Set("first_request_client_ms", server.FirstClientRequestMs);
                await HttpReviewsAsync(server, options, one);
                (runs.TryGetValue(name, out var list) ? list : runs[name] = []).Add(one);
            }

        foreach (var (name, list) in runs)
            foreach (var figure in VariantFigures)
                if (list.Where(r => r.Has(figure)).Select(r => r[figure]).ToList() is { Count: > 0 } measured)
                    results.Set($"{figure}@{name}", measured.Average());
    }

    public static async Task HttpReviewsAsync(AppProcess app, BenchOptions options, Figures results)
    {
        AnsiConsole.MarkupLine($"[bold]HTTP[/] reviews: {options.Clients} clients for {options.HttpSeconds} s (after {options.WarmUpSeconds} s of warm-up) over {options.HttpCases:N0} cases");
        var http = app.Http;
        // The daemon catching up on earlier phases' events (the import's) would share the cores with the writes measured.
        if (app.Phase == "start") app.Phase = "catchup";
        var caughtUp = await CaughtUpAsync(http);
        app.Phase = "http";
        if (!caughtUp)
        {
            results.Set("projections_caught_up", 0);
            AnsiConsole.MarkupLine("[red]  the projections did not catch up within 10 minutes: the writes below share the cores with them[/]");
        }

        var rows = (await File.ReadAllLinesAsync(Path.Combine(options.DataFolder, "http-cases.txt"))).Select(l => l.Split(',')).ToList();
        var tokens = new Dictionary<string, string>();
        foreach (var reviewer in rows.Select(r => r[1]).Distinct()) tokens[reviewer] = await TokenAsync(http, reviewer, DemoProvince.DemoPassword);
        var queue = new ConcurrentQueue<(Guid Case, string Token, int Month)>();
        var today = DateOnly.FromDateTime(DateTime.Now);
        var firstFile = Path.Combine(options.DataFolder, FirstMonthFile);
        var first = File.Exists(firstFile)
            ? DateOnly.ParseExact((await File.ReadAllTextAsync(firstFile)).Trim() + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture)
            : new DateOnly(today.Year, today.Month, 1).AddMonths(-59);
        // Months after the current one would be refused (a review is never for a future month).
        var last = Math.Min(59, (today.Year - first.Year) * 12 + today.Month - first.Month);
        // Every (case, month) at most once: no duplicate-period rejections in the measurement.
        // A rerun (--phases http) continues with the months an earlier run left free.
        var next = Path.Combine(options.DataFolder, "http-next-month.txt");
        var from = File.Exists(next) ? int.Parse(await File.ReadAllTextAsync(next), CultureInfo.InvariantCulture) : 0;
        for (var month = from; month <= last; month++)
            foreach (var r in rows) queue.Enqueue((Guid.Parse(r[0]), tokens[r[1]], month));
        if (queue.IsEmpty)
        {
            // Nothing to send: no write figures from this run (an arm's means then leave it out), rather than zeros.
            AnsiConsole.MarkupLine("[red]  every month of the HTTP cases is used: seed again (ops/bench with the seed phase) before measuring writes[/]");
            return;
        }

        async Task<bool> ReviewAsync((Guid Case, string Token, int Month) item)
        {
            var period = first.AddMonths(item.Month);
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/cases/{item.Case}/reviews")
            {
                Content = JsonContent.Create(new
                {
                    period = period.ToString("yyyy-MM", CultureInfo.InvariantCulture), heldOn = period.AddDays(20) > today ? today : period.AddDays(20),
                    rating = "Good", summary = "Chấp hành tốt, tích cực lao động sản xuất tại địa phương"
                })
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", item.Token);
            try
            {
                using var response = await http.SendAsync(request);
                await response.Content.ReadAsByteArrayAsync();
                return (int)response.StatusCode == 201;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }

        // Latencies of 201s only: a refusal or an error is counted (http_review_non2xx), never averaged in.
        var latencies = new ConcurrentBag<double>();
        long failures = 0;
        // Users meet a running server: a warm-up (JIT, Wolverine's first-call code generation, pools) is not measured.
        var warmUp = TimeSpan.FromSeconds(options.WarmUpSeconds);
        var warming = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, options.Clients).Select(async _ =>
        {
            while (warming.Elapsed < warmUp && queue.TryDequeue(out var item)) await ReviewAsync(item);
        }));
        var cpuBefore = CpuSample.Take(app.Pid);
        var summaryBefore = await SummaryWritesAsync(options);
        var watch = Stopwatch.StartNew();
        var duration = TimeSpan.FromSeconds(options.HttpSeconds);
        await Task.WhenAll(Enumerable.Range(0, options.Clients).Select(async _ =>
        {
            while (watch.Elapsed < duration && queue.TryDequeue(out var item))
            {
                var started = Stopwatch.GetTimestamp();
                var created = await ReviewAsync(item);
                if (created) latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                else Interlocked.Increment(ref failures);
            }
        }));
        var elapsed = watch.Elapsed.TotalSeconds;
        var cpu = CpuSample.Take(app.Pid) - cpuBefore;
        var used = last + 1 - (int)Math.Floor(queue.Count / (double)rows.Count);
        await File.WriteAllTextAsync(next, used.ToString(CultureInfo.InvariantCulture));
        var samples = latencies.ToList();
        AnsiConsole.MarkupLine($"  {samples.Count + failures:N0} requests, {failures:N0} not 201");
        results.Set("http_review_per_s", samples.Count / elapsed);
        results.Set("http_review_non2xx", failures);
        results.Set("http_review_p50_ms", Percentiles.Of(samples, 0.50));
        results.Set("http_review_p99_ms", Percentiles.Of(samples, 0.99));
        // VmHWM only grows: read at the end it is the peak of the process's life so far (per phase: AppProcess.PhasePeaks).
        results.Set("app_peak_rss_mb", app.PeakRssMb());
        // Where the CPU went, per review committed (docs/performance.md): the app process, this load generator, and the
        // rest of the machine (PostgreSQL, and anything else running, which the shared build lock keeps quiet).
        var reviews = Math.Max(1, samples.Count);
        results.Set("http_app_cpu_ms_per_review", cpu.App.TotalMilliseconds / reviews);
        results.Set("http_client_cpu_ms_per_review", cpu.Client.TotalMilliseconds / reviews);
        results.Set("http_other_cpu_ms_per_review", (cpu.Machine - cpu.App - cpu.Client).TotalMilliseconds / reviews);
        results.Set("http_idle_cpu_share", cpu.Idle / (cpu.Idle + cpu.Machine));
        // PostgreSQL counts a table's statistics with a delay of up to a second.
        await Task.Delay(1500);
        var summaryAfter = await SummaryWritesAsync(options);
        var updates = summaryAfter.Updates - summaryBefore.Updates;
        results.Set("http_summary_hot_update_share", updates == 0 ? 0 : (summaryAfter.HotUpdates - summaryBefore.HotUpdates) / (double)updates);
    }

    /// <summary>Updates of the case summaries and how many of them PostgreSQL wrote heap-only (no index touched).</summary>
    private static async Task<(long Updates, long HotUpdates)> SummaryWritesAsync(BenchOptions options)
    {
        await using var connection = new Npgsql.NpgsqlConnection(options.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            "select coalesce(sum(n_tup_upd), 0)::bigint, coalesce(sum(n_tup_hot_upd), 0)::bigint from pg_stat_user_tables where relname = 'mt_doc_casesummary'",
            connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }
}
