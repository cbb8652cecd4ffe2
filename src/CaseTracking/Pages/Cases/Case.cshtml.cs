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


public sealed record MentorHeld(Guid? MentorUserId);

public sealed record MentorOption(Guid UserId, string Name, Guid OrganisationId, string Organisation, int ActiveCases);

/// <summary>
/// One case for every role: the timeline, and the forms the user's role allows. Every form calls the
/// same use case as the API (…Endpoint.PostCommand), so rules and refusals are the API's.
/// </summary>
public sealed class CaseModel(IStringLocalizer<SharedResource> l, Reads reads, CaseWrites cases, CaseClock clock, HashChain chain,
    IDocumentStore store, TimeProvider time)
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

    /// <summary>A missed month the reviewer tapped: the review form opens on it.</summary>
    [BindProperty(SupportsGet = true, Name = "period")] public string? PickedPeriod { get; set; }

    /// <summary>Periods due up to this month that have no review yet, oldest first.</summary>
    public List<string> MissedPeriods { get; } = [];

    /// <summary>The review of the period the user just sent again, when it is already in the case (their own or a colleague's).</summary>
    public AlreadyLogged? AlreadyReviewed { get; private set; }

    /// <summary>Address (and phone) of the person, for the assigned organisation's reviewers; each read is logged.</summary>
    public Contact? PersonContact { get; private set; }
    [BindProperty(SupportsGet = true, Name = "at")] public string? AsOfAt { get; set; }

    /// <summary>"As it was on" a day, by business dates (start, reviews held, release effective…).</summary>
    [BindProperty(SupportsGet = true, Name = "on")] public string? AsOfOn { get; set; }

    /// <summary>The events of the past state shown (the timeline is cut there too).</summary>
    public List<TimelineRow> AsOfRows { get; private set; } = [];

    /// <summary>Which reading the past state is: "on" (business dates), "at" (recorded moment), "version".</summary>
    public string? AsOfReading { get; private set; }

    public string? AsOfLabel { get; private set; }
    [BindProperty(SupportsGet = true, Name = "version")] public long? AsOfVersion { get; set; }
    [BindProperty(SupportsGet = true, Name = "verify")] public bool VerifyRequested { get; set; }

    public CaseView? AsOf { get; private set; }

    /// <summary>The case as decisions see it, for asking a use case's rule what is possible today.</summary>
    private Case? WriteModel { get; set; }

    private IReadOnlyList<JasperFx.Events.IEvent> Events { get; set; } = [];

    /// <summary>
    /// The volunteer needs to reach the person: address (and phone), shown only to the assigned organisation's
    /// reviewers (the read path already checked that scope) and logged as a read of personal data.
    /// </summary>
    private async Task LoadContactAsync(Actor actor, CaseSummary summary, CancellationToken ct)
    {
        if (summary.IsTerminal || summary.OrganisationId != actor.OrganisationId) return;
        await using var session = store.LightweightSession(actor.Tenant);
        var person = await session.LoadAsync<CaseTracking.People.Person>(summary.PersonId, ct);
        if (person is null) return;
        PersonContact = new Contact(person.Address, person.Phone);
        session.Insert(new AccessRecord
        {
            Id = Guid.CreateVersion7(), At = time.GetUtcNow(), UserId = actor.UserId, Username = actor.Username, Role = actor.Role,
            CaseId = summary.Id, PersonId = person.Id, What = "ReadPersonContact"
        });
        await session.SaveChangesAsync(ct);
    }

    private void FindMissedPeriods(Case state)
    {
        if (state.IsTerminal) return;
        var first = new DateOnly(state.StartsOn.Year, state.StartsOn.Month, 1);
        var endMonth = new DateOnly(state.EndsOn.Year, state.EndsOn.Month, 1);
        var thisMonth = new DateOnly(Today.Year, Today.Month, 1);
        var last = endMonth < thisMonth ? endMonth : thisMonth;
        var every = Math.Max(1, Kind.ReviewEveryMonths);
        for (var month = first; month <= last; month = month.AddMonths(every))
        {
            var period = Rules.PeriodOf(month);
            if (!state.Reviews.ContainsKey(period)) MissedPeriods.Add(period);
        }
    }
    public bool AsOfMissing { get; private set; }
    public VerifyResult? Verification { get; private set; }

    // Each form binds its use case's command itself (the partials beside the use cases name fields "Review.Period"...).
    [BindProperty] public LogReview Review { get; set; } = new(null, null, null, null);
    [BindProperty] public RecordProgress Progress { get; set; } = new(null, null, null, null);
    [BindProperty] public RecommendRelease Recommend { get; set; } = new(null, null);
    [BindProperty] public AssignCase Assign { get; set; } = new(Guid.Empty, Guid.Empty, Guid.Empty, null);
    [BindProperty] public RecordViolation Violation { get; set; } = new(null, null, null);
    [BindProperty] public ChangeTerm Term { get; set; } = new(null, null, null);
    [BindProperty] public TransferCase Transfer { get; set; } = new(Guid.Empty, null);
    [BindProperty] public RevokeCase Revoke { get; set; } = new(null, null);
    [BindProperty] public CloseCase Close { get; set; } = new(null, null);

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
        // A month that can be saved: the one the user picked, else the earliest one due and not reviewed yet.
        var period = PickedPeriod is { } picked && MissedPeriods.Contains(picked) ? picked : MissedPeriods.FirstOrDefault();
        Review = Review with { Period = period, HeldOn = Today };
        Progress = Progress with { RecordedOn = Today };
        Violation = Violation with { OccurredOn = Today };
        Assign = Assign with
        {
            SupervisorUserId = S.SupervisorUserId ?? (Me.Role == Role.Supervisor ? Me.UserId : Guid.Empty),
            MentorUserId = S.MentorUserId ?? Guid.Empty
        };
        Recommend = Recommend with { Grounds = ReleaseBlocked.FirstOrDefault(kv => kv.Value is null).Key };
        return Page();
    }

    public async Task<IActionResult> OnPostReviewAsync(Guid id)
    {
        var result = await Write(id, "review", () => cases.Run(WriteOf(Review), id, LogReviewHandler.UseCase, HttpContext.RequestAborted));
        // Sent again after the answer was lost (or a colleague was quicker): say what is already saved, not "refused".
        if (FailedForm == "review" && Errors.Count == 0 && Review.Period is { } sent
            && Events.Select(e => e.Data).OfType<ReviewLogged>().LastOrDefault(r => r.Period == sent) is { } logged)
        {
            var at = Events.First(e => ReferenceEquals(e.Data, logged));
            AlreadyReviewed = new AlreadyLogged(logged.Period, logged.HeldOn, logged.Rating, Names.User(logged.LoggedBy), at.Timestamp,
                logged.LoggedBy == Me.UserId);
            ErrorMessage = null;
        }

        return result;
    }

    public Task<IActionResult> OnPostProgressAsync(Guid id) => Write(id, "progress", () =>
        cases.Run(WriteOf(Progress), id, RecordProgressHandler.UseCase, HttpContext.RequestAborted));

    public Task<IActionResult> OnPostRecommendAsync(Guid id) => Write(id, "recommend", () =>
        cases.Run(WriteOf(Recommend), id, RecommendReleaseHandler.UseCase, HttpContext.RequestAborted));

    public Task<IActionResult> OnPostAssignAsync(Guid id) => Write(id, "assign", async () =>
    {
        // The mentor decides the organisation: the form offers mentors grouped by organisation.
        var organisationId = Guid.Empty;
        if (Assign.MentorUserId != Guid.Empty)
        {
            await using var session = HttpContext.RequestServices.GetRequiredService<IDocumentStore>().QuerySession(Me.Tenant);
            var mentor = await session.LoadAsync<User>(Assign.MentorUserId, HttpContext.RequestAborted);
            if (mentor is { OrganisationId: { } org } && mentor.Tenant == Me.Tenant) organisationId = org;
        }

        var reply = await cases.Run(WriteOf(Assign with { OrganisationId = organisationId }), id, AssignCaseHandler.UseCase, HttpContext.RequestAborted);
        // The form has no organisation field: without a mentor, the mentor field says what to do.
        if (reply.FieldErrors.ContainsKey("organisationId") && reply.FieldErrors.ContainsKey("mentorUserId")) reply.FieldErrors.Remove("organisationId");
        return reply;
    });

    public Task<IActionResult> OnPostViolationAsync(Guid id) => Write(id, "violation", () =>
        cases.Run(WriteOf(Violation), id, RecordViolationHandler.UseCase, HttpContext.RequestAborted));

    public Task<IActionResult> OnPostTermAsync(Guid id) => Write(id, "term", () =>
        cases.Run(WriteOf(Term), id, ChangeTermHandler.UseCase, HttpContext.RequestAborted));

    /// <summary>The user ticked "I confirm …" on a form whose effect cannot be undone from this page.</summary>
    [BindProperty] public bool Confirmed { get; set; }

    /// <summary>
    /// After a transfer the case may be out of the supervisor's wards: land on a confirmation naming the new ward,
    /// not on a case page that now answers "not found".
    /// </summary>
    public async Task<IActionResult> OnPostTransferAsync(Guid id)
    {
        if (Unconfirmed("transfer") is { } ask) return await ask(id);
        var reply = await cases.Run(WriteOf(Transfer), id, TransferCaseHandler.UseCase, HttpContext.RequestAborted);
        if (reply.IsSuccess) return Redirect($"/supervise?transferred={Transfer.ToWardId}#done");
        return await WriteCase(id, "transfer", () => Task.FromResult(reply), LoadAsync);
    }

    public Task<IActionResult> OnPostRevokeAsync(Guid id) => Unconfirmed("revoke") is { } ask ? ask(id) : Write(id, "revoke", () =>
        cases.Run(WriteOf(Revoke), id, EndCaseHandler.Revoking, HttpContext.RequestAborted));

    public Task<IActionResult> OnPostCloseAsync(Guid id) => Unconfirmed("close") is { } ask ? ask(id) : Write(id, "close", () =>
        cases.Run(WriteOf(Close), id, EndCaseHandler.Closing, HttpContext.RequestAborted));

    /// <summary>Without the confirmation ticked, the same form again with the question marked, nothing sent.</summary>
    private Func<Guid, Task<IActionResult>>? Unconfirmed(string form) => Confirmed ? null : async id =>
    {
        FailedForm = form;
        Errors["confirmed"] = [L["Confirm.Required"]];
        ErrorMessage = L["Form.Invalid"];
        return await LoadAsync(id) ?? Page();
    };

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
            Events = events;
            Names = await Lookup.LoadAsync(session, actor.Tenant, [summary.PersonId], ct,
                [.. Lookup.UsersNamedBy(events.Select(e => e.Data)), summary.MentorUserId, summary.SupervisorUserId, summary.PendingRecommendedBy]);
            Rows = [.. events.Select(e => Timeline.Row(e, L, Names)).Reverse()];
            WriteModel = await session.Events.AggregateStreamAsync<Case>(id, token: ct);
            if (WriteModel is { } state) FindMissedPeriods(state);
            if (actor.Role == Role.Supervisor) await LoadAssignmentChoicesAsync(session, ct);
            if (actor.Role == Role.Reviewer) await LoadContactAsync(actor, summary, ct);
            return Results.Empty;
        });
        if (read is Reply { IsSuccess: false } refused) return StatusCode(refused.Status);

        if (WriteModel is { } state) DecideReleaseAvailability(state);
        if (!string.IsNullOrWhiteSpace(AsOfAt) || !string.IsNullOrWhiteSpace(AsOfOn) || AsOfVersion is not null) await LoadAsOfAsync(id);
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

    /// <summary>
    /// The case in the past, in one of two readings: as it was on a day (events whose business date is on or before
    /// it: a late-registered case existed from its start), or as the system knew it at a recorded moment (or version).
    /// </summary>
    private async Task LoadAsOfAsync(Guid id)
    {
        var ct = HttpContext.RequestAborted;
        DateOnly? on = ParseDate(AsOfOn);
        DateTimeOffset? at = null;
        if (on is null && DateTime.TryParse(AsOfAt, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
            at = new DateTimeOffset(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), clock.Offset);
        if (on is null && at is null && AsOfVersion is null) return;
        await reads.Case(HttpContext, id, CaseAction.ReadAsOf, async (_, session, _) =>
        {
            var events = await session.Events.FetchStreamAsync(id, token: ct);
            var kept = on is { } day ? events.Where(e => BusinessDate.Of(e, clock.Offset) <= day).ToList()
                : at is { } moment ? events.Where(e => e.Timestamp <= moment).ToList()
                : events.Where(e => e.Version <= AsOfVersion).ToList();
            if (kept.Count == 0 || kept[0].Data is not CaseOpened)
            {
                AsOfMissing = true;
                return Results.Empty;
            }

            var aggregator = ((StoreOptions)store.Options).Projections.AggregatorFor<CaseSummary>();
            var then = await aggregator.BuildAsync(kept, session, null, ct);
            if (then is null) { AsOfMissing = true; return Results.Empty; }
            then.Version = kept[^1].Version;
            AsOf = clock.View(then, on ?? (at is { } a ? DateOnly.FromDateTime(a.ToOffset(clock.Offset).DateTime) : Today));
            AsOfRows = [.. kept.Select(e => Timeline.Row(e, L, Names)).Reverse()];
            (AsOfReading, AsOfLabel) = on is { } d ? ("on", string.Format(CultureInfo.CurrentCulture, L["AsOf.OnLabel"], Date(d)))
                : at is { } m ? ("at", string.Format(CultureInfo.CurrentCulture, L["AsOf.AtLabel"], When(m)))
                : ("version", string.Format(CultureInfo.CurrentCulture, L["AsOf.VersionLabel"], AsOfVersion));
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

    /// <summary>
    /// Which grounds can be recommended today, asked of the use case's own rule (<see cref="RecommendReleaseHandler.Validate"/>)
    /// on the case's write model, so the page never restates it.
    /// </summary>
    private void DecideReleaseAvailability(Case state)
    {
        if (state.IsTerminal) return;
        var by = new Acting(Me, Today, Kind, S.Version, Guid.Empty);
        foreach (var grounds in System.Enum.GetValues<ReleaseGrounds>())
        {
            var refused = RecommendReleaseHandler.Validate(state with { Version = S.Version }, new RecommendRelease(grounds, "-"), by);
            ReleaseBlocked[grounds] = refused switch
            {
                null => null,
                { Code: "release.term-not-completed" } => string.Format(CultureInfo.CurrentCulture, L["Release.TermEndsOn"], Date(state.EndsOn)),
                _ => ExplainCode(refused.Code, refused.Detail)
            };
        }
    }
}

public sealed record AlreadyLogged(string Period, DateOnly HeldOn, ReviewRating Rating, string By, DateTimeOffset At, bool ByMe);

public sealed record Contact(string Address, string? Phone);
