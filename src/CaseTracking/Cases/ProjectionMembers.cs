using JasperFx.Events;
using Marten;

namespace CaseTracking.Cases;

/// <summary>The per-case memory of the async projections (caseload, statistics), loaded once per batch.</summary>
public static class ProjectionMembers
{
    /// <summary>
    /// The stored members of the cases in <paramref name="events"/>, by tenant and case, in one round trip per
    /// tenant. Cases opened in this batch have nothing stored yet and are not asked for.
    /// </summary>
    public static async Task<Dictionary<(string Tenant, Guid Case), T?>> LoadAsync<T>(IDocumentOperations operations,
        IEnumerable<IEvent> events, Func<T, Guid> idOf, CancellationToken ct) where T : class
    {
        var members = new Dictionary<(string, Guid), T?>();
        foreach (var tenant in events.GroupBy(e => e.TenantId))
        {
            var opened = tenant.Where(e => e.Data is CaseOpened).Select(e => e.StreamId).ToHashSet();
            var ids = tenant.Select(e => e.StreamId).Where(id => !opened.Contains(id)).Distinct().ToArray();
            if (ids.Length == 0) continue;
            foreach (var m in await operations.ForTenant(tenant.Key).LoadManyAsync<T>(ct, ids)) members[(tenant.Key, idOf(m))] = m;
        }

        return members;
    }
}
