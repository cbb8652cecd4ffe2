using JasperFx.Events.Daemon;
using Marten;

namespace CaseTracking.Caseloads;

/// <summary>
/// Databases written before the caseload became one document per case (ADR 0003, revised) still hold the
/// old row table and members in the old shape. Run before the app serves (the seed verb's preparation, which
/// <c>ops/demo</c> runs at every start): rebuild the caseload once and drop the old table.
/// </summary>
public static class CaseloadUpgrade
{
    private const string OldTable = "mt_doc_caseloadrow";

    public static async Task<bool> RunAsync(IDocumentStore store, CancellationToken ct)
    {
        var schema = store.Options.DatabaseSchemaName;
        await using (var query = store.QuerySession())
        {
            var old = await query.AdvancedSql.QueryAsync<bool>($"select to_regclass('{schema}.{OldTable}') is not null", ct);
            if (!old[0]) return false;
        }

        using (var daemon = await store.BuildProjectionDaemonAsync())
            await daemon.RebuildProjectionAsync(nameof(CaseloadProjection), TimeSpan.FromMinutes(30), ct);

        await using var session = store.LightweightSession();
        session.QueueSqlCommand($"drop table if exists {schema}.{OldTable}");
        await session.SaveChangesAsync(ct);
        return true;
    }
}
