using System.Globalization;
using System.Text.Json;
using CaseTracking.Access;
using CaseTracking.Demo;
using CaseTracking.Imports;
using CaseTracking.Infrastructure;
using JasperFx.CommandLine;
using Marten;
using Spectre.Console;

namespace CaseTracking.Operations;

public class ImportInput : NetCoreInput
{
    [Description("The filled-in template: .xlsx or .csv")]
    public string File { get; set; } = "";

    [Description("Check every row and report; write nothing")]
    public bool DryRunFlag { get; set; }

    [Description("Province (tenant), default demo")]
    public string TenantFlag { get; set; } = "demo";

    [Description("The user the import is recorded as (an admin or a supervisor of the province), default admin")]
    public string UserFlag { get; set; } = "admin";

    [Description("Language of the report: vi (default) or en")]
    public string LangFlag { get; set; } = "vi";

    [Description("Also write the full report as JSON to this file")]
    public string? ReportFlag { get; set; }
}

[Description("Import a province's caseload from the XLSX/CSV template (--dry-run first); re-running a file is safe")]
public class ImportCommand : JasperFxAsyncCommand<ImportInput>
{
    public override async Task<bool> Execute(ImportInput input)
    {
        var culture = input.LangFlag.StartsWith("en", StringComparison.OrdinalIgnoreCase) ? ImportColumns.English : ImportColumns.Vietnamese;
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = culture;
        if (!System.IO.File.Exists(input.File))
        {
            AnsiConsole.MarkupLine($"[red]{Markup.Escape(ImportColumns.Format("Import.Cli.NoFile", input.File))}[/]");
            return false;
        }

        var info = new FileInfo(input.File);
        if (info.Length > ImportsModule.MaxUploadBytes)
        {
            AnsiConsole.MarkupLine($"[red]{Markup.Escape(UploadLimits.TooLarge().Problem!.Detail!)}[/]");
            return false;
        }

        using var host = input.BuildHost();
        await host.Services.GetRequiredService<Seeder>().PrepareAsync(default);
        var store = host.Services.GetRequiredService<IDocumentStore>();
        User? user;
        await using (var session = store.QuerySession())
            user = await session.Query<User>().FirstOrDefaultAsync(u => u.Username == input.UserFlag && u.Tenant == input.TenantFlag);
        if (user is null || !user.Active || user.Role is not (Role.Admin or Role.Supervisor))
        {
            AnsiConsole.MarkupLine($"[red]{Markup.Escape(ImportColumns.Format("Import.Cli.NoUser", input.UserFlag, input.TenantFlag))}[/]");
            return false;
        }

        var content = await System.IO.File.ReadAllBytesAsync(input.File);
        var importer = host.Services.GetRequiredService<Importer>();
        ImportReport report = null!;
        try
        {
            await AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                    new RemainingTimeColumn(), new SpinnerColumn())
                .StartAsync(async ctx =>
                {
                    var check = ctx.AddTask(ImportColumns.Text("Import.Cli.Check"), maxValue: 1);
                    var write = input.DryRunFlag ? null : ctx.AddTask(ImportColumns.Text("Import.Cli.Write"), maxValue: 1);
                    report = await importer.RunAsync(Actor.From(user), content, info.Name, input.DryRunFlag, (phase, done, total) =>
                    {
                        var task = phase == "write" ? write : check;
                        if (task is null) return;
                        task.MaxValue = Math.Max(1, total);
                        task.Value = done;
                        if (phase == "done") check.Value = check.MaxValue;
                    }, default);
                    check.Value = check.MaxValue;
                    if (write is not null) write.Value = write.MaxValue;
                });
        }
        catch (ImportFileException e)
        {
            AnsiConsole.MarkupLine($"[red]{Markup.Escape(e.Message)}[/] ({e.Code})");
            return false;
        }

        Print(report);
        if (input.ReportFlag is { Length: > 0 } path)
            await System.IO.File.WriteAllTextAsync(path, JsonSerializer.Serialize(report, new JsonSerializerOptions(Json.Options) { WriteIndented = true }));
        return true;
    }

    private static void Print(ImportReport r)
    {
        var c = r.Created;
        AnsiConsole.MarkupLine(Markup.Escape(ImportColumns.Format(r.DryRun ? "Import.Summary.DryRun" : "Import.Summary.Done",
            r.CaseRows, r.ReviewRows, r.Seconds)));
        var table = new Table().AddColumns(ImportColumns.Text("Import.Report.What"), ImportColumns.Text("Import.Report.Count"));
        table.AddRow(ImportColumns.Text("Import.Report.People"), c.People.ToString("N0", CultureInfo.CurrentCulture));
        table.AddRow(ImportColumns.Text("Import.Report.PeopleMatched"), c.PeopleMatched.ToString("N0", CultureInfo.CurrentCulture));
        table.AddRow(ImportColumns.Text("Import.Report.Cases"), c.Cases.ToString("N0", CultureInfo.CurrentCulture));
        table.AddRow(ImportColumns.Text("Import.Report.Assignments"), c.Assignments.ToString("N0", CultureInfo.CurrentCulture));
        table.AddRow(ImportColumns.Text("Import.Report.Reviews"), c.Reviews.ToString("N0", CultureInfo.CurrentCulture));
        table.AddRow(ImportColumns.Text("Import.Report.Skipped"), r.RowsSkipped.ToString("N0", CultureInfo.CurrentCulture));
        table.AddRow(ImportColumns.Text("Import.Report.RowsWithProblems"), r.RowsWithProblems.ToString("N0", CultureInfo.CurrentCulture));
        AnsiConsole.Write(table);
        foreach (var p in r.Problems.Take(200)) AnsiConsole.MarkupLine($"[yellow]{Markup.Escape(p.Text)}[/]");
        if (r.Problems.Count > 200) AnsiConsole.MarkupLine(Markup.Escape(ImportColumns.Format("Import.Cli.More", r.Problems.Count - 200)));
        AnsiConsole.MarkupLine($"[grey]SHA-256 {r.FileSha256}[/]");
    }
}
