using CaseTracking.Access;
using Marten;

namespace CaseTracking.Provinces;

/// <summary>
/// The national list of user names (ADR 0007): a user lives in the database of their province, so signing in, which
/// knows only the name, looks here first to learn the province. One row a name, written in the shared database before
/// the user is; the id is the name, so two provinces cannot take the same one. Users of a province on the shared
/// database are also found directly in its user table, as before.
/// </summary>
public sealed class LoginName
{
    public string Id { get; set; } = "";
    public Guid UserId { get; set; }
    public string Province { get; set; } = "";
}

public static class LoginNames
{
    /// <summary>Taken by a user of any province, or reserved for one.</summary>
    public static async Task<bool> TakenAsync(IDocumentStore store, string username, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        return await session.LoadAsync<LoginName>(username, ct) is not null
               || await session.Query<User>().AnyAsync(u => u.Username == username, ct);
    }

    /// <summary>False when another user took the name first.</summary>
    public static async Task<bool> TryReserveAsync(IDocumentStore store, User user, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        session.Insert(new LoginName { Id = user.Username, UserId = user.Id, Province = user.Tenant });
        try
        {
            await session.SaveChangesAsync(ct);
            return true;
        }
        catch (JasperFx.DocumentAlreadyExistsException)
        {
            return false;
        }
    }

    /// <summary>The user of that name, wherever their province lives; null when there is none.</summary>
    public static async Task<User?> FindAsync(IDocumentStore store, string username, CancellationToken ct)
    {
        await using var shared = store.QuerySession();
        if (await shared.Query<User>().FirstOrDefaultAsync(u => u.Username == username, ct) is { } local) return local;
        if (await shared.LoadAsync<LoginName>(username, ct) is not { } entry) return null;
        await using var province = store.QuerySession(entry.Province);
        return await province.LoadAsync<User>(entry.UserId, ct) is { } user && user.Username == username && user.Tenant == entry.Province ? user : null;
    }
}
