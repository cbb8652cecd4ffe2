using System.Text.Json;
using CaseTracking.Access;
using CaseTracking.Auditing;
using CaseTracking.Infrastructure;
using CaseTracking.People;
using CaseTracking.Web;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace CaseTracking.Pages.People;

/// <summary>A person's own record, printable: the same content as <c>GET /api/people/{id}/record</c>, logged the same way.</summary>
public sealed class RecordModel(IStringLocalizer<SharedResource> l, IDocumentStore store, HashChain chain, TimeProvider time) : UiPage(l)
{
    protected override Role[] Allowed => [Role.Supervisor, Role.Auditor];

    public PersonRecord Record { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(Guid id)
    {
        var ct = HttpContext.RequestAborted;
        await using var session = store.QuerySession(Me.Tenant);
        var person = await SubjectAccess.FindAsync(session, Me, id, ct);
        if (person is null) return NotFound();
        await SubjectAccess.LogAsync(store, Me, id, SubjectAccess.Requested, "page", time.GetUtcNow(), ct);
        Record = await SubjectAccess.BuildAsync(session, chain, L, Me.Tenant, person, Me.Username, time.GetUtcNow(), ct);
        await SubjectAccess.LogAsync(store, Me, id, SubjectAccess.Delivered,
            "page;" + SubjectAccess.Receipt(Record, JsonSerializer.SerializeToUtf8Bytes(Record, Json.Options)), time.GetUtcNow(), ct);
        return Page();
    }
}
