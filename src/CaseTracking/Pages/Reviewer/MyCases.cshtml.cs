using CaseTracking.Access;
using CaseTracking.Cases;
using CaseTracking.Cases.Reading;
using CaseTracking.Web;
using Marten;
using Microsoft.Extensions.Localization;

namespace CaseTracking.Pages.Reviewer;

/// <summary>The reviewer's phone page: the cases of their organisation, the review due soonest first.</summary>
public sealed class MyCasesModel(IStringLocalizer<SharedResource> l, IDocumentStore store, CaseClock clock) : UiPage(l)
{
    protected override Role[] Allowed => [Role.Reviewer];

    public List<CaseView> Cases { get; private set; } = [];
    public Lookup Names { get; private set; } = null!;
    public DateOnly Today => clock.Today;

    public async Task OnGetAsync()
    {
        var ct = HttpContext.RequestAborted;
        await using var session = store.QuerySession(Me.Tenant);
        var open = await CaseReads.Scoped(session, Me)
            .Where(s => !CaseStatuses.Terminal.Contains(s.Status))
            .ToListAsync(ct);
        Cases = [.. open.Select(clock.View).OrderBy(v => v.NextReviewDue ?? DateOnly.MaxValue).ThenBy(v => v.Case.EndsOn)];
        Names = await Lookup.LoadAsync(session, Me.Tenant, Cases.Select(c => c.Case.PersonId), ct, [.. Cases.Select(c => c.Case.MentorUserId)]);
    }
}
