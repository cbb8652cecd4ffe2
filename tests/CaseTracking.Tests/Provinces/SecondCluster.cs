using System.Diagnostics;
using CaseTracking.Tests.Infrastructure;
using Npgsql;

namespace CaseTracking.Tests.Provinces;

/// <summary>
/// A second PostgreSQL cluster on loopback (port 55434, fsync off), started and stopped through ops/pg like the test
/// cluster: the "province on its own server" of the tests. If it cannot start, the tests that need it fail saying why.
/// </summary>
public static class SecondCluster
{
    public const string Port = "55434";
    public const string Database = "casetracking_provinces";

    public static (string ConnectionString, bool StartedHere) Start()
    {
        var wasRunning = Run("status").ExitCode == 0;
        var (code, output, error) = Run("start");
        if (code != 0) throw new InvalidOperationException($"The second PostgreSQL cluster (ops/pg on port {Port}) did not start: {error}");
        return (output.Trim().Split('\n').Last(), !wasRunning);
    }

    public static void Stop() => Run("stop");

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

    public static async Task<T> ScalarAsync<T>(string connectionString, string sql, params (string Name, object Value)[] parameters)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }
}

/// <summary>The app with the second cluster running beside the shared database; its schema there is dropped afterwards.</summary>
public sealed class TwoClusterFixture : AppFixture
{
    public string SecondDatabase { get; private set; } = "";
    private bool _startedHere;
    private readonly SemaphoreSlim _once = new(1, 1);
    private object? _shared;

    /// <summary>Test data built once for the collection: a database serves one province only, so the provinces are made once.</summary>
    public async Task<T> OnceAsync<T>(Func<Task<T>> build) where T : class
    {
        await _once.WaitAsync();
        try
        {
            return (T)(_shared ??= await build());
        }
        finally
        {
            _once.Release();
        }
    }

    public override async Task InitializeAsync()
    {
        (SecondDatabase, _startedHere) = SecondCluster.Start();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await using (var conn = new NpgsqlConnection(SecondDatabase))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"drop schema if exists \"{Schema}\" cascade", conn);
            await cmd.ExecuteNonQueryAsync();
        }

        NpgsqlConnection.ClearAllPools();
        if (_startedHere) SecondCluster.Stop();
    }
}

[CollectionDefinition(Name)]
public sealed class TwoClusterCollection : ICollectionFixture<TwoClusterFixture>
{
    public const string Name = "two clusters";
}
