using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CaseTracking.Auditing;
using CaseTracking.Caseloads;
using CaseTracking.Cases;
using CaseTracking.Demo;
using CaseTracking.Infrastructure;
using CaseTracking.Statistics;
using JasperFx.CommandLine;
using JasperFx.Events.Daemon;
using Marten;
using Spectre.Console;

namespace CaseTracking.Operations;

public class SeedInput : NetCoreInput
{
    [Description("How many cases (default 12000)")]
    public int CasesFlag { get; set; } = 12000;

    [Description("Random seed: the same seed gives the same province (default 42)")]
    public int SeedFlag { get; set; } = 42;

    [Description("How many wards (default 150)")]
    public int WardsFlag { get; set; } = 150;

    [Description("Cases per COPY batch (default 2000)")]
    public int BatchFlag { get; set; } = 2000;

    [Description("Do nothing (but print the demo accounts) when the province already has data")]
    public bool IfEmptyFlag { get; set; }

    [Description("Only print the demo accounts (ops/demo shows them once the app answers)")]
    public bool AccountsFlag { get; set; }
}

[Description("Seed a deterministic demo province (Bogus, Vietnamese locale)")]
public class SeedCommand : JasperFxAsyncCommand<SeedInput>
{
    public override async Task<bool> Execute(SeedInput input)
    {
        using var host = input.BuildHost();
        var seeder = host.Services.GetRequiredService<Seeder>();
        if (input.AccountsFlag)
        {
            PrintAccounts(seeder.Accounts(input.SeedFlag, input.WardsFlag));
            return true;
        }

        await seeder.PrepareAsync(default);
        if (input.IfEmptyFlag && !await seeder.IsEmptyAsync(default))
        {
            AnsiConsole.MarkupLine("[grey]The demo province already has data; nothing seeded.[/]");
            PrintAccounts(seeder.Accounts(input.SeedFlag, input.WardsFlag));
            return true;
        }

        SeedReport report = null!;
        await AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask($"Seeding {input.CasesFlag:N0} cases", maxValue: input.CasesFlag);
                report = await seeder.SeedAsync(input.CasesFlag, input.SeedFlag, input.WardsFlag, input.BatchFlag,
                    done => task.Value = done, default);
            });
        AnsiConsole.MarkupLine($"Seeded {report.Cases:N0} cases, {report.Events:N0} events in {report.Elapsed.TotalSeconds:N1} s: [bold]{report.EventsPerSecond:N0} events/s[/]");
        PrintAccounts(report.Accounts);
        return true;
    }

    public static void PrintAccounts(IEnumerable<DemoAccount> accounts)
    {
        var table = new Table().Title("Demo accounts").AddColumns("user", "role", "password", "scope");
        foreach (var a in accounts) table.AddRow(a.Username, a.Role, a.Password, Markup.Escape(a.Scope));
        table.AddRow("admin", "Admin", "CaseTracking__AdminPassword, or printed at first start", "users, wards, organisations");
        table.AddRow("national", "NationalAdmin", "CaseTracking__NationalAdminPassword, or printed at first start", "provinces (/national), no case content");
        AnsiConsole.Write(table);
    }
}

public class RebuildInput : NetCoreInput
{
    [Description("One projection to rebuild (CaseloadProjection, StatisticsProjection, CaseSummary, CaseActivity); all when omitted")]
    public string? ProjectionFlag { get; set; }
}

[Description("Rebuild projections from the events, with progress; prints events/s")]
public class RebuildCommand : JasperFxAsyncCommand<RebuildInput>
{
    public override async Task<bool> Execute(RebuildInput input)
    {
        using var host = input.BuildHost();
        var store = host.Services.GetRequiredService<IDocumentStore>();
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        var names = input.ProjectionFlag is { Length: > 0 } one
            ? [one]
            : CasesModule.RebuildNames;
        // Every database of the store: the shared one and each province's own (ADR 0007), one after the other.
        var tenancy = (Provinces.ProvinceTenancy)store.Options.Tenancy;
        foreach (var database in await store.Storage.AllDatabases())
        {
            // "shared" or "province-CODE", as projection-status names them.
            var label = tenancy.LabelOf(database);
            using var daemon = await ((DocumentStore)store).BuildProjectionDaemonAsync(database.Id);
            var stats = await database.FetchEventStoreStatistics();
            var total = stats.EventCount;
            var watch = Stopwatch.StartNew();
            // The projections are rebuilt side by side: each reads the whole event log, and together they use both
            // the app's and the database's cores (docs/performance.md).
            await AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new SpinnerColumn())
                .StartAsync(async ctx =>
                {
                    var tasks = names.ToDictionary(n => n, n => ctx.AddTask($"{label} {n}", maxValue: Math.Max(1, total)));
                    // The summaries' batch rebuild counts the events it folded; the daemon's projections are read from
                    // Marten's progress table.
                    long summaries = 0;
                    var rebuilds = names.Select(n => CasesModule.RebuildAsync(store, daemon, database, n, TimeSpan.FromMinutes(30),
                        folded => Interlocked.Exchange(ref summaries, folded), CancellationToken.None)).ToArray();
                    var all = Task.WhenAll(rebuilds);
                    while (!all.IsCompleted)
                    {
                        await Task.WhenAny(all, Task.Delay(500));
                        var progress = await database.AllProjectionProgress();
                        foreach (var (name, task) in tasks)
                            task.Value = name == nameof(CaseSummary)
                                ? Interlocked.Read(ref summaries)
                                : progress.Where(p => p.ShardName.StartsWith(name, StringComparison.Ordinal)).Select(p => p.Sequence).DefaultIfEmpty(0).Max();
                    }

                    await all;
                    foreach (var task in tasks.Values) task.Value = task.MaxValue;
                });
            var seconds = watch.Elapsed.TotalSeconds;
            AnsiConsole.MarkupLine($"{Markup.Escape(label)}: rebuilt {string.Join(", ", names)} over {total:N0} events in {seconds:N1} s: [bold]{total / Math.Max(seconds, 0.001):N0} events/s[/] of the log into every projection");
        }

        return true;
    }
}

public class TenantInput : NetCoreInput
{
    [Description("Province (tenant), default demo")]
    public string TenantFlag { get; set; } = "demo";
}

public class VerifyInput : TenantInput
{
    [Description("Also check the seal of this day (yyyy-MM-dd): detects events deleted or rewritten after it")]
    public string? AgainstSealFlag { get; set; }

    [Description("Also check every day in this seal file (the digests kept outside the database)")]
    public string? AgainstSealFileFlag { get; set; }
}

[Description("Verify the hash chain of every case stream of a province; exits non-zero on any break")]
public class VerifyCommand : JasperFxAsyncCommand<VerifyInput>
{
    public override async Task<bool> Execute(VerifyInput input)
    {
        using var host = input.BuildHost();
        var chain = host.Services.GetRequiredService<HashChain>();
        IReadOnlyList<VerifyResult> results = [];
        await AnsiConsole.Progress().StartAsync(async ctx =>
        {
            var task = ctx.AddTask("Verifying streams");
            results = await chain.VerifyAllAsync(input.TenantFlag, (done, total) => { task.MaxValue = Math.Max(1, total); task.Value = done; }, default);
            task.Value = task.MaxValue;
        });
        var broken = results.Where(r => !r.Valid).ToList();
        AnsiConsole.MarkupLine($"{results.Count:N0} streams, {results.Sum(r => r.Events):N0} events: {(broken.Count == 0 ? "[green]chain intact[/]" : $"[red]{broken.Count} broken[/]")}");
        foreach (var b in broken) AnsiConsole.MarkupLine($"[red]  stream {b.StreamId}: first broken at version {b.FirstBrokenVersion}[/]");

        var sealOk = true;
        if (input.AgainstSealFlag is { Length: > 0 } day)
        {
            var check = await host.Services.GetRequiredService<Seals>().CheckAsync(input.TenantFlag,
                DateOnly.ParseExact(day, "yyyy-MM-dd", CultureInfo.InvariantCulture), default);
            sealOk = check.Valid;
            AnsiConsole.MarkupLine($"Seal {check.Day} (digest {check.Digest}): {(check.Valid ? "[green]matches[/]" : "[red]does not match[/]")}");
            foreach (var problem in check.Problems) AnsiConsole.MarkupLine($"[red]  {Markup.Escape(problem)}[/]");
        }

        var chainsOk = await DataProtectionChecks.ChainsAsync(host.Services, input.TenantFlag);
        var fileOk = input.AgainstSealFileFlag is not { Length: > 0 } file || await DataProtectionChecks.SealFileAsync(host.Services, input.TenantFlag, file);
        return broken.Count == 0 && sealOk && chainsOk && fileOk;
    }
}

public class SealInput : TenantInput
{
    [Description("Day to seal (yyyy-MM-dd), default today (UTC)")]
    public string? DayFlag { get; set; }
}

[Description("Seal a province: store and print the digest of every stream head as of a day")]
public class SealCommand : JasperFxAsyncCommand<SealInput>
{
    public override async Task<bool> Execute(SealInput input)
    {
        using var host = input.BuildHost();
        await host.Services.GetRequiredService<IDocumentStore>().Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        var day = input.DayFlag is { Length: > 0 } d ? DateOnly.ParseExact(d, "yyyy-MM-dd", CultureInfo.InvariantCulture) : (DateOnly?)null;
        var seal = await host.Services.GetRequiredService<Seals>().SealAsync(input.TenantFlag, day, default);
        AnsiConsole.MarkupLine($"Sealed [bold]{input.TenantFlag}[/] as of {seal.Id}: {seal.Streams:N0} streams, {seal.Events:N0} events");
        Console.WriteLine($"digest {seal.Digest}");
        AnsiConsole.MarkupLine("[grey]Keep this digest somewhere else (print it, sign it): it proves what the record held that day.[/]");
        return true;
    }
}

public class ExportInput : TenantInput
{
    [Description("The case id")]
    public Guid CaseFlag { get; set; }

    [Description("Write to this file instead of standard output")]
    public string? OutFlag { get; set; }
}

[Description("Export one case's full history and its verify result as JSON")]
public class ExportCommand : JasperFxAsyncCommand<ExportInput>
{
    public override async Task<bool> Execute(ExportInput input)
    {
        using var host = input.BuildHost();
        var store = host.Services.GetRequiredService<IDocumentStore>();
        await using var session = store.QuerySession(input.TenantFlag);
        var export = await CaseExports.BuildAsync(session, host.Services.GetRequiredService<HashChain>(), input.TenantFlag, input.CaseFlag,
            TimeProvider.System.GetUtcNow(), default);
        if (export is null)
        {
            Console.Error.WriteLine($"No case {input.CaseFlag} in {input.TenantFlag}.");
            return false;
        }

        // A read like any other: the operator's export is in the access log (as "cli:<server account>").
        await host.Services.GetRequiredService<HashChain>().InstallAsync(default);
        await using (var log = store.LightweightSession(input.TenantFlag))
        {
            log.Insert(AccessRecord.ByOperator(TimeProvider.System.GetUtcNow(), "Export", input.CaseFlag));
            await log.SaveChangesAsync();
        }

        var json = JsonSerializer.Serialize(export, new JsonSerializerOptions(Json.Options) { WriteIndented = true });
        if (input.OutFlag is { Length: > 0 } path) await File.WriteAllTextAsync(path, json);
        else Console.WriteLine(json);
        return true;
    }
}
