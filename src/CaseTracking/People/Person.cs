using CaseTracking.Access;
using CaseTracking.Cases;
using CaseTracking.Infrastructure;
using FluentValidation;
using Marten;
using Wolverine.Http;

namespace CaseTracking.People;

/// <summary>
/// The only place personal data lives. Events refer to a person by id, so retention masking touches
/// this document and nothing else of identity.
/// </summary>
public sealed class Person
{
    public Guid Id { get; set; }
    public string FullName { get; set; } = "";
    public DateOnly DateOfBirth { get; set; }
    public string NationalId { get; set; } = "";
    public string Address { get; set; } = "";

    /// <summary>Optional; shown to the assigned organisation, who needs to reach the person.</summary>
    public string? Phone { get; set; }

    public Guid WardId { get; set; }
    public DateTimeOffset RegisteredAt { get; set; }
    public Guid RegisteredBy { get; set; }

    /// <summary>Set when retention masked the record (name, national id, address, phone replaced); then it is never corrected again.</summary>
    public DateTimeOffset? MaskedAt { get; set; }

    public Guid? MaskedByRun { get; set; }

    /// <summary>Phone numbers as people write them: digits, spaces, dots, dashes, an optional leading +; 8 to 15 digits.</summary>
    public const string PhonePattern = @"^\+?[0-9][0-9 .\-]{6,22}[0-9]$";

    public static bool IsPhone(string? phone) =>
        phone is not null && System.Text.RegularExpressions.Regex.IsMatch(phone, PhonePattern)
        && phone.Count(char.IsAsciiDigit) is >= 8 and <= 15;
}

public sealed record RegisterPerson(string? FullName, DateOnly? DateOfBirth, string? NationalId, string? Address, Guid WardId, string? Phone = null)
{
    public sealed class Validator : AbstractValidator<RegisterPerson>
    {
        public Validator(DateWindow window)
        {
            RuleFor(x => x.FullName).NotEmpty().MaximumLength(200);
            RuleFor(x => x.DateOfBirth).NotNull().Must(d => d is null || (d >= window.EarliestBirth && d <= window.Latest))
                .WithMessage(_ => Messages.Format("DateWindow.Outside", window.EarliestBirth, window.Latest));
            // Vietnamese citizen id: 12 digits (older cards 9).
            RuleFor(x => x.NationalId).NotEmpty().Matches("^([0-9]{9}|[0-9]{12})$")
                .WithMessage(_ => Messages.Text("NationalId.Digits"));
            RuleFor(x => x.Address).NotEmpty().MaximumLength(500);
            RuleFor(x => x.WardId).NotEmpty();
            RuleFor(x => x.Phone).MaximumLength(30).Must(Person.IsPhone).When(x => !string.IsNullOrWhiteSpace(x.Phone))
                .WithMessage(_ => Messages.Text("Phone.Format"));
        }
    }
}

public sealed record PersonCreated(Guid PersonId);

public static class PersonEndpoints
{
    /// <summary>Registering a person: a supervisor, in one of their wards, once per national id in the province.</summary>
    public static readonly UseCase<RegisterPerson> Registering = new([Role.Supervisor], async ctx =>
    {
        var (cmd, actor, session) = (ctx.Command, ctx.Actor, ctx.Session);
        if (!actor.WardIds.Contains(cmd.WardId)) return Problems.Forbidden("You may register people only in your own wards.");
        if (cmd.DateOfBirth!.Value > ctx.Today) return Problems.Rule(new("person.born-in-future", "The date of birth lies in the future."));

        var nationalId = cmd.NationalId!.Trim();
        var existing = await session.Query<Person>().Where(p => p.NationalId == nationalId).Select(p => p.Id).ToListAsync(ctx.Cancellation);
        if (existing.Count > 0)
            return Problems.Conflict("person.national-id-taken", "A person with this national id is already registered.", new { personId = existing[0] });

        var person = new Person
        {
            Id = Guid.CreateVersion7(), FullName = cmd.FullName!.Trim(), DateOfBirth = cmd.DateOfBirth.Value,
            NationalId = nationalId, Address = cmd.Address!.Trim(), Phone = string.IsNullOrWhiteSpace(cmd.Phone) ? null : cmd.Phone.Trim(),
            WardId = cmd.WardId, RegisteredAt = ctx.Now,
            RegisteredBy = actor.UserId
        };
        // Insert, not Store: the unique index on national id turns a race into a 409 instead of an overwrite.
        session.Insert(person);
        return new Reply(StatusCodes.Status201Created, new PersonCreated(person.Id), $"/api/people/{person.Id}");
    });

    [WolverinePost("/api/people")]
    [RequestBody(typeof(RegisterPerson))]
    public static Task<Reply> Register(HttpContext http, Writes writes) => writes.RunAsync(http, Registering);

    [WolverineGet("/api/people/{personId}")]
    public static async Task<IResult> Get(Guid personId, HttpContext http, ActorResolver actors, IDocumentStore store, TimeProvider time)
    {
        var actor = await actors.CurrentAsync(http);
        if (actor is null) return Results.Unauthorized();
        if (actor.Role is not (Role.Supervisor or Role.Auditor or Role.Reviewer))
            return Problems.Forbidden("Only supervisors, auditors and the person's mentors read person records.");
        await using var session = store.LightweightSession(actor.Tenant);
        var person = await session.LoadAsync<Person>(personId, http.RequestAborted);
        // A mentor sees the people of the cases assigned to their organisation, no one else.
        var inScope = person is not null && actor.Role switch
        {
            Role.Supervisor => actor.WardIds.Contains(person.WardId),
            Role.Reviewer => actor.OrganisationId is { } org
                && await session.Query<CaseSummary>().AnyAsync(s => s.PersonId == personId && s.OrganisationId == org, http.RequestAborted),
            _ => true
        };
        if (!inScope) return Problems.NotFound("person");

        // Personal data read: logged like a case read, in the same request.
        session.Insert(new Auditing.AccessRecord
        {
            Id = Guid.CreateVersion7(), At = time.GetUtcNow(), UserId = actor.UserId, Username = actor.Username, Role = actor.Role,
            PersonId = personId, What = "ReadPerson"
        });
        await session.SaveChangesAsync(http.RequestAborted);
        return Results.Json(person, Json.Options);
    }

    /// <summary>Search by national id or name, for the supervisor opening a case.</summary>
    [WolverineGet("/api/people")]
    public static async Task<IResult> Search(string? q, HttpContext http, ActorResolver actors, IDocumentStore store, PersonSearch search)
    {
        var actor = await actors.CurrentAsync(http);
        if (actor is null) return Results.Unauthorized();
        if (actor.Role is not (Role.Supervisor or Role.Auditor)) return Problems.Forbidden("Only supervisors and auditors search people.");
        if (string.IsNullOrWhiteSpace(q) || q.Trim().Length < 2) return Problems.Field("q", Messages.Text("Search.TooShort"));
        await using var session = store.QuerySession(actor.Tenant);
        if (q.Length > 200) return Problems.Field("q", "Search with at most 200 characters.");
        return Results.Json(await search.FindAsync(session, actor, q, http.RequestAborted), Json.Options);
    }
}
