using System.Text.Json;
using CaseTracking.Access;
using CaseTracking.Infrastructure;
using CaseTracking.Pages.Shared;
using CaseTracking.Web;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace CaseTracking.Pages.Admin;

/// <summary>
/// What the admin pages share: the admin role, a search text and a page number bounded against hostile values, and
/// the answer to a form (back to the list with a confirmation, or the form again with its errors).
/// </summary>
public abstract class AdminPage(IStringLocalizer<SharedResource> l, IDocumentStore store) : UiPage(l)
{
    protected override Role[] Allowed => [Role.Admin];

    protected IDocumentStore Store => store;

    public const int MaxSearch = 200;

    [BindProperty(SupportsGet = true, Name = "q")] public string? Search { get; set; }
    [BindProperty(SupportsGet = true, Name = "p")] public int? PageNumber { get; set; }

    public Paging Paging { get; protected set; } = null!;

    /// <summary>The part of the admin area this page is, for the sub-navigation.</summary>
    public abstract string Section { get; }

    /// <summary>Hostile query values (an unparseable id or number, a page out of range, control characters, 1 MB) are a 400.</summary>
    protected IActionResult? Refusal() =>
        !ModelState.IsValid || !Paging.Valid(PageNumber) || Search is { } s && (s.Length > MaxSearch || !CaseTracking.Infrastructure.Text.IsSingleLine(s)) ? BadRequest() : null;

    protected string? SearchText => Search?.Trim() is { Length: > 0 } s ? s : null;

    protected Paging PageOf(long total, string path) => new(PageNumber ?? 1, Paging.DefaultSize, total, path, Paging.QueryOf(Request));

    /// <summary>An id the answer carries (wardId, requestId ...): the confirmation shows the row it names.</summary>
    protected static Guid? IdIn(Reply reply, string property)
    {
        if (reply.Body is null) return null;
        var json = JsonSerializer.SerializeToElement(reply.Body, reply.Body.GetType(), Json.Options);
        return json.ValueKind == JsonValueKind.Object && json.TryGetProperty(property, out var id) && id.TryGetGuid(out var g) ? g : null;
    }

    public async Task<List<Ward>> WardsAsync(IQuerySession session, CancellationToken ct) =>
        [.. await session.Query<Ward>().OrderBy(w => w.Code).ToListAsync(ct)];
}

/// <summary>The searchable ward picker's inputs: the form field name, an id prefix, the wards and the chosen ones.</summary>
public sealed record WardPicker(string Name, string IdPrefix, IReadOnlyList<Ward> Wards, IReadOnlyCollection<Guid> Selected, string? DescribedBy);
