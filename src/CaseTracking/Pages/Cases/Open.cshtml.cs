using CaseTracking.Access;
using CaseTracking.Cases;
using CaseTracking.Cases.Opening;
using CaseTracking.Infrastructure;
using CaseTracking.People;
using CaseTracking.Web;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace CaseTracking.Pages.Cases;

public sealed class PersonInput { public string? FullName { get; set; } public string? DateOfBirth { get; set; } public string? NationalId { get; set; } public string? Address { get; set; } public string? Phone { get; set; } public Guid? WardId { get; set; } }

public sealed class OpenInput
{
    public Guid? PersonId { get; set; }
    public SupervisionKind? Kind { get; set; }
    public string? DecisionNumber { get; set; }
    public string? IssuedBy { get; set; }
    public string? IssuedOn { get; set; }
    public string? StartsOn { get; set; }
    public string? EndsOn { get; set; }
    public Guid? WardId { get; set; }
}

/// <summary>Open a case: find the person (or register them), then the legal basis and the term.</summary>
public sealed class OpenModel(IStringLocalizer<SharedResource> l, IDocumentStore store, Writes writes, SupervisionKinds kinds, CaseClock clock)
    : UiPage(l)
{
    protected override Role[] Allowed => [Role.Supervisor];

    [BindProperty(SupportsGet = true, Name = "q")] public string? Query { get; set; }
    [BindProperty(SupportsGet = true, Name = "personId")] public Guid? ChosenPersonId { get; set; }

    [BindProperty] public PersonInput Person { get; set; } = new();
    [BindProperty] public OpenInput Open { get; set; } = new();

    public List<Person> Found { get; private set; } = [];
    public Guid? ExistingPersonId { get; private set; }
    public Person? Chosen { get; private set; }
    public List<Ward> MyWards { get; private set; } = [];
    public IReadOnlyList<KindRule> Kinds => kinds.All;

    /// <summary>The term in months as the decision states it ("24 tháng"); the end date follows from the start.</summary>
    [BindProperty] public int? TermMonths { get; set; }


    public DateOnly Today => clock.Today;

    public async Task OnGetAsync() => await LoadAsync();

    /// <summary>htmx: the search results only, as the user types.</summary>
    public async Task<IActionResult> OnGetSearchAsync()
    {
        await LoadAsync();
        return Partial("_People", this);
    }

    public async Task<IActionResult> OnPostPersonAsync()
    {
        var reply = await writes.Run(WriteOf(
            new RegisterPerson(Person.FullName, ParseDate(Person.DateOfBirth), Person.NationalId, Person.Address, Person.WardId ?? Guid.Empty, Person.Phone),
            withVersion: false), PersonEndpoints.Registering, HttpContext.RequestAborted);
        if (reply.IsSuccess && reply.Body is PersonCreated created) return Redirect($"/cases/open?personId={created.PersonId}");
        Show(reply, "person");
        // Already registered: offer that person (if in the supervisor's wards) instead of a dead end.
        if (reply.Code == "person.national-id-taken")
        {
            await using var session = store.QuerySession(Me.Tenant);
            var nationalId = Person.NationalId?.Trim();
            var wards = Me.WardIds.ToArray();
            var existing = await session.Query<CaseTracking.People.Person>()
                .Where(p => p.NationalId == nationalId && wards.Contains(p.WardId)).Select(p => p.Id).ToListAsync(HttpContext.RequestAborted);
            ExistingPersonId = existing.Count > 0 ? existing[0] : null;
        }
        await LoadAsync();
        return Page();
    }

    public async Task<IActionResult> OnPostOpenAsync()
    {
        ChosenPersonId = Open.PersonId;
        var cmd = new OpenCase(Open.PersonId ?? Guid.Empty, Open.Kind,
            new LegalBasisInput(Open.DecisionNumber, Open.IssuedBy, ParseDate(Open.IssuedOn)),
            ParseDate(Open.StartsOn), EndsOnFromForm(), Open.WardId ?? Guid.Empty);
        var reply = await writes.Run(WriteOf(cmd, withVersion: false), OpenCaseHandler.UseCase(kinds), HttpContext.RequestAborted);
        if (reply.IsSuccess && reply.Body is CaseCreated created) return Redirect($"/cases/{created.CaseId}?done=open");
        Show(reply, "open");
        await LoadAsync();
        return Page();
    }

    private async Task LoadAsync()
    {
        var ct = HttpContext.RequestAborted;
        await using var session = store.QuerySession(Me.Tenant);
        var wardIds = Me.WardIds.ToArray();
        MyWards = [.. (await session.LoadManyAsync<Ward>(ct, wardIds)).OrderBy(w => w.Name)];
        if (ChosenPersonId is { } id)
        {
            var person = await session.LoadAsync<Person>(id, ct);
            if (person is not null && wardIds.Contains(person.WardId)) Chosen = person;
        }

        var term = Query?.Trim();
        if (term is { Length: >= 2 })
        {
            // The same search as GET /api/people: national id exactly, or part of the name, in the user's wards.
            Found = [.. await HttpContext.RequestServices.GetRequiredService<PersonSearch>().FindAsync(session, Me, term, ct)];
            // Not found: the new-person form starts with what was typed as the name (not an id).
            if (!term.All(char.IsAsciiDigit)) Person.FullName ??= term;
        }

        Open.WardId ??= Chosen?.WardId ?? MyWards.FirstOrDefault()?.Id;
        Person.WardId ??= MyWards.FirstOrDefault()?.Id;
    }

    /// <summary>
    /// The end date as typed, else from the term in months (a term "from 1 Jan, 12 months" ends on 31 Dec, as decisions
    /// are written); the page's script fills it in as the user types, this covers a browser without script.
    /// </summary>
    private DateOnly? EndsOnFromForm() =>
        ParseDate(Open.EndsOn) ?? (ParseDate(Open.StartsOn) is { } start && TermMonths is > 0 and <= 600
            ? start.AddMonths(TermMonths.Value).AddDays(-1) : null);
}
