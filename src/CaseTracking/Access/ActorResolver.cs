using System.Security.Claims;
using Marten;
using Microsoft.Extensions.Caching.Memory;

namespace CaseTracking.Access;

/// <summary>
/// Turns the authenticated principal into an <see cref="Actor"/> by reading the user document, so a
/// deactivated user or changed wards take effect at the next request, not when the token expires. A token
/// or cookie whose security stamp is not the user's current one (a reset, a new password, deactivation, a
/// new role) is refused.
/// </summary>
public sealed class ActorResolver(IDocumentStore store, IMemoryCache cache, IConfiguration configuration)
{
    /// <summary>
    /// Users are read once per this long per node (CaseTracking:UserCacheSeconds, default and at most 1; 0 turns
    /// it off): one query less on every request. Changes made through this node's admin routes apply at once; on
    /// another node a revoked stamp lives at most this long (issue 19 will add a message between nodes).
    /// </summary>
    private readonly TimeSpan _cacheFor = TimeSpan.FromSeconds(Math.Clamp(configuration.GetValue("CaseTracking:UserCacheSeconds", 1.0), 0, 1));

    public void Forget(Guid userId) => cache.Remove(("user", userId));

    public const string SubjectClaim = "sub";
    public const string TenantClaim = "tenant";

    public async Task<Actor?> CurrentAsync(HttpContext http)
    {
        if (http.Items.TryGetValue(typeof(Actor), out var cached)) return (Actor?)cached;
        Actor? actor = null;
        if (http.User.Identity?.IsAuthenticated == true
            && Guid.TryParse(http.User.FindFirstValue(SubjectClaim), out var userId))
        {
            var tenant = http.User.FindFirstValue(TenantClaim) ?? "";
            var user = tenant.Length == 0 ? null : await LoadAsync(tenant, userId, http.RequestAborted);
            if (user is { Active: true } && user.Tenant == tenant
                && string.Equals(user.SecurityStamp ?? "", http.User.FindFirstValue(Logins.StampClaim) ?? "", StringComparison.Ordinal))
                actor = Actor.From(user);
        }

        http.Items[typeof(Actor)] = actor;
        return actor;
    }

    /// <summary>The user in the database of the province the signed token names (a province may have its own).</summary>
    private async Task<User?> LoadAsync(string tenant, Guid userId, CancellationToken ct)
    {
        if (_cacheFor > TimeSpan.Zero && cache.TryGetValue(("user", userId), out User? cached)) return cached;
        await using var session = store.QuerySession(tenant);
        var user = await session.LoadAsync<User>(userId, ct);
        if (_cacheFor > TimeSpan.Zero) cache.Set(("user", userId), user, _cacheFor);
        return user;
    }
}
