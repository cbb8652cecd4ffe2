using System.Diagnostics;
using System.Globalization;
using CaseTracking.Caseloads;
using CaseTracking.Cases;
using CaseTracking.Demo;
using CaseTracking.Provinces;
using CaseTracking.Statistics;
using Marten;
using Npgsql;
using Spectre.Console;

namespace CaseTracking.Benchmarks;

/// <summary>
/// The national-scale phase (opt-in: <c>ops/bench --phases national</c>): <c>--provinces</c> (34) provinces of
/// <c>--national-cases</c> (12,000) cases each, added through the same code as <c>province add</c>; the last
/// <c>--own-databases</c> (4) each on a database of its own (<c>casetracking_bench_nNN</c> on the same cluster), the others
/// on the shared one. Then every database's projections are rebuilt, one database after the other, and timed.
/// </summary>
public static class National
{
    public static async Task RunAsync(IServiceProvider services, BenchOptions options, string[] args, Figures results)
    {
        int Arg(string name, int fallback)
        {
            var i = Array.IndexOf(args, "--" + name);
            return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
        }

        var count = Arg("provinces", 34);
        var cases = Arg("national-cases", 12_000);
        var own = Math.Min(count, Arg("own-databases", 4));
        AnsiConsole.MarkupLine($"[bold]National[/] {count} provinces × {cases:N0} cases, {own} on databases of their own");

        var store = services.GetRequiredService<IDocumentStore>();
        var provinces = services.GetRequiredService<CaseTracking.Provinces.Provinces>();
        var seeder = services.GetRequiredService<Seeder>();
        var tenancy = (ProvinceTenancy)store.Options.Tenancy;
        var run = DateTime.UtcNow.ToString("HHmmss", CultureInfo.InvariantCulture);
        var seedWatch = Stopwatch.StartNew();
        long events = 0;
        for (var i = 1; i <= count; i++)
        {
            var code = $"n{run}-{i:00}";
            string? database = null;
            if (i > count - own) database = await CreateDatabaseAsync(options.ConnectionString, $"casetracking_bench_n{i:00}");
            var added = await provinces.AddAsync(new AddProvince(code, $"Tỉnh {i}", database, $"admin-{code}", null), "bench",
                DateTimeOffset.UtcNow, default);
            if (!added.IsSuccess) throw new InvalidOperationException($"province {code}: {added.Status} {System.Text.Json.JsonSerializer.Serialize(added.Body)}");
            var report = await seeder.SeedAsync(cases, 100 + i, 150, 2000, null, default, code);
            events += report.Events;
            AnsiConsole.MarkupLine($"  {code} ({(database is null ? "shared" : "own database")}): {report.Events:N0} events in {report.Elapsed.TotalSeconds:N1} s");
        }

        results.Set("national_seed_s", seedWatch.Elapsed.TotalSeconds);
        results.Set("national_events", events);

        // Rebuild database by database, as the rebuild verb does: the shared database's pass covers all its provinces.
        var total = Stopwatch.StartNew();
        foreach (var database in await store.Storage.AllDatabases())
        {
            var stats = await database.FetchEventStoreStatistics();
            if (stats.EventCount == 0) continue;
            using var daemon = await ((DocumentStore)store).BuildProjectionDaemonAsync(database.Id);
            var watch = Stopwatch.StartNew();
            await Task.WhenAll(new[] { nameof(CaseSummary), nameof(CaseloadProjection), nameof(StatisticsProjection) }
                .Select(name => CasesModule.RebuildAsync(store, daemon, database, name, TimeSpan.FromMinutes(60), null, default)));
            var seconds = watch.Elapsed.TotalSeconds;
            var name = database.Id.Identity;
            var inIt = database == tenancy.Shared ? count - own : 1;
            AnsiConsole.MarkupLine($"  rebuilt {Markup.Escape(name)}: {stats.EventCount:N0} events, {inIt} province(s), {seconds:N1} s " +
                                   $"({stats.EventCount / seconds:N0} events/s, {seconds / inIt:N1} s a province)");
            // One figure per database, named by its database (casetracking_bench_n31 …) or "shared".
            var key = database == tenancy.Shared ? "shared" : name[(name.LastIndexOf('.') + 1)..];
            results.Set($"national_rebuild_{key}_s", seconds);
            results.Set($"national_rebuild_{key}_s_per_province", seconds / inIt);
        }

        results.Set("national_rebuild_total_s", total.Elapsed.TotalSeconds);
        results.Set("national_rebuild_events_per_s", events / total.Elapsed.TotalSeconds);
    }

    /// <summary>A fresh, empty database on the benchmark's cluster (the app's role may create databases); its connection string.</summary>
    private static async Task<string> CreateDatabaseAsync(string shared, string name)
    {
        await using (var conn = new NpgsqlConnection(shared))
        {
            await conn.OpenAsync();
            await using (var drop = new NpgsqlCommand($"drop database if exists {name} with (force)", conn)) await drop.ExecuteNonQueryAsync();
            await using (var create = new NpgsqlCommand($"create database {name}", conn)) await create.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(shared) { Database = name }.ConnectionString;
    }
}
