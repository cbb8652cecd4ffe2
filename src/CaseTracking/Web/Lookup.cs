using CaseTracking.Access;
using CaseTracking.People;
using Marten;

namespace CaseTracking.Web;

/// <summary>Names for the ids that events and summaries carry, for one province.</summary>
public sealed class Lookup
{
    public Dictionary<Guid, Ward> Wards { get; private init; } = [];
    public Dictionary<Guid, Organisation> Organisations { get; private init; } = [];
    public Dictionary<Guid, User> Users { get; private init; } = [];
    public Dictionary<Guid, string> People { get; private init; } = [];

    public string Ward(Guid? id) => id is { } g && Wards.TryGetValue(g, out var w) ? $"{w.Name} ({w.Code})" : "—";

    public string Organisation(Guid? id) => id is { } g && Organisations.TryGetValue(g, out var o) ? o.Name : "—";

    public string User(Guid? id) => id is { } g && Users.TryGetValue(g, out var u) ? u.DisplayName : "—";

    public string Person(Guid id) => People.TryGetValue(id, out var n) ? n : "—";

    /// <summary>
    /// Wards and organisations of the province (reference data, small), and only the people and users asked for:
    /// a province has thousands of users, a page names a handful.
    /// </summary>
    public static async Task<Lookup> LoadAsync(IQuerySession session, string tenant, IEnumerable<Guid> personIds, CancellationToken ct,
        IEnumerable<Guid?>? userIds = null)
    {
        var wards = await session.Query<Ward>().ToListAsync(ct);
        var orgs = await session.Query<Organisation>().ToListAsync(ct);
        var userIdList = (userIds ?? []).Where(id => id is not null).Select(id => id!.Value).Distinct().ToArray();
        // Users are not tenanted in Marten (sign-in must find them first): keep the province's own.
        var users = userIdList.Length == 0 ? [] : (await session.LoadManyAsync<User>(ct, userIdList)).Where(u => u.Tenant == tenant).ToList();
        var ids = personIds.Distinct().ToArray();
        var people = ids.Length == 0 ? [] : await session.LoadManyAsync<Person>(ct, ids);
        return new Lookup
        {
            Wards = wards.ToDictionary(w => w.Id),
            Organisations = orgs.ToDictionary(o => o.Id),
            Users = users.ToDictionary(u => u.Id),
            People = people.ToDictionary(p => p.Id, p => p.FullName)
        };
    }

    /// <summary>Every user an event of a case names, for the timeline.</summary>
    public static IEnumerable<Guid?> UsersNamedBy(IEnumerable<object> events) => events.SelectMany(e => e switch
    {
        CaseTracking.Cases.CaseAssigned x => new Guid?[] { x.MentorUserId, x.SupervisorUserId, x.AssignedBy },
        CaseTracking.Cases.ReleaseRecommended x => [x.RecommendedBy],
        CaseTracking.Cases.ReleaseRejected x => [x.RecommendedBy, x.RejectedBy],
        CaseTracking.Cases.ReleaseRecommendationWithdrawn x => [x.RecommendedBy, x.WithdrawnBy],
        CaseTracking.Cases.CaseReleased x => [x.RecommendedBy, x.ApprovedBy],
        _ => []
    });
}
