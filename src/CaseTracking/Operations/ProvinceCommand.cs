using CaseTracking.Infrastructure;
using CaseTracking.Provinces;
using JasperFx.CommandLine;
using Spectre.Console;

namespace CaseTracking.Operations;

public enum ProvinceAction { add, list, move, cleanup }

public class ProvinceInput : NetCoreInput
{
    [Description("add: a new province with its first admin; list: the registry; move: copy a province into an empty database and serve it from there; cleanup: delete what a move left in the shared database")]
    public ProvinceAction Action { get; set; }

    [Description("Province code (tenant): lower case, e.g. hn")]
    public string Code { get; set; } = "";

    [Description("Province name, e.g. \"Hà Nội\" (add)")]
    public string Name { get; set; } = "";

    [Description("Its own PostgreSQL database (connection string); the shared database when omitted")]
    public string? DatabaseFlag { get; set; }

    [Description("User name of the province's first administrator (add), default admin-CODE")]
    public string? AdminFlag { get; set; }
}

[Description("Provinces: `province add CODE NAME [--database CONNECTION]`, `province list`, `province move CODE --database CONNECTION`, `province cleanup CODE`")]
public class ProvinceCommand : JasperFxAsyncCommand<ProvinceInput>
{
    public ProvinceCommand()
    {
        Usage("List the provinces").Arguments(x => x.Action);
        Usage("Add, move or clean up after a province").Arguments(x => x.Action, x => x.Code);
        Usage("Add a province").Arguments(x => x.Action, x => x.Code, x => x.Name);
    }

    public override async Task<bool> Execute(ProvinceInput input)
    {
        using var host = input.BuildHost();
        var provinces = host.Services.GetRequiredService<Provinces.Provinces>();
        switch (input.Action)
        {
            case ProvinceAction.list:
                var table = new Table().AddColumns("code", "name", "database", "added", "by");
                foreach (var p in await provinces.AllAsync(default))
                    table.AddRow(p.Code, Markup.Escape(p.Name), p.OnOwnDatabase ? "own" : "shared", p.CreatedAt.ToString("u"), Markup.Escape(p.CreatedBy));
                AnsiConsole.Write(table);
                return true;

            case ProvinceAction.add:
                var cmd = new AddProvince(input.Code, input.Name, input.DatabaseFlag, input.AdminFlag ?? $"admin-{input.Code}", null);
                var invalid = await new AddProvince.Validator().ValidateAsync(cmd);
                if (!invalid.IsValid)
                {
                    foreach (var e in invalid.Errors) Console.Error.WriteLine($"{e.PropertyName}: {e.ErrorMessage}");
                    return false;
                }

                var reply = await provinces.AddAsync(cmd, "cli:" + Environment.UserName, TimeProvider.System.GetUtcNow(), default);
                if (reply.Body is not ProvinceAdded added)
                {
                    foreach (var (field, messages) in reply.FieldErrors) Console.Error.WriteLine($"{field}: {string.Join(" ", messages)}");
                    return false;
                }

                AnsiConsole.MarkupLine($"Province [bold]{added.Code}[/] ({Markup.Escape(added.Name)}) added on {(added.OnOwnDatabase ? "its own database" : "the shared database")}.");
                // Printed once, on purpose: the admin must choose a new password at first sign-in.
                Console.WriteLine($"First administrator '{added.AdminUsername}' with one-time password: {added.OneTimePassword}");
                return true;

            case ProvinceAction.move:
                if (input.DatabaseFlag is null)
                {
                    Console.Error.WriteLine("--database: the connection string of the new, empty database is required.");
                    return false;
                }

                try
                {
                    var move = host.Services.GetRequiredService<ProvinceMove>();
                    var report = await move.MoveAsync(input.Code, input.DatabaseFlag, "cli:" + Environment.UserName, default);
                    foreach (var (t, rows) in report.Copied) Console.WriteLine($"  {t,-32} {rows,12:N0} rows");
                    AnsiConsole.MarkupLine($"Province [bold]{report.Code}[/] moved from {report.From} to {Markup.Escape(report.To)}: " +
                                           $"{report.Events:N0} events; writes waited {report.Copy.TotalSeconds:N1} s, {report.Total.TotalSeconds:N1} s in all. " +
                                           "Every node serves it from there now; the daemon builds its caseload and statistics there.");
                    var broken = (await move.VerifyAsync(input.Code, default)).Where(r => !r.Valid).ToList();
                    if (broken.Count > 0)
                    {
                        AnsiConsole.MarkupLine($"[red]{broken.Count} stream(s) do not verify in the new database.[/] Do not run cleanup: " +
                                               "the old rows are the reference; see docs/operations.md, \"Moving a province\".");
                        return false;
                    }

                    AnsiConsole.MarkupLine($"[green]Every stream verifies in the new database.[/] When the province works there, run `province cleanup {input.Code}`.");
                    return true;
                }
                catch (MoveRefusedException e)
                {
                    Console.Error.WriteLine(e.Message);
                    return false;
                }

            case ProvinceAction.cleanup:
                try
                {
                    var removed = await host.Services.GetRequiredService<ProvinceMove>().RemoveLeftoversAsync(input.Code, null, default);
                    foreach (var (t, rows) in removed.Where(r => r.Rows > 0)) Console.WriteLine($"  {t,-32} {rows,12:N0} rows deleted");
                    AnsiConsole.MarkupLine($"Nothing of province [bold]{input.Code}[/] is left in the shared database.");
                    return true;
                }
                catch (MoveRefusedException e)
                {
                    Console.Error.WriteLine(e.Message);
                    return false;
                }
        }

        return false;
    }
}
