using System.Diagnostics;
using Npgsql;

namespace CaseTracking.Tests.Infrastructure;

/// <summary>
/// The one PostgreSQL cluster every test class shares. ops/test exports ConnectionStrings__Marten;
/// a bare `dotnet test` starts the private test cluster itself through ops/pg.
/// </summary>
public static class TestDatabase
{
    private static readonly Lazy<string> Connection = new(Resolve);

    public static string ConnectionString => Connection.Value;

    private static string Resolve()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("ConnectionStrings__Marten");
        if (!string.IsNullOrWhiteSpace(fromEnvironment)) return fromEnvironment;

        var root = FindRepositoryRoot();
        var start = new ProcessStartInfo(Path.Combine(root, "ops", "pg"), "start")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["CASETRACKING_PGPORT"] = "55433", ["CASETRACKING_PGFAST"] = "1" }
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"ops/pg start failed: {error}");
        return output.Trim().Split('\n').Last();
    }

    public static string FindRepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CaseTracking.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("CaseTracking.sln not found above the test folder");
    }

    public static async Task DropSchemaAsync(string schema)
    {
        await using var conn = new NpgsqlConnection(ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"drop schema if exists \"{schema}\" cascade", conn);
        await cmd.ExecuteNonQueryAsync();
    }
}
