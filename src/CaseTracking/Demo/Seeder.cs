using System.Diagnostics;
using CaseTracking.Access;
using CaseTracking.Auditing;
using CaseTracking.Cases;
using Marten;

namespace CaseTracking.Demo;

public sealed record SeedReport(bool Seeded, int Cases, long Events, TimeSpan Elapsed, IReadOnlyList<DemoAccount> Accounts)
{
    public double EventsPerSecond => Elapsed.TotalSeconds > 0 ? Events / Elapsed.TotalSeconds : 0;
}

/// <summary>Writes a <see cref="DemoProvince"/> through Marten in large batches (many streams per transaction).</summary>
public sealed class Seeder(IDocumentStore store, HashChain chain, SupervisionKinds kinds, CaseClock clock, AdminBootstrap admin)
{
    public const string Tenant = AdminBootstrap.DefaultTenant;

    public async Task<bool> IsEmptyAsync(CancellationToken ct)
    {
        await using var session = store.QuerySession(Tenant);
        return !await session.Query<Ward>().AnyAsync(ct) && !await session.Query<CaseSummary>().AnyAsync(ct);
    }

    /// <summary>Schema, hash-chain trigger, administrator: what every verb that writes needs first.</summary>
    public async Task PrepareAsync(CancellationToken ct)
    {
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        await chain.InstallAsync(ct);
        await admin.EnsureAdminAsync(ct);
    }

    public async Task<SeedReport> SeedAsync(int cases, int seed, int wards, int batchSize, Action<int>? progress, CancellationToken ct)
    {
        await PrepareAsync(ct);
        var today = clock.Today;
        var province = new DemoProvince(seed, today, kinds, wards);
        var watch = Stopwatch.StartNew();

        await using (var session = store.LightweightSession(Tenant))
        {
            session.InsertObjects(province.Wards);
            session.InsertObjects(province.Organisations);
            await session.SaveChangesAsync(ct);
        }

        await using (var session = store.LightweightSession())
        {
            session.InsertObjects(province.Users);
            await session.SaveChangesAsync(ct);
        }

        long events = 0;
        var done = 0;
        foreach (var batch in province.Cases(cases).Chunk(batchSize))
        {
            await using var session = store.LightweightSession(Tenant);
            session.LastModifiedBy = "seed";
            session.CorrelationId = $"seed-{seed}";
            foreach (var c in batch)
            {
                session.Insert(c.Person);
                session.Events.StartStream<Case>(c.CaseId, c.Events);
                events += c.Events.Count;
            }

            await session.SaveChangesAsync(ct);
            done += batch.Length;
            progress?.Invoke(done);
        }

        return new SeedReport(true, cases, events, watch.Elapsed, province.Accounts);
    }

    /// <summary>The demo accounts are deterministic: printed again when the province already exists.</summary>
    public IReadOnlyList<DemoAccount> Accounts(int seed, int wards) =>
        new DemoProvince(seed, clock.Today, kinds, wards).Accounts;
}
