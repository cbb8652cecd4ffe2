using CaseTracking.Auditing;
using CaseTracking.People;
using Marten;
using Marten.Storage;
using Npgsql;

namespace CaseTracking.Provinces;

/// <summary>
/// Plain SQL in a province's own database: the hash chain, the seals, retention and the like read and write rows Marten
/// does not model, and must do so where Marten keeps that province (<see cref="ProvinceTenancy"/>), never in another.
/// </summary>
public sealed class ProvinceDatabases(IDocumentStore store)
{
    /// <summary>An open connection to the database that holds <paramref name="tenant"/>.</summary>
    public async Task<NpgsqlConnection> OpenAsync(string tenant, CancellationToken ct)
    {
        var database = await store.Storage.FindOrCreateDatabase(tenant);
        var conn = database.CreateConnection();
        await conn.OpenAsync(ct);
        return conn;
    }

    /// <summary>An open connection to one database of the store.</summary>
    public static async Task<NpgsqlConnection> OpenAsync(IMartenDatabase database, CancellationToken ct)
    {
        var conn = database.CreateConnection();
        await conn.OpenAsync(ct);
        return conn;
    }

    public async Task<IReadOnlyList<IMartenDatabase>> AllAsync() => await store.Storage.AllDatabases();

    /// <summary>Every province that has at least one case stream, in whichever database it lives (seals, retention).</summary>
    public async Task<IReadOnlyList<string>> ProvincesWithStreamsAsync(CancellationToken ct)
    {
        var tenants = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var database in await AllAsync())
        {
            await using var conn = await OpenAsync(database, ct);
            await using var cmd = new NpgsqlCommand($"select distinct tenant_id from {store.Options.Events.DatabaseSchemaName}.mt_streams", conn);
            try
            {
                await using var reader = await cmd.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct)) tenants.Add(reader.GetString(0));
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
            {
                // A database added a moment ago, before its schema: no streams there yet.
            }
        }

        return [.. tenants];
    }
}

/// <summary>
/// What every database of the store needs beyond Marten's own tables: the hash-chain trigger and the chained documents
/// (Auditing), the people-search extensions and index (People), the user table's change trigger (Access/UserChangeFeed). Run at start for every database, by db-apply, and for a
/// province's new database when it is added at run time.
/// </summary>
public sealed class DatabaseSetup(IDocumentStore store, HashChain chain, PersonSearch search)
{
    /// <summary>Marten's schema, then our objects, in one database.</summary>
    public async Task PrepareAsync(IMartenDatabase database, CancellationToken ct)
    {
        await database.ApplyAllConfiguredChangesToDatabaseAsync(ct: ct);
        await chain.InstallAsync(database, ct);
        await search.InstallAsync(database, ct);
        await Access.UserChangeFeed.InstallAsync(database, store.Options.DatabaseSchemaName, ct);
    }

    /// <summary>Our objects in every database (Marten's start-up or db-apply has applied its schema first).</summary>
    public async Task InstallEverywhereAsync(CancellationToken ct)
    {
        foreach (var database in await store.Storage.AllDatabases())
        {
            await chain.InstallAsync(database, ct);
            await search.InstallAsync(database, ct);
            await Access.UserChangeFeed.InstallAsync(database, store.Options.DatabaseSchemaName, ct);
        }
    }
}

/// <summary>After Marten's own start-up work (schema in every database): our objects in every database.</summary>
public sealed class DatabaseSetupService(DatabaseSetup setup) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => setup.InstallEverywhereAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
