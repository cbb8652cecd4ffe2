using System.Globalization;
using CaseTracking.Access;
using CaseTracking.Auditing;
using CaseTracking.Cases;
using CaseTracking.Cases.Assigning;
using CaseTracking.Cases.Ending;
using CaseTracking.Cases.Progress;
using CaseTracking.Cases.Releasing;
using CaseTracking.Cases.Reviewing;
using CaseTracking.Cases.Term;
using CaseTracking.Cases.Transferring;
using CaseTracking.Cases.Violations;
using CaseTracking.Infrastructure;
using CaseTracking.Web;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace CaseTracking.Pages.Cases;

public sealed class ReviewInput { public string? Period { get; set; } public string? HeldOn { get; set; } public ReviewRating? Rating { get; set; } public string? Summary { get; set; } }
public sealed class ProgressInput { public ProgressArea? Area { get; set; } public ProgressDirection? Direction { get; set; } public string? Note { get; set; } public string? RecordedOn { get; set; } }
public sealed class RecommendInput { public ReleaseGrounds? Grounds { get; set; } public string? Note { get; set; } }
public sealed class AssignInput { public Guid? MentorUserId { get; set; } public Guid? SupervisorUserId { get; set; } public string? Reason { get; set; } }
public sealed class ViolationInput { public ViolationSeverity? Severity { get; set; } public string? Description { get; set; } public string? OccurredOn { get; set; } }
public sealed class TermInput { public string? NewEndsOn { get; set; } public string? DecisionNumber { get; set; } public TermChangeReason? Reason { get; set; } }
public sealed class TransferInput { public Guid? ToWardId { get; set; } public string? Reason { get; set; } }
public sealed class RevokeInput { public string? DecisionNumber { get; set; } public string? Reason { get; set; } }
public sealed class CloseInput { public ClosureReason? Reason { get; set; } public string? Note { get; set; } }

public sealed record MentorHeld(Guid? MentorUserId);

public sealed record MentorOption(Guid UserId, string Name, Guid OrganisationId, string Organisation, int ActiveCases);

/// <summary>
/// One case for every role: the timeline, and the forms the user's role allows. Every form calls the
/// same use case as the API (…Endpoint.PostCommand), so rules and refusals are the API's.
/// </summary>
public sealed class CaseModel(IStringLocalizer<SharedResource> l, Reads reads, CaseWrites cases, CaseClock clock, HashChain chain)
    : UiPage(l)
{
    public Guid Id { get; private set; }
    public CaseView View { get; private set; } = null!;
    public CaseSummary S => View.Case;
    public Lookup Names { get; private set; } = null!;
    public List<TimelineRow> Rows { get; private set; } = [];
    public DateOnly Today => clock.Today;
    public KindRule Kind => clock.Kinds[S.Kind];

    [BindProperty(SupportsGet = true, Name = "done")] public string? Done { get; set; }
    [BindProperty(SupportsGet = true, Name = "at")] public string? AsOfAt { get; set; }
    [BindProperty(SupportsGet = true, Name = "version")] public long? AsOfVersion { get; set; }
    [BindProperty(SupportsGet = true, Name = "verify")] public bool VerifyRequested { get; set; }

    public CaseView? AsOf { get; private set; }
    public bool AsOfMissing { get; private set; }
    public VerifyResult? Verification { get; private set; }

    [BindProperty] public ReviewInput Review { get; set; } = new();
    [BindProperty] public ProgressInput Progress { get; set; } = new();
    [BindProperty] public RecommendInput Recommend { get; set; } = new();
    [BindProperty] public AssignInput Assign { get; set; } = new();
    [BindProperty] public ViolationInput Violation { get; set; } = new();
    [BindProperty] public TermInput Term { get; set; } = new();
    [BindProperty] public TransferInput Transfer { get; set; } = new();
    [BindProperty] public RevokeInput Revoke { get; set; } = new();
    [BindProperty] public CloseInput Close { get; set; } = new();

    public List<MentorOption> Mentors { get; private set; } = [];
    public List<User> Supervisors { get; private set; } = [];

    /// <summary>Why each ground of release cannot be recommended today (null when it can).</summary>
    public Dictionary<ReleaseGrounds, string?> ReleaseBlocked { get; } = [];

    /// <summary>What the user posts as If-Match: after a 409 the current version (they have now seen the change).</summary>
    public long FormVersion => FailedForm is not null && !Stale && SeenVersion is { } v ? v : S.Version;

    public IEnumerable<TimelineRow> ChangedSinceSeen => Rows.Where(r => r.Version > (SeenVersion ?? long.MaxValue));

    public bool CanWrite => !S.IsTerminal && Me.Role is Role.Reviewer or Role.Supervisor;

    public async Task<IActionResult> OnGetAsync(Guid id)
    {
        var failed = await LoadAsync(id);
        if (failed is not null) return failed;
        Review.Period ??= View.NextReviewPeriod ?? Rules.PeriodOf(Today);
        Review.HeldOn ??= Iso(Today);
        Progress.RecordedOn ??= Iso(Today);
        Violation.OccurredOn ??= Iso(Today);
        Assign.SupervisorUserId ??= S.SupervisorUserId ?? (Me.Role == Role.Supervisor ? Me.UserId : null);
        Assign.MentorUserId ??= S.MentorUserId;
        Recommend.Grounds ??= ReleaseBlocked.FirstOrDefault(kv => kv.Value is null).Key;
        return Page();
    }

    public Task<IActionResult> OnPostReviewAsync(Guid id) => Write(id, "review", () =>
        cases.Run(WriteOf(new LogReview(Review.Period, ParseDate(Review.HeldOn), Review.Rating, Review.Summary)), id, LogReviewHandler.UseCase, HttpContext.RequestAborted));

    public Task<IActionResult> OnPostProgressAsync(Guid id) => Write(id, "progress", () =>
        cases.Run(WriteOf(new RecordProgress(Progress.Area, Progress.Direction, Progress.Note, ParseDate(Progress.RecordedOn))), id, RecordProgressHandler.UseCase, HttpContext.RequestAborted));

    public Task<IActionResult> OnPostRecommendAsync(Guid id) => Write(id, "recommend", () =>
        cases.Run(WriteOf(new RecommendRelease(Recommend.Grounds, Recommend.Note)), id, RecommendReleaseHandler.UseCase, HttpContext.RequestAborted));

    public Task<IActionResult> OnPostAssignAsync(Guid id) => Write(id, "assign", async () =>
    {
        // The mentor decides the organisation: the form offers mentors grouped by organisation.
        Guid organisationId = Guid.Empty;
        if (Assign.MentorUserId is { } mentorId)
        {
            await using var session = HttpContext.RequestServices.GetRequiredService<IDocumentStore>().QuerySession(Me.Tenant);
            var mentor = await session.LoadAsync<User>(mentorId, HttpContext.RequestAborted);
            if (mentor is { OrganisationId: { } org } && mentor.Tenant == Me.Tenant) organisationId = org;
        }

        return await cases.Run(WriteOf(new AssignCase(organisationId, Assign.MentorUserId ?? Guid.Empty, Assign.SupervisorUserId ?? Guid.Empty, Assign.Reason)),
            id, AssignCaseHandler.UseCase, HttpContext.RequestAborted);
    });

    public Task<IActionResult> OnPostViolationAsync(Guid id) => Write(id, "violation", () =>
        cases.Run(WriteOf(new RecordViolation(Violation.Severity, Violation.Description, ParseDate(Violation.OccurredOn))), id, RecordViolationHandler.UseCase, HttpContext.RequestAborted));

    public Task<IActionResult> OnPostTermAsync(Guid id) => Write(id, "term", () =>
        cases.Run(WriteOf(new ChangeTerm(ParseDate(Term.NewEndsOn), Term.DecisionNumber, Term.Reason)), id, ChangeTermHandler.UseCase, HttpContext.RequestAborted));

    public Task<IActionResult> OnPostTransferAsync(Guid id) => Write(id, "transfer", () =>
        cases.Run(WriteOf(new TransferCase(Transfer.ToWardId ?? Guid.Empty, Transfer.Reason)), id, TransferCaseHandler.UseCase, HttpContext.RequestAborted));

    public Task<IActionResult> OnPostRevokeAsync(Guid id) => Write(id, "revoke", () =>
        cases.Run(WriteOf(new RevokeCase(Revoke.DecisionNumber, Revoke.Reason)), id, EndCaseHandler.Revoking, HttpContext.RequestAborted));

    public Task<IActionResult> OnPostCloseAsync(Guid id) => Write(id, "close", () =>
        cases.Run(WriteOf(new CloseCase(Close.Reason, Close.Note)), id, EndCaseHandler.Closing, HttpContext.RequestAborted));

    private Task<IActionResult> Write(Guid id, string form, Func<Task<Reply>> run) => WriteCase(id, form, run, LoadAsync);

    /// <summary>Reads the case through <see cref="Reads"/>, so each view is scoped and leaves an access record.</summary>
    private async Task<IActionResult?> LoadAsync(Guid id)
    {
        Id = id;
        var ct = HttpContext.RequestAborted;
        var read = await reads.Case(HttpContext, id, CaseAction.ReadHistory, async (actor, session, summary) =>
        {
            View = clock.View(summary);
            var events = await session.Events.FetchStreamAsync(id, token: ct);
            Names = await Lookup.LoadAsync(session, actor.Tenant, [summary.PersonId], ct,
                [.. Lookup.UsersNamedBy(events.Select(e => e.Data)), summary.MentorUserId, summary.SupervisorUserId, summary.PendingRecommendedBy]);
            Rows = [.. events.Select(e => Timeline.Row(e, L, Names)).Reverse()];
            if (actor.Role == Role.Supervisor) await LoadAssignmentChoicesAsync(session, ct);
            return Results.Empty;
        });
        if (read is Reply { IsSuccess: false } refused) return StatusCode(refused.Status);

        DecideReleaseAvailability();
        if (!string.IsNullOrWhiteSpace(AsOfAt) || AsOfVersion is not null) await LoadAsOfAsync(id);
        if (VerifyRequested && Me.Role == Role.Auditor)
        {
            await reads.Case(HttpContext, id, CaseAction.Verify, async (actor, _, _) =>
            {
                Verification = await chain.VerifyAsync(actor.Tenant, id, ct);
                return Results.Empty;
            });
        }

        return null;
    }

    private async Task LoadAsOfAsync(Guid id)
    {
        DateTimeOffset? at = null;
        if (DateTime.TryParse(AsOfAt, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
            at = new DateTimeOffset(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), clock.Offset);
        if (at is null && AsOfVersion is null) return;
        await reads.Case(HttpContext, id, CaseAction.ReadAsOf, async (_, session, _) =>
        {
            var then = await session.Events.AggregateStreamAsync<CaseSummary>(id, version: at is null ? AsOfVersion ?? 0 : 0, timestamp: at,
                token: HttpContext.RequestAborted);
            if (then is null) AsOfMissing = true;
            else AsOf = clock.View(then, at is { } a ? DateOnly.FromDateTime(a.DateTime) : Today);
            return Results.Empty;
        });
    }

    private async Task LoadAssignmentChoicesAsync(IQuerySession session, CancellationToken ct)
    {
        var ward = S.WardId;
        var orgs = Names.Organisations.Values.Where(o => o.WardId == ward).ToDictionary(o => o.Id);
        var orgIds = orgs.Keys.Select(o => (Guid?)o).ToArray();
        var tenant = Me.Tenant;
        var mentors = await session.Query<User>()
            .Where(u => u.Tenant == tenant && u.Role == Role.Reviewer && u.Active && orgIds.Contains(u.OrganisationId)).ToListAsync(ct);
        var supervisors = await session.Query<User>()
            .Where(u => u.Tenant == tenant && u.Role == Role.Supervisor && u.Active && u.WardIds.Contains(ward)).ToListAsync(ct);
        // Current load: open cases each mentor holds (the async Caseload projection may lag; this is exact).
        var held = await session.Query<CaseSummary>()
            .Where(s => s.WardId == ward && !CaseStatuses.Terminal.Contains(s.Status))
            .Where(s => s.MentorUserId != null).Select(s => new MentorHeld(s.MentorUserId)).ToListAsync(ct);
        var loads = held.GroupBy(m => m.MentorUserId!.Value).ToDictionary(g => g.Key, g => g.Count());
        Mentors = [.. mentors.Select(u => new MentorOption(u.Id, u.DisplayName, u.OrganisationId!.Value, orgs[u.OrganisationId.Value].Name,
                loads.GetValueOrDefault(u.Id)))
            .OrderBy(m => m.Organisation).ThenBy(m => m.ActiveCases).ThenBy(m => m.Name)];
        Supervisors = [.. supervisors.OrderBy(u => u.DisplayName)];
    }

    private void DecideReleaseAvailability()
    {
        string? Why(string code) => ExplainCode(code, null);
        if (S.IsTerminal) return;
        if (S.PendingGrounds is not null)
        {
            ReleaseBlocked[ReleaseGrounds.TermCompleted] = ReleaseBlocked[ReleaseGrounds.EarlyForProgress] = Why("release.already-recommended");
            return;
        }

        ReleaseBlocked[ReleaseGrounds.TermCompleted] = Today < S.EndsOn
            ? string.Format(CultureInfo.CurrentCulture, L["Release.TermEndsOn"], Date(S.EndsOn)) : null;
        var early = Rules.EarlyReleaseAllowed(S.StartsOn, S.EndsOn, S.LatestRatings,
            S.LastSeriousViolationOn is { } v ? [v] : [], Today);
        ReleaseBlocked[ReleaseGrounds.EarlyForProgress] = early is null ? null : ExplainCode(early.Code, early.Detail);
    }
}
