using ImTools;
using JasperFx;
using JasperFx.Descriptors;
using Marten;
using Marten.Schema;
using Marten.Storage;
using Npgsql;
using Weasel.Core.Migrations;
using Weasel.Postgresql;

namespace CaseTracking.Provinces;

/// <summary>
/// Marten's database-per-tenant support, with the province registry as its map (ADR 0007). A province is a Marten
/// tenant. The shared database holds every province the registry does not place elsewhere (conjoined, as before), the
/// users of those provinces, the national administrators and the registry itself; a province registered with a
/// connection string lives alone in that database. Modelled on Marten's own <see cref="StaticMultiTenancy"/> (several
/// tenants in one database, a tenant in its own) and <see cref="MasterTableTenancy"/> (tenants added at run time from a
/// table): neither alone does both. Marten's daemon asks <see cref="BuildDatabases"/> again at every leadership poll, so
/// a province added at run time gets its projections without a restart.
/// </summary>
public sealed class ProvinceTenancy : ITenancy, ITenancyWithMasterDatabase, IAsyncDisposable
{
    public const string DatabasePrefix = "province-";

    /// <summary>How health, the CLI and the metrics name the shared database; a province's own is "province-CODE".</summary>
    public const string SharedLabel = "shared";

    private readonly StoreOptions _options;
    private readonly MartenDatabase _shared;
    private readonly ProvinceRegistry _registry;
    private readonly object _lock = new();
    private ImHashMap<string, OwnDatabase> _own = ImHashMap<string, OwnDatabase>.Empty;
    private ImHashMap<string, Tenant> _tenants = ImHashMap<string, Tenant>.Empty;

    private readonly int _maxPoolSize;

    /// <param name="maxPoolSize">Each database's connection pool (CaseTracking:MaxPoolSize), a province's own as well.</param>
    public ProvinceTenancy(StoreOptions options, string sharedConnectionString, string schema, int maxPoolSize)
    {
        _options = options;
        _maxPoolSize = maxPoolSize;
        _shared = new MartenDatabase(options, NpgsqlDataSource.Create(sharedConnectionString), options.StoreName);
        _registry = new ProvinceRegistry(_shared.DataSource, schema);
        Default = new Tenant(StorageConstants.DefaultTenantId, _shared);
        Cleaner = new CompositeDocumentCleaner(this, options);
    }

    public ProvinceRegistry Registry => _registry;

    /// <summary>"shared", or "province-CODE" for a province's own database.</summary>
    public string LabelOf(IMartenDatabase database)
    {
        if (ReferenceEquals(database, _shared)) return SharedLabel;
        foreach (var entry in _own.Enumerate())
            if (ReferenceEquals(entry.Value.Database, database)) return DatabasePrefix + entry.Key;
        return database.Id.Identity;
    }

    /// <summary>
    /// The label of the database the daemon names in a shard's state (its identifier or its <c>Id.Identity</c>): null
    /// and the shared database's names are "shared"; a database no longer in the registry keeps its own name.
    /// </summary>
    public string LabelOf(string? databaseName)
    {
        if (databaseName is null || databaseName == _options.StoreName || databaseName == _shared.Id.Identity) return SharedLabel;
        foreach (var entry in _own.Enumerate())
            if (databaseName == DatabasePrefix + entry.Key || databaseName == entry.Value.Database.Id.Identity) return DatabasePrefix + entry.Key;
        return databaseName;
    }

    public MartenDatabase Shared => _shared;

    public Tenant Default { get; }

    public IDocumentCleaner Cleaner { get; }

    /// <summary>Wolverine keeps its node and envelope tables in this one (the shared database).</summary>
    public PostgresqlDatabase TenantDatabase => _shared;

    public DatabaseCardinality Cardinality => DatabaseCardinality.DynamicMultiple;

    public Tenant GetTenant(string tenantId) =>
        _tenants.TryFind(tenantId, out var tenant) ? tenant : GetTenantAsync(tenantId).AsTask().GetAwaiter().GetResult();

    public async ValueTask<Tenant> GetTenantAsync(string tenantId)
    {
        if (_tenants.TryFind(tenantId, out var known)) return known;
        var province = await _registry.FindAsync(tenantId, CancellationToken.None).ConfigureAwait(false);
        return Place(tenantId, province?.ConnectionString);
    }

    public async ValueTask<IMartenDatabase> FindOrCreateDatabase(string tenantIdOrDatabaseIdentifier)
    {
        if (tenantIdOrDatabaseIdentifier == _shared.Identifier) return _shared;
        if (tenantIdOrDatabaseIdentifier.StartsWith(DatabasePrefix, StringComparison.Ordinal)
            && _own.TryFind(tenantIdOrDatabaseIdentifier[DatabasePrefix.Length..], out var byId)) return byId.Database;
        return (await GetTenantAsync(tenantIdOrDatabaseIdentifier).ConfigureAwait(false)).Database;
    }

    public async ValueTask<IMartenDatabase> FindDatabase(DatabaseId id)
    {
        foreach (var database in await BuildDatabases().ConfigureAwait(false))
            if (database is IMartenDatabase marten && marten.Id == id) return marten;
        throw new ArgumentOutOfRangeException(nameof(id), $"No database {id.Identity} in the province registry");
    }

    public bool IsTenantStoredInCurrentDatabase(IMartenDatabase database, string tenantId) =>
        ReferenceEquals(GetTenant(tenantId).Database, database);

    /// <summary>The shared database and one per province on its own, as the registry says now.</summary>
    public async ValueTask<IReadOnlyList<IDatabase>> BuildDatabases()
    {
        foreach (var province in await _registry.AllAsync(CancellationToken.None).ConfigureAwait(false))
            Place(province.Code, province.ConnectionString);
        return [_shared, .. _own.Enumerate().Select(x => x.Value.Database)];
    }

    /// <summary>
    /// Where a province lives now, read again from the registry: a node calls it when PostgreSQL tells it the registry
    /// row changed (<c>province move</c>, <see cref="Access.UserChangeFeed"/>), so a moved province is served from its new
    /// place without a restart. Sessions opened before keep the database they opened on.
    /// </summary>
    public async Task ReloadAsync(string code, CancellationToken ct)
    {
        var province = await _registry.FindAsync(code, ct).ConfigureAwait(false);
        Place(code, province?.ConnectionString);
    }

    /// <summary>
    /// Where a province lives: its own database when the registry gives one, else the shared one. A registry row whose
    /// connection string changed (a move) replaces the province's database; the old one is left to the collector rather
    /// than disposed, as a session or the daemon may still be using it.
    /// </summary>
    private Tenant Place(string code, string? connectionString)
    {
        lock (_lock)
        {
            if (string.IsNullOrEmpty(connectionString))
            {
                if (_own.TryFind(code, out _)) _own = _own.Remove(code);
                if (_tenants.TryFind(code, out var known) && ReferenceEquals(known.Database, _shared)) return known;
                return Cache(new Tenant(code, _shared));
            }

            if (!_own.TryFind(code, out var own) || own.ConnectionString != connectionString)
            {
                var pooled = new NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = _maxPoolSize }.ConnectionString;
                var database = new MartenDatabase(_options, NpgsqlDataSource.Create(pooled), DatabasePrefix + code);
                if (!database.TenantIds.Contains(code)) database.TenantIds.Add(code);
                own = new OwnDatabase(connectionString, database);
                _own = _own.AddOrUpdate(code, own);
            }

            return _tenants.TryFind(code, out var tenant) && ReferenceEquals(tenant.Database, own.Database)
                ? tenant
                : Cache(new Tenant(code, own.Database));
        }
    }

    private sealed record OwnDatabase(string ConnectionString, MartenDatabase Database);

    private Tenant Cache(Tenant tenant)
    {
        _tenants = _tenants.AddOrUpdate(tenant.TenantId, tenant);
        return tenant;
    }

    public async ValueTask<DatabaseUsage> DescribeDatabasesAsync(CancellationToken token)
    {
        var databases = await BuildDatabases().ConfigureAwait(false);
        var descriptors = databases.OfType<MartenDatabase>().Select(d => d.Describe()).ToList();
        return new DatabaseUsage { Cardinality = Cardinality, Databases = descriptors };
    }

    public void Dispose()
    {
        foreach (var entry in _own.Enumerate()) entry.Value.Database.Dispose();
        _shared.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var entry in _own.Enumerate()) await entry.Value.Database.DisposeAsync().ConfigureAwait(false);
        await _shared.DisposeAsync().ConfigureAwait(false);
    }
}
