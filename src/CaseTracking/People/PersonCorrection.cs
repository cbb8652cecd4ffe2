using CaseTracking.Access;
using CaseTracking.Auditing;
using CaseTracking.Cases;
using CaseTracking.Infrastructure;
using FluentValidation;
using Marten;
using Wolverine.Http;

namespace CaseTracking.People;

public sealed record FieldChange(string Field, string? Old, string? New);

/// <summary>
/// One correction of a person record: who, when, why, each field's old and new value. Insert-only; the person record
/// is never changed without one. The access log (chained) records that the correction happened and which fields.
/// </summary>
public sealed class PersonCorrection
{
    public Guid Id { get; set; }
    public Guid PersonId { get; set; }
    public DateTimeOffset At { get; set; }
    public Guid By { get; set; }
    public string ByUsername { get; set; } = "";
    public string Reason { get; set; } = "";
    public List<FieldChange> Changes { get; set; } = [];
}

/// <summary>A field left out (null) stays as it is; an empty phone removes it.</summary>
public sealed record CorrectPerson(string? FullName, DateOnly? DateOfBirth, string? NationalId, string? Address, string? Phone, string? Reason)
{
    public sealed class Validator : AbstractValidator<CorrectPerson>
    {
        public Validator(DateWindow window)
        {
            RuleFor(x => x.Reason).NotEmpty().MaximumLength(1000);
            RuleFor(x => x.FullName).NotEmpty().MaximumLength(200).When(x => x.FullName is not null);
            RuleFor(x => x.DateOfBirth).Must(d => d is null || (d >= window.EarliestBirth && d <= window.Today))
                .WithMessage(_ => Messages.Format("DateWindow.Happened", window.EarliestBirth, window.Today));
            RuleFor(x => x.NationalId).Matches("^([0-9]{9}|[0-9]{12})$").When(x => x.NationalId is not null)
                .WithMessage(_ => Messages.Text("NationalId.Digits"));
            RuleFor(x => x.Address).NotEmpty().MaximumLength(500).When(x => x.Address is not null);
            RuleFor(x => x.Phone).MaximumLength(30).Must(Person.IsPhone).When(x => !string.IsNullOrWhiteSpace(x.Phone))
                .WithMessage(_ => Messages.Text("Phone.Format"));
        }
    }
}

public sealed record PersonCorrected(Guid PersonId, Guid CorrectionId, IReadOnlyList<string> Fields);

public static class PersonCorrectionEndpoint
{
    [WolverinePost("/api/people/{personId}/corrections")]
    [RequestBody(typeof(CorrectPerson))]
    public static Task<Reply> Post(Guid personId, HttpContext http, Writes writes) => writes.RunAsync(http, Correcting(personId));

    /// <summary>A correction of a person's record: an audited change with its history, never a silent overwrite.</summary>
    public static UseCase<CorrectPerson> Correcting(Guid personId) => new([Role.Supervisor], async ctx =>
        {
            var (cmd, actor, session) = (ctx.Command, ctx.Actor, ctx.Session);
            var person = await session.LoadAsync<Person>(personId, ctx.Cancellation);
            if (person is null || !actor.WardIds.Contains(person.WardId)) return Problems.NotFound("person");
            if (person.MaskedAt is not null)
                return Problems.Rule(new("person.masked", "This record was masked at the end of its retention period and can no longer be corrected."));

            var changes = new List<FieldChange>();
            void Change(string field, string? old, string? value)
            {
                if (value is not null && value != old) changes.Add(new FieldChange(field, old, value));
            }

            Change("fullName", person.FullName, cmd.FullName?.Trim());
            Change("dateOfBirth", DateWindow.Iso(person.DateOfBirth), cmd.DateOfBirth is { } d ? DateWindow.Iso(d) : null);
            Change("nationalId", person.NationalId, cmd.NationalId?.Trim());
            Change("address", person.Address, cmd.Address?.Trim());
            if (cmd.Phone is not null)
            {
                var phone = string.IsNullOrWhiteSpace(cmd.Phone) ? null : cmd.Phone.Trim();
                if (phone != person.Phone) changes.Add(new FieldChange("phone", person.Phone, phone));
            }

            if (changes.Count == 0) return Problems.Rule(new("person.no-change", "The correction changes nothing."));
            if (changes.Any(c => c.Field == "nationalId"))
            {
                var nationalId = cmd.NationalId!.Trim();
                if (await session.Query<Person>().AnyAsync(p => p.NationalId == nationalId && p.Id != personId, ctx.Cancellation))
                    return Problems.Conflict("person.national-id-taken", "A person with this national id is already registered.");
            }

            foreach (var c in changes)
            {
                switch (c.Field)
                {
                    case "fullName": person.FullName = c.New!; break;
                    case "dateOfBirth": person.DateOfBirth = cmd.DateOfBirth!.Value; break;
                    case "nationalId": person.NationalId = c.New!; break;
                    case "address": person.Address = c.New!; break;
                    case "phone": person.Phone = c.New; break;
                }
            }

            var correction = new PersonCorrection
            {
                Id = Guid.CreateVersion7(), PersonId = personId, At = ctx.Now, By = actor.UserId, ByUsername = actor.Username,
                Reason = cmd.Reason!.Trim(), Changes = changes
            };
            session.Store(person);
            session.Insert(correction);
            session.Insert(new AccessRecord
            {
                Id = Guid.CreateVersion7(), At = ctx.Now, UserId = actor.UserId, Username = actor.Username, Role = actor.Role,
                PersonId = personId, What = "CorrectPerson", Query = "fields=" + string.Join(',', changes.Select(c => c.Field))
            });
            return new Reply(StatusCodes.Status200OK, new PersonCorrected(personId, correction.Id, [.. changes.Select(c => c.Field)]));
        });
}
