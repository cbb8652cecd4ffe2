using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Marten;
using Npgsql;

namespace CaseTracking.Auditing;

public sealed record StreamHead(long Version, string Hash);

/// <summary>
/// The heads of every stream of a province at the end of a day, and their digest. The digest is printed
/// so an auditor can keep it elsewhere: if events are later deleted or rewritten (even with the chain
/// recomputed), the stored events no longer match the heads, and a doctored seal no longer matches the digest.
/// </summary>
public sealed class Seal
{
    /// <summary>The day, yyyy-MM-dd.</summary>
    public string Id { get; set; } = "";
    public DateOnly Day { get; set; }
    public DateTimeOffset SealedAt { get; set; }
    public int Streams { get; set; }
    public long Events { get; set; }
    public string Digest { get; set; } = "";
    public Dictionary<Guid, StreamHead> Heads { get; set; } = [];

    /// <summary>The heads of the chained document logs (access log, retention runs) that day; absent in older seals.</summary>
    public Dictionary<string, StreamHead> Chains { get; set; } = [];

    /// <summary>A seal without chain heads keeps the digest it was printed with.</summary>
    public static string DigestOf(IReadOnlyDictionary<Guid, StreamHead> heads, IReadOnlyDictionary<string, StreamHead>? chains = null)
    {
        var text = new StringBuilder();
        foreach (var (id, head) in heads.OrderBy(h => h.Key))
            text.Append(CultureInfo.InvariantCulture, $"{id:N}:{head.Version}:{head.Hash}\n");
        foreach (var (name, head) in (chains ?? new Dictionary<string, StreamHead>()).OrderBy(h => h.Key, StringComparer.Ordinal))
            text.Append(CultureInfo.InvariantCulture, $"chain:{name}:{head.Version}:{head.Hash}\n");
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()))).ToLowerInvariant();
    }

    public string DigestOfContent() => DigestOf(Heads, Chains);
}

public sealed record SealCheck(bool Valid, string Day, string Digest, bool DigestMatches, IReadOnlyList<string> Problems);

public sealed class Seals(IDocumentStore store, Provinces.ProvinceDatabases databases, TimeProvider time, DocumentChain documents,
    SealFile file)
{
    private string Schema => store.Options.Events.DatabaseSchemaName;

    /// <summary>Heads as of the end of <paramref name="day"/> (UTC): the last event of each stream recorded by then.</summary>
    private async Task<Dictionary<Guid, StreamHead>> HeadsAsync(string tenant, DateOnly? asOfEndOf, CancellationToken ct)
    {
        await using var conn = await databases.OpenAsync(tenant, ct);
        var sql = $"""
            select distinct on (stream_id) stream_id, version, headers ->> 'hash'
              from {Schema}.mt_events
             where tenant_id = @tenant {(asOfEndOf is null ? "" : "and timestamp < @until")}
             order by stream_id, version desc
            """;
        await using var cmd = new NpgsqlCommand(sql, conn) { CommandTimeout = 0 };
        cmd.Parameters.AddWithValue("tenant", tenant);
        if (asOfEndOf is { } day) cmd.Parameters.AddWithValue("until", new DateTimeOffset(day.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero));
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var heads = new Dictionary<Guid, StreamHead>();
        while (await reader.ReadAsync(ct))
            heads[reader.GetGuid(0)] = new StreamHead(reader.GetInt64(1), reader.IsDBNull(2) ? "" : reader.GetString(2));
        return heads;
    }

    public async Task<Seal> SealAsync(string tenant, DateOnly? day, CancellationToken ct)
    {
        var sealDay = day ?? DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var heads = await HeadsAsync(tenant, sealDay, ct);
        var until = new DateTimeOffset(sealDay.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var chains = new Dictionary<string, StreamHead>();
        foreach (var chain in DocumentChain.Chains.Keys)
            if (await documents.HeadAsync(chain, tenant, until, ct) is { } head) chains[chain] = head;
        var seal = new Seal
        {
            Id = sealDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), Day = sealDay, SealedAt = time.GetUtcNow(),
            Streams = heads.Count, Events = heads.Values.Sum(h => h.Version), Digest = Seal.DigestOf(heads, chains), Heads = heads,
            Chains = chains
        };
        await using var session = store.LightweightSession(tenant);
        session.Store(seal);
        await session.SaveChangesAsync(ct);
        // The digest also leaves the database (DESIGN §5): one line in an append-only file.
        await file.AppendAsync(tenant, seal, ct);
        return seal;
    }

    /// <summary>
    /// Every sealed head must still be there with the same hash. Combined with the chain check, this
    /// detects events deleted or rewritten after the seal even when the attacker recomputed the chain.
    /// </summary>
    public async Task<SealCheck> CheckAsync(string tenant, DateOnly day, CancellationToken ct)
    {
        await using var session = store.QuerySession(tenant);
        var seal = await session.LoadAsync<Seal>(day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), ct);
        if (seal is null) return new SealCheck(false, day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), "", false, ["no seal for that day"]);
        var problems = new List<string>();
        var digestMatches = seal.DigestOfContent() == seal.Digest;
        if (!digestMatches) problems.Add("the seal document itself was altered: its heads no longer give its digest");

        await using var conn = await databases.OpenAsync(tenant, ct);
        await using var cmd = new NpgsqlCommand(
            $"select stream_id, version, headers ->> 'hash' from {Schema}.mt_events where tenant_id = @tenant and stream_id = any(@ids)", conn)
        { CommandTimeout = 0 };
        cmd.Parameters.AddWithValue("tenant", tenant);
        cmd.Parameters.AddWithValue("ids", seal.Heads.Keys.ToArray());
        var found = new Dictionary<(Guid, long), string>();
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) found[(reader.GetGuid(0), reader.GetInt64(1))] = reader.IsDBNull(2) ? "" : reader.GetString(2);

        foreach (var (id, head) in seal.Heads)
        {
            if (!found.TryGetValue((id, head.Version), out var hash)) problems.Add($"stream {id}: sealed event version {head.Version} is missing");
            else if (hash != head.Hash) problems.Add($"stream {id}: event version {head.Version} differs from the sealed one");
        }

        foreach (var (chain, head) in seal.Chains)
        {
            var hash = await documents.HashAtAsync(chain, tenant, head.Version, ct);
            if (hash is null) problems.Add($"{chain} log: sealed entry {head.Version} is missing");
            else if (hash != head.Hash) problems.Add($"{chain} log: entry {head.Version} differs from the sealed one");
        }

        return new SealCheck(problems.Count == 0, seal.Id, seal.Digest, digestMatches, problems);
    }
}

/// <summary>The daily seal as a scheduled job of the app (CaseTracking:SealDaily, default on): once a day, for yesterday.</summary>
public sealed class DailySealService(Seals seals, IDocumentStore store, Provinces.ProvinceDatabases databases, TimeProvider time, IConfiguration configuration,
    ILogger<DailySealService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!configuration.GetValue("CaseTracking:SealDaily", true)) return;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var yesterday = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime).AddDays(-1);
                // Every province, in whichever database it lives.
                var tenants = await databases.ProvincesWithStreamsAsync(stoppingToken);
                foreach (var tenant in tenants)
                {
                    await using var tenantSession = store.QuerySession(tenant);
                    if (await tenantSession.LoadAsync<Seal>(yesterday.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), stoppingToken) is not null) continue;
                    var seal = await seals.SealAsync(tenant, yesterday, stoppingToken);
                    logger.LogInformation("Sealed {Tenant} for {Day}: {Streams} streams, digest {Digest}", tenant, seal.Id, seal.Streams, seal.Digest);
                }
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                logger.LogWarning(e, "Daily seal skipped: database unreachable");
            }

            await Task.Delay(TimeSpan.FromHours(1), time, stoppingToken);
        }
    }
}
