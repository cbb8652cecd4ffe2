using JasperFx.Events.Daemon;
using Marten;

namespace CaseTracking.Cases;

/// <summary>
/// The write model is an inline snapshot (<see cref="Case"/> documents). A database written before that, or
/// restored without them, has case streams with no snapshot, and <c>FetchForWriting</c> would see no case.
/// At start-up, before any request, the snapshot projection is rebuilt once if any case lacks one.
/// </summary>
public sealed class CaseSnapshots(IDocumentStore store, ILogger<CaseSnapshots> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!await AnyMissingAsync(cancellationToken)) return;
        logger.LogWarning("Some case streams have no Case snapshot: rebuilding the Case projection before serving");
        using var daemon = await store.BuildProjectionDaemonAsync();
        await daemon.RebuildProjectionAsync(nameof(Case), TimeSpan.FromMinutes(30), cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task<bool> AnyMissingAsync(CancellationToken ct)
    {
        var schema = store.Options.Events.DatabaseSchemaName;
        await using var session = store.QuerySession();
        var missing = await session.AdvancedSql.QueryAsync<bool>($"""
            select exists (select 1 from {schema}.mt_streams s
                            where s.type = 'case'
                              and not exists (select 1 from {schema}.mt_doc_case c where c.tenant_id = s.tenant_id and c.id = s.id))
            """, ct);
        return missing[0];
    }
}
