using System.Security.Claims;
using Marten;

namespace CaseTracking.Access;

/// <summary>
/// Turns the authenticated principal into an <see cref="Actor"/> by reading the user document, so a
/// deactivated user or changed wards take effect at the next request, not when the token expires.
/// </summary>
public sealed class ActorResolver(IDocumentStore store)
{
    public const string SubjectClaim = "sub";
    public const string TenantClaim = "tenant";

    public async Task<Actor?> CurrentAsync(HttpContext http)
    {
        if (http.Items.TryGetValue(typeof(Actor), out var cached)) return (Actor?)cached;
        Actor? actor = null;
        if (http.User.Identity?.IsAuthenticated == true
            && Guid.TryParse(http.User.FindFirstValue(SubjectClaim), out var userId))
        {
            await using var session = store.QuerySession();
            var user = await session.LoadAsync<User>(userId, http.RequestAborted);
            if (user is { Active: true } && user.Tenant == http.User.FindFirstValue(TenantClaim))
                actor = Actor.From(user);
        }

        http.Items[typeof(Actor)] = actor;
        return actor;
    }
}
