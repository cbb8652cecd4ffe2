using CaseTracking.Infrastructure;
using CaseTracking.Provinces;
using JasperFx.CommandLine;
using Marten;
using Spectre.Console;

namespace CaseTracking.Operations;

public enum ProvinceAction { add, list, move }

public class ProvinceInput : NetCoreInput
{
    [Description("add: a new province with its first admin; list: the registry; move: point a province at another database")]
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

[Description("Provinces: `province add CODE NAME [--database CONNECTION]`, `province list`, `province move CODE --database CONNECTION`")]
public class ProvinceCommand : JasperFxAsyncCommand<ProvinceInput>
{
    public ProvinceCommand()
    {
        Usage("List the provinces").Arguments(x => x.Action);
        Usage("Add or move a province").Arguments(x => x.Action, x => x.Code);
        Usage("Add a province").Arguments(x => x.Action, x => x.Code, x => x.Name);
    }

    public override async Task<bool> Execute(ProvinceInput input)
    {
        using var host = input.BuildHost();
        var store = host.Services.GetRequiredService<IDocumentStore>();
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
                var target = input.DatabaseFlag is null ? null : ProvinceConnection.Parse(input.DatabaseFlag);
                if (input.DatabaseFlag is not null && target is null)
                {
                    Console.Error.WriteLine("--database: not a PostgreSQL connection string with Host and Database.");
                    return false;
                }

                var tenancy = (ProvinceTenancy)store.Options.Tenancy;
                if (!await tenancy.Registry.MoveAsync(input.Code, target?.ConnectionString, default))
                {
                    Console.Error.WriteLine($"No province {input.Code} in the registry.");
                    return false;
                }

                AnsiConsole.MarkupLine($"Province [bold]{input.Code}[/] now points at {(target is null ? "the shared database" : ProvinceConnection.Place(target))}. " +
                                       "Restart every app node, then run db-apply and rebuild (docs/operations.md, Scale-out).");
                return true;
        }

        return false;
    }
}
