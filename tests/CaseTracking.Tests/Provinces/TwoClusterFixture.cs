using CaseTracking.Tests.Infrastructure;
using Npgsql;

namespace CaseTracking.Tests.Provinces;

/// <summary>The app with the second cluster running beside the shared database; its schema there is dropped afterwards.</summary>
public sealed class TwoClusterFixture : AppFixture
{
    public string SecondDatabase { get; private set; } = "";
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
        SecondDatabase = SecondCluster.Start();
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
    }
}

[CollectionDefinition(Name)]
public sealed class TwoClusterCollection : ICollectionFixture<TwoClusterFixture>
{
    public const string Name = "two clusters";
}
