using System.Globalization;
using CaseTracking.Access;
using CaseTracking.Infrastructure;
using CaseTracking.Web;
using Microsoft.Extensions.Localization;
using JasperFx.Events;
using Marten;
using Marten.Pagination;
using Wolverine.Http;

namespace CaseTracking.Cases.Reading;

public sealed record CasePage(IReadOnlyList<CaseView> Items, long Total, int Page, int PageSize);

public sealed record HistoryEntry(long Version, string Type, DateTimeOffset Timestamp, string? User, string? CorrelationId,
    string? CausationId, string Description, object Data, string? Hash, string? PrevHash)
{
    /// <summary>The acting user's display name, as the province knows them.</summary>
    public string? UserDisplayName { get; init; }

    /// <summary>The one-line description in Vietnamese ("vi") and English ("en"), from the UI's resources.</summary>
    public IReadOnlyDictionary<string, string>? Descriptions { get; init; }
}

public static class CaseReads
{
    [WolverineGet("/api/cases/{caseId}")]
    public static Task<IResult> Get(Guid caseId, HttpContext http, Reads reads, CaseClock clock) =>
        reads.Case(http, caseId, CaseAction.ReadSummary, (_, _, summary) =>
        {
            http.Response.Headers.ETag = $"\"{summary.Version}\"";
            return Task.FromResult(Results.Json(clock.View(summary), Json.Options));
        });

    [WolverineGet("/api/cases")]
    public static Task<IResult> List(Guid? wardId, Guid? organisationId, CaseStatus? status, SupervisionKind? kind, AlertKind? alert,
        int? page, int? pageSize, HttpContext http, Reads reads, CaseClock clock) =>
        reads.Run(http, [Role.Reviewer, Role.Supervisor, Role.Auditor], async (actor, session) =>
        {
            if ((QueryValues.Page(page) ?? QueryValues.Defined(status, "status") ?? QueryValues.Defined(kind, "kind")
                ?? QueryValues.Defined(alert, "alert")) is { } bad) return bad;
            var size = Math.Clamp(pageSize ?? 50, 1, 500);
            var number = page ?? 1;
            var query = Scoped(session, actor);
            if (wardId is { } w) query = query.Where(s => s.WardId == w);
            if (organisationId is { } o) query = query.Where(s => s.OrganisationId == o);
            if (status is { } st) query = query.Where(s => s.Status == st);
            if (kind is { } k) query = query.Where(s => s.Kind == k);

            if (alert is null)
            {
                var paged = await query.OrderBy(s => s.EndsOn).ThenBy(s => s.Id).ToPagedListAsync(number, size, http.RequestAborted);
                return Results.Json(new CasePage([.. paged.Select(clock.View)], paged.TotalItemCount, number, size), Json.Options);
            }

            // Alerts depend on today: narrow in SQL where the rule allows, then decide per case.
            var today = clock.Today;
            query = query.Where(s => !CaseStatuses.Terminal.Contains(s.Status));
            query = alert switch
            {
                AlertKind.TermEnded => query.Where(s => s.EndsOn < today),
                AlertKind.ReleasePending => query.Where(s => s.Status == CaseStatus.ReleasePending),
                AlertKind.EarlyReleaseEligible => query.Where(s => s.Status != CaseStatus.ReleasePending && s.EndsOn > today && s.GoodReviews >= 3),
                _ => query
            };
            var matching = (await query.OrderBy(s => s.EndsOn).ThenBy(s => s.Id).ToListAsync(http.RequestAborted))
                .Select(clock.View).Where(v => v.Flags.Contains(alert.Value)).ToList();
            return Results.Json(new CasePage([.. matching.Skip((number - 1) * size).Take(size)], matching.Count, number, size), Json.Options);
        });

    /// <summary>Only what the user may see: their wards, their organisation, or the whole province for auditors.</summary>
    public static IQueryable<CaseSummary> Scoped(IQuerySession session, Actor actor)
    {
        var query = session.Query<CaseSummary>().AsQueryable();
        switch (actor.Role)
        {
            case Role.Supervisor:
                var wards = actor.WardIds.ToArray();
                return query.Where(s => wards.Contains(s.WardId));
            case Role.Reviewer:
                var org = actor.OrganisationId ?? Guid.Empty;
                return query.Where(s => s.OrganisationId == org);
            default:
                return query;
        }
    }

    [WolverineGet("/api/cases/{caseId}/history")]
    public static Task<IResult> History(Guid caseId, HttpContext http, Reads reads, IStringLocalizer<SharedResource> localizer) =>
        reads.Case(http, caseId, CaseAction.ReadHistory, async (actor, session, _) =>
            Results.Json(await HistoryAsync(session, actor.Tenant, caseId, localizer, http.RequestAborted), Json.Options));

    /// <summary>The auditor's timeline: every event with who (user name and display name) and a line in both languages.</summary>
    public static async Task<IReadOnlyList<HistoryEntry>> HistoryAsync(IQuerySession session, string tenant, Guid caseId,
        IStringLocalizer<SharedResource> localizer, CancellationToken ct)
    {
        var events = await session.Events.FetchStreamAsync(caseId, token: ct);
        var usernames = events.Select(e => e.UserName).Where(n => n is not null).Distinct().ToArray();
        var displayNames = (await session.Query<User>().Where(u => u.Tenant == tenant && usernames.Contains(u.Username)).ToListAsync(ct))
            .ToDictionary(u => u.Username, u => u.DisplayName);
        var referenced = events.SelectMany(e => e.Data switch
        {
            CaseAssigned a => new Guid?[] { a.MentorUserId, a.SupervisorUserId },
            ReleaseRecommended r => [r.RecommendedBy],
            CaseReleased r => [r.RecommendedBy, r.ApprovedBy],
            _ => []
        });
        var names = await Lookup.LoadAsync(session, tenant, [], ct, referenced);
        return [.. events.Select(e => ToEntry(e) with
        {
            UserDisplayName = e.UserName is { } u ? displayNames.GetValueOrDefault(u) : null,
            Descriptions = new Dictionary<string, string>
            {
                ["vi"] = In("vi-VN", () => Timeline.Row(e, localizer, names).Detail),
                ["en"] = In("en-GB", () => Timeline.Row(e, localizer, names).Detail)
            }
        })];
    }

    private static string In(string culture, Func<string> describe)
    {
        var (ui, format) = (CultureInfo.CurrentUICulture, CultureInfo.CurrentCulture);
        CultureInfo.CurrentUICulture = CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo(culture);
        try
        {
            return describe();
        }
        finally
        {
            (CultureInfo.CurrentUICulture, CultureInfo.CurrentCulture) = (ui, format);
        }
    }

    public static HistoryEntry ToEntry(IEvent e) => new(e.Version, e.EventTypeName, e.Timestamp, e.UserName, e.CorrelationId,
        e.CausationId, EventText.Describe(e.Data), e.Data,
        e.Headers?.TryGetValue("hash", out var h) == true ? h?.ToString() : null,
        e.Headers?.TryGetValue("prevHash", out var p) == true ? p?.ToString() : null);

    [WolverineGet("/api/cases/{caseId}/as-of")]
    public static Task<IResult> AsOf(Guid caseId, DateTimeOffset? at, long? version, HttpContext http, Reads reads, CaseClock clock) =>
        reads.Case(http, caseId, CaseAction.ReadAsOf, async (_, session, _) =>
        {
            if (at is null && version is null) return Problems.Field("at", "Give 'at' (ISO 8601) or 'version'.");
            if (version is < 1) return Problems.Field("version", "'version' starts at 1.");
            var then = await session.Events.AggregateStreamAsync<CaseSummary>(caseId, version: version ?? 0, timestamp: at,
                token: http.RequestAborted);
            if (then is null) return Problems.Problem(404, "Not found.", "The case did not exist yet at that moment.", "case.not-yet");
            var day = at is { } a ? DateOnly.FromDateTime(a.ToOffset(clock.Offset).DateTime) : clock.Today;
            return Results.Json(clock.View(then, day), Json.Options);
        });
}
