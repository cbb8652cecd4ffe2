using System.Diagnostics;
using CaseTracking.Tests.Infrastructure;
using Npgsql;

namespace CaseTracking.Tests.Provinces;

/// <summary>
/// A second PostgreSQL cluster on loopback (port 55434, fsync off), started through ops/pg like the test cluster: the
/// "province on its own server" of the tests. If it cannot start, the tests that need it fail saying why. No test stops
/// it: the test projects run side by side, and a fixture that stopped "its" cluster cut the others' connections (a clean
/// clone's run: five province tests answered "Failed to connect to 127.0.0.1:55434"). ops/test stops it at the end.
/// </summary>
public static class SecondCluster
{
    public const string Port = "55434";
    public const string Database = "casetracking_provinces";

    public static string Start()
    {
        var (code, output, error) = Run("start");
        if (code != 0) throw new InvalidOperationException($"The second PostgreSQL cluster (ops/pg on port {Port}) did not start: {error}");
        return output.Trim().Split('\n').Last();
    }

    private static (int ExitCode, string Output, string Error) Run(string verb)
    {
        var start = new ProcessStartInfo(Path.Combine(TestDatabase.FindRepositoryRoot(), "ops", "pg"), verb)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["CASETRACKING_PGPORT"] = Port, ["CASETRACKING_PGFAST"] = "1", ["CASETRACKING_DB"] = Database }
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, error);
    }

    /// <summary>A new, empty database on the second cluster owned by the app's role, as an operator makes one for a province.</summary>
    public static async Task<string> CreateDatabaseAsync(string clusterConnection, string name)
    {
        await using (var conn = new NpgsqlConnection(clusterConnection))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"create database \"{name}\"", conn);
            await cmd.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(clusterConnection) { Database = name }.ConnectionString;
    }

    public static async Task DropDatabaseAsync(string clusterConnection, string name)
    {
        NpgsqlConnection.ClearAllPools();
        await using var conn = new NpgsqlConnection(clusterConnection);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"drop database if exists \"{name}\" with (force)", conn);
        await cmd.ExecuteNonQueryAsync();
    }

    public static async Task<T> ScalarAsync<T>(string connectionString, string sql, params (string Name, object Value)[] parameters)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }
}
