using System.Diagnostics;
using System.Threading.Channels;
using CaseTracking.Access;
using CaseTracking.Auditing;
using CaseTracking.Cases;
using JasperFx.Events;
using Marten;
using Weasel.Core;

namespace CaseTracking.Demo;

public sealed record SeedReport(bool Seeded, int Cases, long Events, TimeSpan Elapsed, IReadOnlyList<DemoAccount> Accounts)
{
    /// <summary>Where the load's time went (issue 20): the writers' time appending events, waiting for a batch, and the producer's waiting for a writer.</summary>
    public (TimeSpan EventsAppend, TimeSpan WritersIdle, TimeSpan ProducerBlocked) Spent { get; init; }

    public double EventsPerSecond => Elapsed.TotalSeconds > 0 ? Events / Elapsed.TotalSeconds : 0;
}

/// <summary>Writes a <see cref="DemoProvince"/> with COPY, in large batches (docs/performance.md).</summary>
public sealed class Seeder(IDocumentStore store, HashChain chain, SupervisionKinds kinds, CaseClock clock, AdminBootstrap admin, TimeProvider time)
{
    public const string Tenant = AdminBootstrap.DefaultTenant;

    /// <summary>Connections copying batches at once (the benchmark's COPY baseline uses as many).</summary>
    public const int Writers = 2;

    public async Task<bool> IsEmptyAsync(CancellationToken ct)
    {
        await using var session = store.QuerySession(Tenant);
        return !await session.Query<Ward>().AnyAsync(ct) && !await session.Query<CaseSummary>().AnyAsync(ct);
    }

    /// <summary>Schema, hash-chain trigger, administrator, upgrades of older read models: what every verb that writes needs first.</summary>
    public async Task PrepareAsync(CancellationToken ct)
    {
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        await chain.InstallAsync(ct);
        await admin.EnsureAdminAsync(ct);
        await Caseloads.CaseloadUpgrade.RunAsync(store, ct);
    }

    public async Task<SeedReport> SeedAsync(int cases, int seed, int wards, int batchSize, Action<int>? progress, CancellationToken ct,
        string tenant = Tenant)
    {
        await PrepareAsync(ct);
        var today = clock.Today;
        var province = new DemoProvince(seed, today, kinds, wards);
        var watch = Stopwatch.StartNew();

        await using (var session = store.LightweightSession(tenant))
        {
            session.InsertObjects(province.Wards);
            session.InsertObjects(province.Organisations);
            await session.SaveChangesAsync(ct);
        }

        // User names are the nation's (ADR 0007): only the demo province gets its accounts; the provinces of the national
        // benchmark (tests/CaseTracking.Benchmarks/National.cs) get wards, organisations and cases, and no one signs in.
        if (tenant == Tenant)
        {
            await using var session = store.LightweightSession();
            session.InsertObjects(province.Users);
            await session.SaveChangesAsync(ct);
        }

        // Events go in by COPY (Marten's bulk event insert; the hash-chain trigger still chains every row: a
        // set-based chain over each batch was measured no faster, ADR 0011),
        // and each case's summary is folded in memory by Marten's own aggregator for CaseSummary, then
        // bulk-copied with the people. Inline projections do not run on COPY, hence the fold here.
        var options = (StoreOptions)store.Options;
        var aggregator = options.Projections.AggregatorFor<CaseSummary>();
        await using var query = store.QuerySession(tenant);
        // PostgreSQL keeps microseconds: the folded summaries must carry the timestamp the events will have.
        var at = time.GetUtcNow();
        at = at.AddTicks(-(at.Ticks % 10));
        long events = 0;
        var done = 0;
        long eventsAppend = 0, writersIdle = 0, producerBlocked = 0;
        // One producer folds batches (deterministic order); two writers copy them, so PostgreSQL works on
        // both cores while the next batch is generated.
        var database = await store.Storage.FindOrCreateDatabase(tenant);
        var ready = Channel.CreateBounded<(DemoCase[] Cases, List<StreamAction> Streams, List<CaseSummary> Summaries)>(2);
        var writers = Enumerable.Range(0, Writers).Select(_ => Task.Run(async () =>
        {
            try
            {
                var idleFrom = Stopwatch.GetTimestamp();
                await foreach (var (batch, streams, summaries) in ready.Reader.ReadAllAsync(ct))
                {
                    var appendFrom = Stopwatch.GetTimestamp();
                    Interlocked.Add(ref writersIdle, appendFrom - idleFrom);
                    await store.BulkInsertEventsAsync(tenant, streams, 20_000, ct);
                    Interlocked.Add(ref eventsAppend, Stopwatch.GetTimestamp() - appendFrom);
                    await store.BulkInsertAsync(tenant, batch.Select(c => c.Person).ToList(), BulkInsertMode.InsertsOnly, 20_000, ct);
                    await using (var conn = await Provinces.ProvinceDatabases.OpenAsync(database, ct))
                        await CaseSummaryCopy.CopyAsync(store, conn, tenant, summaries, ct);
                    progress?.Invoke(Interlocked.Add(ref done, batch.Length));
                    idleFrom = Stopwatch.GetTimestamp();
                }
            }
            catch (Exception e)
            {
                // The producer stops at its next batch; the exception surfaces from WhenAll below.
                ready.Writer.TryComplete(e);
                throw;
            }
        }, ct)).ToArray();
        try
        {
            foreach (var batch in province.Cases(cases).Chunk(batchSize))
            {
                var streams = new List<StreamAction>(batch.Length);
                var summaries = new List<CaseSummary>(batch.Length);
                foreach (var c in batch)
                {
                    var stream = StreamAction.Start((IEventRegistry)options.Events, c.CaseId, [.. c.Events]);
                    stream.TenantId = tenant;
                    stream.AggregateType = typeof(Case);
                    var version = 0;
                    foreach (var e in stream.Events)
                    {
                        e.Version = ++version;
                        e.StreamId = c.CaseId;
                        e.TenantId = tenant;
                        e.Timestamp = at;
                        e.UserName = "seed";
                        e.CorrelationId = $"seed-{seed}";
                    }

                    stream.Version = version;
                    streams.Add(stream);
                    var summary = await aggregator.BuildAsync(stream.Events, query, null, ct)
                        ?? throw new InvalidOperationException($"Case {c.CaseId} folds to no summary.");
                    summary.Version = version;
                    summaries.Add(summary);
                    events += version;
                }

                var blockedFrom = Stopwatch.GetTimestamp();
                await ready.Writer.WriteAsync((batch, streams, summaries), ct);
                producerBlocked += Stopwatch.GetTimestamp() - blockedFrom;
            }
        }
        catch (ChannelClosedException)
        {
            // A writer failed; its exception is thrown by WhenAll below.
        }
        finally
        {
            ready.Writer.TryComplete();
        }

        await Task.WhenAll(writers);
        await FinishAsync(tenant, ct);
        return new SeedReport(true, cases, events, watch.Elapsed, province.Accounts)
        {
            Spent = (Stopwatch.GetElapsedTime(0, eventsAppend), Stopwatch.GetElapsedTime(0, writersIdle), Stopwatch.GetElapsedTime(0, producerBlocked))
        };
    }

    /// <summary>The finishing statements' command timeout: a bulk load's, not a request's.</summary>
    public const int FinishTimeoutSeconds = 900;

    /// <summary>
    /// The loaded tables are analysed: on a shared database the statistics still say this province has no rows, and the
    /// planner then joined its 12,000 summaries to its streams by nested loops (the national benchmark's second province
    /// outlasted the 30 s command timeout). Bulk work on the whole province, so it gets <see cref="FinishTimeoutSeconds"/>
    /// (at 100,000 cases it, with the revision update it had then, outlasted the ordinary 30 s). The summaries carry their
    /// revision from the COPY (<see cref="CaseSummaryCopy"/>).
    /// </summary>
    private async Task FinishAsync(string tenant, CancellationToken ct)
    {
        var schema = store.Options.Events.DatabaseSchemaName;
        await using var session = store.LightweightSession(new Marten.Services.SessionOptions { TenantId = tenant, Timeout = FinishTimeoutSeconds });
        session.QueueSqlCommand($"analyze {schema}.mt_events, {schema}.mt_streams, {schema}.mt_doc_casesummary, {schema}.mt_doc_person");
        await session.SaveChangesAsync(ct);
    }

    /// <summary>The demo accounts are deterministic: printed again when the province already exists.</summary>
    public IReadOnlyList<DemoAccount> Accounts(int seed, int wards) =>
        new DemoProvince(seed, clock.Today, kinds, wards).Accounts;
}
