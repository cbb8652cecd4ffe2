using System.Globalization;
using CaseTracking.Auditing;
using CaseTracking.Retention;
using JasperFx.CommandLine;
using Marten;
using Spectre.Console;

namespace CaseTracking.Operations;

public class RetentionInput : TenantInput
{
    [Description("Work as if today were this day (yyyy-MM-dd): see what a future date would mask")]
    public string? AsOfFlag { get; set; }

    [Description("List who would be masked and why; write nothing")]
    public bool DryRunFlag { get; set; }
}

[Description("Mask personal data whose retention period has passed (DESIGN §5); the run is recorded and chained")]
public class RetentionCommand : JasperFxAsyncCommand<RetentionInput>
{
    public override async Task<bool> Execute(RetentionInput input)
    {
        using var host = input.BuildHost();
        await host.Services.GetRequiredService<IDocumentStore>().Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        await host.Services.GetRequiredService<HashChain>().InstallAsync(default);
        var job = host.Services.GetRequiredService<RetentionJob>();
        var settings = host.Services.GetRequiredService<RetentionSettings>();
        var asOf = input.AsOfFlag is { Length: > 0 } d
            ? DateOnly.ParseExact(d, "yyyy-MM-dd", CultureInfo.InvariantCulture)
            : DateOnly.FromDateTime(TimeProvider.System.GetUtcNow().UtcDateTime);

        if (input.DryRunFlag)
        {
            var plan = await job.PlanAsync(input.TenantFlag, asOf, default);
            var table = new Table().Title($"Would be masked as of {asOf:yyyy-MM-dd} (dry run, nothing written)")
                .AddColumns("person", "cases", "last case ended", "due since", "why");
            foreach (var s in plan.Due)
                table.AddRow(s.PersonId.ToString(), s.Cases.ToString(CultureInfo.InvariantCulture), $"{s.LastCaseEndedOn:yyyy-MM-dd}",
                    $"{s.DueOn:yyyy-MM-dd}", Markup.Escape($"every case ended; the longest retention period of its kinds has passed (default {settings.Years} years)"));
            AnsiConsole.Write(table);
            foreach (var skip in plan.Skipped) AnsiConsole.MarkupLine($"[red]left alone: {skip.PersonId}: {Markup.Escape(skip.Reason)}[/]");
            AnsiConsole.MarkupLine($"{plan.Due.Count} people would be masked, {plan.Skipped.Count} left alone.");
            return true;
        }

        var run = await job.RunAsync(input.TenantFlag, asOf, "cli:" + Environment.UserName, default);
        AnsiConsole.MarkupLine($"Retention run {run.Id} as of {asOf:yyyy-MM-dd}: {run.People.Count} people masked, {run.MaskedEvents} events masked, {run.Skipped.Count} left alone (chain entry {run.ChainSeq}).");
        foreach (var s in run.People) AnsiConsole.MarkupLine($"  {s.PersonId}: last case ended {s.LastCaseEndedOn:yyyy-MM-dd}, due since {s.DueOn:yyyy-MM-dd}");
        foreach (var skip in run.Skipped) AnsiConsole.MarkupLine($"[red]  left alone: {skip.PersonId}: {Markup.Escape(skip.Reason)}[/]");
        return run.Skipped.Count == 0;
    }
}

/// <summary>What <c>verify</c> adds for data protection: the chained logs, and the digests written outside the database.</summary>
public static class DataProtectionChecks
{
    public static async Task<bool> ChainsAsync(IServiceProvider services, string tenant)
    {
        var ok = true;
        foreach (var chain in DocumentChain.Chains.Keys)
        {
            var check = await services.GetRequiredService<DocumentChain>().VerifyAsync(chain, tenant, default);
            ok &= check.Valid;
            AnsiConsole.MarkupLine(check.Valid
                ? $"{chain} log: {check.Entries:N0} entries, [green]chain intact[/]"
                : $"[red]{chain} log: broken at entry {check.FirstBrokenSeq}: {Markup.Escape(check.Reason ?? "")}[/]");
        }

        return ok;
    }

    public static async Task<bool> SealFileAsync(IServiceProvider services, string tenant, string path)
    {
        var problems = await SealFile.CheckAsync(services.GetRequiredService<Seals>(), services.GetRequiredService<IDocumentStore>(), tenant, path, default);
        var days = SealFile.Read(path, tenant).Select(l => l.Day).Distinct().Count();
        AnsiConsole.MarkupLine(problems.Count == 0
            ? $"Seal file {Markup.Escape(path)}: {days} days, [green]the database matches every digest[/]"
            : $"[red]Seal file {Markup.Escape(path)}: {problems.Count} problems[/]");
        foreach (var p in problems) AnsiConsole.MarkupLine($"[red]  {Markup.Escape(p)}[/]");
        return problems.Count == 0;
    }
}
