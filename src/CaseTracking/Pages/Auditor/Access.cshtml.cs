using System.Globalization;
using System.Runtime.CompilerServices;
using CaseTracking.Access;
using CaseTracking.Auditing;
using CaseTracking.Cases;
using CaseTracking.Pages.Shared;
using CaseTracking.People;
using CaseTracking.Web;
using Marten;
using Marten.Linq;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Localization;

namespace CaseTracking.Pages.Auditor;

/// <summary>One line of the log as the auditor reads it: names and words, not ids and addresses.</summary>
public sealed record AccessLine(AccessRecord Record, string User, string? Person, string What);

/// <summary>
/// Who looked at which case or person, when, and what they saw (the access records every read writes): paged,
/// filtered by user, person and dates, and downloadable as CSV with the same filters.
/// </summary>
public sealed class AccessModel(IStringLocalizer<SharedResource> l, IDocumentStore store, PersonSearch search) : UiPage(l)
{
    protected override Role[] Allowed => [Role.Auditor];

    /// <summary>A CSV holds at most this many lines; a longer period is downloaded in parts.</summary>
    public const int CsvLimit = 100_000;

    private const int MaxText = 200;

    [BindProperty(SupportsGet = true)] public Guid? CaseId { get; set; }
    [BindProperty(SupportsGet = true, Name = "user")] public string? UserText { get; set; }
    [BindProperty(SupportsGet = true, Name = "person")] public string? PersonText { get; set; }
    [BindProperty(SupportsGet = true)] public string? From { get; set; }
    [BindProperty(SupportsGet = true)] public string? To { get; set; }
    [BindProperty(SupportsGet = true, Name = "p")] public int? PageNumber { get; set; }

    public List<AccessLine> Lines { get; private set; } = [];
    public Paging Paging { get; private set; } = null!;

    /// <summary>The case the list is narrowed to (from a case page's link), by its person's name.</summary>
    public string? CaseLabel { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        if (Refusal() is { } refused) return refused;
        var ct = HttpContext.RequestAborted;
        await using var session = store.QuerySession(Me.Tenant);
        var query = await FilteredAsync(session, ct);
        var number = PageNumber ?? 1;
        IReadOnlyList<AccessRecord> rows = [];
        long total = 0;
        if (query is not null)
        {
            rows = await query.OrderByDescending(r => r.At).ThenBy(r => r.Id).Stats(out var stats)
                .Skip((number - 1) * Paging.DefaultSize).Take(Paging.DefaultSize).ToListAsync(ct);
            total = stats.TotalResults;
        }

        Paging = new Paging(number, Paging.DefaultSize, total, "/audit/access", Paging.QueryOf(Request));
        if (number > 1 && number > Paging.Pages) return NotFound();
        Lines = await DescribeAsync(session, rows, ct);
        if (CaseId is { } caseId)
            CaseLabel = await session.LoadAsync<CaseSummary>(caseId, ct) is { } summary
                ? (await session.LoadAsync<Person>(summary.PersonId, ct))?.FullName
                : null;
        return Page();
    }

    /// <summary>The same filters as the page, every matching line (up to <see cref="CsvLimit"/>), newest first.</summary>
    public async Task<IActionResult> OnGetCsvAsync()
    {
        if (Refusal() is { } refused) return refused;
        var ct = HttpContext.RequestAborted;
        var fileName = $"{Text("Access.CsvFile")}-{DateTime.Now.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}.csv";
        string[] headers = [Text("Access.When"), Text("Login.Username"), Text("Access.User"), Text("Access.Role"), Text("Access.Person"), Text("Access.CaseId"), Text("Access.What")];
        await Csv.WriteAsync(Response, fileName, headers, CsvRowsAsync(ct), ct);
        return new EmptyResult();
    }

    private async IAsyncEnumerable<IEnumerable<string?>> CsvRowsAsync([EnumeratorCancellation] CancellationToken ct)
    {
        await using var session = store.QuerySession(Me.Tenant);
        var query = await FilteredAsync(session, ct);
        if (query is null) yield break;
        // In chunks, so each chunk's names are looked up together.
        const int chunk = 2_000;
        for (var skip = 0; skip < CsvLimit; skip += chunk)
        {
            var rows = await query.OrderByDescending(r => r.At).ThenBy(r => r.Id).Skip(skip).Take(chunk).ToListAsync(ct);
            foreach (var line in await DescribeAsync(session, rows, ct))
                yield return
                [
                    line.Record.At.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), line.Record.Username, line.User,
                    line.Record.Role is { } role ? Enum(role) : L["Access.Operator"], line.Person, line.Record.CaseId == Guid.Empty ? "" : line.Record.CaseId.ToString(), line.What
                ];
            if (rows.Count < chunk) yield break;
        }
    }

    /// <summary>Hostile or impossible filter values are a 400, before any query runs.</summary>
    private BadRequestResult? Refusal()
    {
        static bool Bad(string? text) => text is { } t && (t.Length > MaxText || !CaseTracking.Infrastructure.Text.IsSingleLine(t));
        if (!ModelState.IsValid || !Paging.Valid(PageNumber) || Bad(UserText) || Bad(PersonText) || Bad(From) || Bad(To)) return BadRequest();
        if (From is { Length: > 0 } && Day(From) is null || To is { Length: > 0 } && Day(To) is null) return BadRequest();
        return null;
    }

    /// <summary>Dates an audit can be about: 2000 … 2100 (year 1 or 9999 would overflow the time zone arithmetic).</summary>
    private static DateOnly? Day(string? text) => ParseDate(text) is { Year: >= 2000 and <= 2100 } d ? d : null;

    private static DateTimeOffset StartOf(DateOnly day)
    {
        var local = day.ToDateTime(TimeOnly.MinValue);
        return new DateTimeOffset(local, TimeZoneInfo.Local.GetUtcOffset(local));
    }

    /// <summary>The filtered records, or null when a filter matches nobody (no user or person of that name).</summary>
    private async Task<IQueryable<AccessRecord>?> FilteredAsync(IQuerySession session, CancellationToken ct)
    {
        var query = session.Query<AccessRecord>().AsQueryable();
        if (CaseId is { } c) query = query.Where(r => r.CaseId == c);
        if (Day(From) is { } from) { var f = StartOf(from); query = query.Where(r => r.At >= f); }
        if (Day(To) is { } to) { var t = StartOf(to.AddDays(1)); query = query.Where(r => r.At < t); }

        if (UserText?.Trim() is { Length: > 0 } who)
        {
            // A user name exactly, or a part of a display name ("Hùng" finds "Trần Văn Hùng"); the province's users only.
            var login = who.ToLowerInvariant();
            var ids = await session.Query<User>()
                .Where(u => u.Tenant == Me.Tenant && (u.Username == login || u.DisplayName.Contains(who, StringComparison.OrdinalIgnoreCase)))
                .Select(u => u.Id).Take(500).ToListAsync(ct);
            if (ids.Count == 0) return null;
            var userIds = ids.ToArray();
            query = query.Where(r => userIds.Contains(r.UserId));
        }

        if (PersonText?.Trim() is { Length: > 0 } name)
        {
            // The forgiving person search (a name without its diacritics, "Ð" for "Đ", words in any order, the start of a
            // national id); then the cases of those people.
            var people = (await search.FindAsync(session, Me, name, ct, limit: 500)).Select(p => p.Id).ToList();
            if (people.Count == 0) return null;
            var personIds = people.ToArray();
            var caseIds = (await session.Query<CaseSummary>().Where(s => personIds.Contains(s.PersonId)).Select(s => s.Id).ToListAsync(ct)).ToArray();
            var personKeys = people.Select(p => (Guid?)p).ToArray();
            query = query.Where(r => caseIds.Contains(r.CaseId) || personKeys.Contains(r.PersonId));
        }

        return query;
    }

    /// <summary>Names for one page of records: the users' display names and the people behind the cases.</summary>
    private async Task<List<AccessLine>> DescribeAsync(IQuerySession session, IReadOnlyList<AccessRecord> rows, CancellationToken ct)
    {
        if (rows.Count == 0) return [];
        var users = (await session.LoadManyAsync<User>(ct, rows.Select(r => r.UserId).Distinct()))
            .Where(u => u.Tenant == Me.Tenant).ToDictionary(u => u.Id, u => u.DisplayName);
        var summaries = (await session.LoadManyAsync<CaseSummary>(ct, rows.Where(r => r.CaseId != Guid.Empty).Select(r => r.CaseId).Distinct()))
            .ToDictionary(s => s.Id, s => s.PersonId);
        var personIds = summaries.Values.Concat(rows.Where(r => r.PersonId is not null).Select(r => r.PersonId!.Value)).Distinct();
        var people = (await session.LoadManyAsync<Person>(ct, personIds)).ToDictionary(p => p.Id, p => p.FullName);
        return [.. rows.Select(r =>
        {
            var personId = r.PersonId ?? (summaries.TryGetValue(r.CaseId, out var p) ? p : null);
            return new AccessLine(r, users.GetValueOrDefault(r.UserId) ?? r.Username,
                personId is { } id ? people.GetValueOrDefault(id) : null, What(r));
        })];
    }

    /// <summary>
    /// What was seen, in words: the part of the case (summary, timeline, the case at a moment, export, integrity check),
    /// the moment or version asked for, and the form the page answered ("after approving a release"), from the query
    /// string the read was made with. Unknown query values are left out rather than shown raw.
    /// </summary>
    public string What(AccessRecord r)
    {
        var what = L["AccessWhat." + r.What] is { ResourceNotFound: false } known ? known.Value : r.What;
        var parts = new List<string> { what };
        var query = QueryHelpers.ParseQuery(r.Query ?? "");
        if (query.TryGetValue("at", out var at) && DateTime.TryParse(at.ToString(), CultureInfo.InvariantCulture, DateTimeStyles.None, out var moment))
            parts.Add(string.Format(CultureInfo.CurrentCulture, L["AccessWhat.At"], moment.ToString("g", CultureInfo.CurrentCulture)));
        if (query.TryGetValue("version", out var version) && long.TryParse(version.ToString(), CultureInfo.InvariantCulture, out var v))
            parts.Add(string.Format(CultureInfo.CurrentCulture, L["AccessWhat.Version"], v));
        var form = query.TryGetValue("handler", out var handler) ? handler.ToString() : query.TryGetValue("done", out var done) ? done.ToString() : null;
        if (form is { Length: > 0 and < 40 })
            parts.Add(L["AccessWhat.After." + form.ToLowerInvariant()] is { ResourceNotFound: false } after ? after.Value : L["AccessWhat.After.other"].Value);
        return string.Join(" · ", parts);
    }
}
