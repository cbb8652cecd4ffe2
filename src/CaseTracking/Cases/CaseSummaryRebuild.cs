using System.Threading.Channels;
using JasperFx.Events;
using Marten;
using Marten.Storage;
using NpgsqlTypes;

namespace CaseTracking.Cases;

/// <summary>
/// <see cref="CaseSummary"/> rows written in bulk by binary COPY, each with its revision (the stream's version) in the
/// same row, as Marten's inline upsert writes it. Marten's own bulk insert writes revision 1, which then cost an update
/// of every row: at 100,000 cases a second full write of the table and its eight indexes. The seeder and the summaries'
/// rebuild write through here; a test compares every column with what Marten's own rebuild writes for the same events.
/// </summary>
public static class CaseSummaryCopy
{
    private static readonly string DotnetType = typeof(CaseSummary).FullName!;

    /// <summary>The summaries' table, qualified, as Marten maps the document.</summary>
    public static string Table(IDocumentStore store) =>
        store.Options.FindOrResolveDocumentType(typeof(CaseSummary)).TableName.QualifiedName;

    public static async Task CopyAsync(IDocumentStore store, Npgsql.NpgsqlConnection conn, string tenant, IReadOnlyCollection<CaseSummary> summaries, CancellationToken ct)
    {
        var serializer = store.Options.Serializer();
        // status and kind are Marten's duplicated fields (CasesModule), stored as the enum's name (EnumStorage.AsString).
        await using var copy = await conn.BeginBinaryImportAsync(
            $"copy {Table(store)} (tenant_id, id, data, mt_dotnet_type, mt_version, status, kind) from stdin (format binary)", ct);
        foreach (var s in summaries)
        {
            await copy.StartRowAsync(ct);
            await copy.WriteAsync(tenant, NpgsqlDbType.Varchar, ct);
            await copy.WriteAsync(s.Id, NpgsqlDbType.Uuid, ct);
            await copy.WriteAsync(serializer.ToJson(s), NpgsqlDbType.Jsonb, ct);
            await copy.WriteAsync(DotnetType, NpgsqlDbType.Varchar, ct);
            await copy.WriteAsync(s.Version, NpgsqlDbType.Bigint, ct);
            await copy.WriteAsync(s.Status.ToString(), NpgsqlDbType.Varchar, ct);
            await copy.WriteAsync(s.Kind.ToString(), NpgsqlDbType.Varchar, ct);
        }

        await copy.CompleteAsync(ct);
    }
}

/// <summary>
/// The case summaries rebuilt from the events of one database as a batch job: each case's events read stream by
/// stream, folded by Marten's own aggregator for <see cref="CaseSummary"/> (the Apply methods the inline projection
/// runs on every append, so there is one fold), and written by COPY. Marten's daemon rebuilds a snapshot projection
/// page by page through the log, one upsert per summary per page, at ≈ 40 µs of the machine's two cores an event:
/// the longest of the rebuild's projections (docs/performance.md, issue 20). Runs with the app stopped, like every
/// rebuild (docs/operations.md); the table is emptied first.
/// </summary>
public sealed class CaseSummaryRebuild(IDocumentStore store, int batchStreams = CaseSummaryRebuild.BatchStreams)
{
    /// <summary>Streams read, folded and copied together (a test passes fewer to have many batches).</summary>
    public const int BatchStreams = 1_000;

    /// <summary>Batches worked on at once: one folds in the app while PostgreSQL reads or copies the other's.</summary>
    public const int Workers = 2;

    /// <summary>A batch job's statements, not a request's (at 100,000 cases the final analyse alone takes seconds).</summary>
    private const int TimeoutSeconds = 900;

    /// <summary>Rebuilds every summary of <paramref name="database"/>; returns the events folded.</summary>
    public async Task<long> RebuildAsync(IMartenDatabase database, Action<long>? progress, CancellationToken ct)
    {
        var table = CaseSummaryCopy.Table(store);
        var streams = new List<(string Tenant, Guid Id)>();
        await using (var conn = await Provinces.ProvinceDatabases.OpenAsync(database, ct))
        {
            await using (var truncate = new Npgsql.NpgsqlCommand($"truncate {table}", conn))
                await truncate.ExecuteNonQueryAsync(ct);
            // In id order, so that a batch's events come out of the (stream, version) index close together.
            await using var cmd = new Npgsql.NpgsqlCommand(
                $"select tenant_id, id from {store.Options.Events.DatabaseSchemaName}.mt_streams order by tenant_id, id", conn) { CommandTimeout = TimeoutSeconds };
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) streams.Add((reader.GetString(0), reader.GetGuid(1)));
        }

        var aggregator = ((StoreOptions)store.Options).Projections.AggregatorFor<CaseSummary>();
        var batches = Channel.CreateUnbounded<(string Tenant, Guid[] Ids)>();
        foreach (var tenant in streams.GroupBy(s => s.Tenant))
            foreach (var chunk in tenant.Select(s => s.Id).Chunk(batchStreams))
                batches.Writer.TryWrite((tenant.Key, chunk));
        batches.Writer.Complete();

        long events = 0;
        // The first failure (a case written meanwhile: duplicate key; the database gone) stops the other worker too.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var workers = Enumerable.Range(0, Workers).Select(_ => Task.Run(async () =>
        {
            try
            {
                await CopyBatchesAsync(stop.Token);
            }
            catch
            {
                await stop.CancelAsync();
                throw;
            }
        }, stop.Token)).ToArray();
        try
        {
            await Task.WhenAll(workers);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested
                                                 && workers.FirstOrDefault(w => w.IsFaulted && w.Exception!.InnerException is not OperationCanceledException) is { } failed)
        {
            // The cancelled worker's exception came first; the cause is the other's.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failed.Exception!.InnerException!);
        }

        await using (var conn = await Provinces.ProvinceDatabases.OpenAsync(database, ct))
        await using (var analyse = new Npgsql.NpgsqlCommand($"analyze {table}", conn) { CommandTimeout = TimeoutSeconds })
            await analyse.ExecuteNonQueryAsync(ct);
        return events;

        async Task CopyBatchesAsync(CancellationToken ct)
        {
            await foreach (var (tenant, ids) in batches.Reader.ReadAllAsync(ct))
            {
                // This database's events, even for a province whose registry entry already points elsewhere (between a
                // move and its cleanup the old copy is still here, and it is this database's table being rebuilt).
                var options = Marten.Services.SessionOptions.ForDatabase(tenant, database);
                options.Timeout = TimeoutSeconds;
                await using var session = store.QuerySession(options);
                var log = await session.Events.QueryAllRawEvents()
                    .Where(e => e.StreamId.IsOneOf(ids))
                    .OrderBy(e => e.StreamId).ThenBy(e => e.Version)
                    .ToListAsync(ct);
                var summaries = new List<CaseSummary>(ids.Length);
                foreach (var stream in log.GroupBy(e => e.StreamId))
                {
                    var history = stream.ToList();
                    var summary = await aggregator.BuildAsync(history, session, null, ct);
                    // A stream that never opened a case folds to nothing, as it does inline.
                    if (summary is null) continue;
                    summary.Version = history[^1].Version;
                    summaries.Add(summary);
                }

                await using var conn = await Provinces.ProvinceDatabases.OpenAsync(database, ct);
                await CaseSummaryCopy.CopyAsync(store, conn, tenant, summaries, ct);
                var folded = Interlocked.Add(ref events, log.Count);
                progress?.Invoke(folded);
            }
        }
    }
}
