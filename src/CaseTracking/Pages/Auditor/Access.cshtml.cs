using CaseTracking.Access;
using CaseTracking.Auditing;
using CaseTracking.Web;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace CaseTracking.Pages.Auditor;

/// <summary>Who looked at which case, when, and what they saw (the access records every case read writes).</summary>
public sealed class AccessModel(IStringLocalizer<SharedResource> l, IDocumentStore store) : UiPage(l)
{
    protected override Role[] Allowed => [Role.Auditor];

    [BindProperty(SupportsGet = true)] public Guid? CaseId { get; set; }
    [BindProperty(SupportsGet = true, Name = "user")] public string? Username { get; set; }
    [BindProperty(SupportsGet = true)] public string? From { get; set; }
    [BindProperty(SupportsGet = true)] public string? To { get; set; }

    public List<AccessRecord> Records { get; private set; } = [];

    public async Task OnGetAsync()
    {
        await using var session = store.QuerySession(Me.Tenant);
        var query = session.Query<AccessRecord>().AsQueryable();
        if (CaseId is { } c) query = query.Where(r => r.CaseId == c);
        if (!string.IsNullOrWhiteSpace(Username)) { var u = Username.Trim().ToLowerInvariant(); query = query.Where(r => r.Username == u); }
        if (ParseDate(From) is { } from) { var f = new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), TimeZoneInfo.Local.GetUtcOffset(from.ToDateTime(TimeOnly.MinValue))); query = query.Where(r => r.At >= f); }
        if (ParseDate(To) is { } to) { var t = new DateTimeOffset(to.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeZoneInfo.Local.GetUtcOffset(to.ToDateTime(TimeOnly.MinValue))); query = query.Where(r => r.At < t); }
        Records = [.. await query.OrderByDescending(r => r.At).Take(500).ToListAsync(HttpContext.RequestAborted)];
    }
}
