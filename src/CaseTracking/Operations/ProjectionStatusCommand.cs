using CaseTracking.Health;
using JasperFx.CommandLine;
using Spectre.Console;

namespace CaseTracking.Operations;

/// <summary>
/// <c>projection-status</c>: each async projection shard's position, the high-water mark, lag, state and its last
/// failure with the event, in every database of the store (the shared one and each province's own). (JasperFx already owns the verb <c>projections</c>: run and rebuild.)
/// </summary>
[Description("Show each async projection's position, lag, state and last error in every database; exits non-zero when one is stuck, stalled or unreachable",
    Name = "projection-status")]
public class ProjectionStatusCommand : JasperFxAsyncCommand<NetCoreInput>
{
    public override async Task<bool> Execute(NetCoreInput input)
    {
        using var host = input.BuildHost();
        var shards = await host.Services.GetRequiredService<ProjectionWatch>().ReadAsync(withLastFailure: true, default);
        Write(AnsiConsole.Console, shards);
        return shards.All(s => s.State == ProjectionState.Running);
    }

    public static void Write(IAnsiConsole console, IReadOnlyList<ShardReport> shards)
    {
        var table = new Table().AddColumns("database", "shard", "position", "high water", "lag", "state", "last error");
        table.Columns[0].NoWrap();
        table.Columns[1].NoWrap();
        table.Columns[2].RightAligned();
        table.Columns[3].RightAligned();
        table.Columns[4].RightAligned();
        foreach (var s in shards)
        {
            var state = s.State switch
            {
                ProjectionState.Stuck => "[red]stuck[/]",
                ProjectionState.Stalled => "[yellow]stalled[/]",
                ProjectionState.Unreachable => "[red]unreachable[/]",
                _ => "[green]running[/]"
            };
            table.AddRow(Markup.Escape(s.Database), Markup.Escape(s.Name), $"{s.Position:N0}", $"{s.HighWaterMark:N0}", $"{s.Lag:N0}", state,
                s.LastFailure is { } f ? Describe(f) : "[grey]none[/]");
        }

        console.Write(table);
        foreach (var s in shards.Where(s => s.State == ProjectionState.Stuck))
            console.MarkupLine($"[red]{Markup.Escape(s.Name)} ({Markup.Escape(s.Database)}) is stuck at {Markup.Escape(s.OpenFailure!.EventText)}.[/] See docs/operations.md, \"A projection is stuck\".");
    }

    private static string Describe(ProjectionFailure f)
    {
        var where = string.Join(", ", new[]
        {
            f.StreamId is { } id ? $"stream {id}" : null,
            f.TenantId is { } tenant ? $"tenant {tenant}" : null
        }.OfType<string>());
        var lines = new List<string>
        {
            $"{f.EventText}{(where.Length > 0 ? $", {where}" : "")}",
            $"{f.ErrorType}: {f.Error}",
            $"{f.Attempts} attempt(s), {f.FirstFailedAt:u} … {f.LastFailedAt:u}"
        };
        if (f.ResolvedAt is { } resolved) lines.Add($"resolved {resolved:u}{(f.ResolvedAtPosition is { } p ? $" at position {p:N0}" : "")}");
        var text = Markup.Escape(string.Join("\n", lines));
        return f.ResolvedAt is null ? $"[red]{text}[/]" : $"[grey]{text}[/]";
    }
}
