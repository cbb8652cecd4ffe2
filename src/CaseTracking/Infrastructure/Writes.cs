using System.Text.Json;
using CaseTracking.Access;
using FluentValidation;
using Marten;
using Npgsql;

namespace CaseTracking.Infrastructure;

/// <summary>
/// One write as every caller makes it: the API (<see cref="HttpWrites"/>), a page's form (<c>UiPage.Request</c>), an
/// importer. <see cref="Fingerprint"/> identifies the request's content for idempotent replay.
/// </summary>
public sealed record WriteRequest<TCommand>(Actor Actor, TCommand Command, long? ExpectedVersion, string? IdempotencyKey,
    string Fingerprint, string CorrelationId, string CausationId)
{
    /// <summary>When the user saved it on their device (an offline write sent later: <c>X-Captured-At</c>); null when sent at once.</summary>
    public DateTimeOffset? CapturedAt { get; init; }
}

/// <summary>What one write works with once its input is known to be well formed.</summary>
public sealed record WriteContext<TCommand>(TCommand Command, Actor Actor, IDocumentSession Session, DateOnly Today,
    DateTimeOffset Now, long? ExpectedVersion, IServiceProvider Services, CancellationToken Cancellation)
{
    internal List<Action> Saved { get; } = [];

    /// <summary>Runs <paramref name="action"/> once the write is committed (e.g. forget a cached user).</summary>
    public void OnSaved(Action action) => Saved.Add(action);
}

/// <summary>A write that is not to one case's stream (registering a person, opening a case, admin changes).</summary>
public sealed record UseCase<TCommand>(Role[] Roles, Func<WriteContext<TCommand>, Task<Reply>> Handle)
{
    /// <summary>False when the answer holds a secret (a one-time password): it is then never stored for a replay.</summary>
    public bool Idempotent { get; init; } = true;
}

/// <summary>
/// The one pipeline every write goes through, whoever calls it: role (403), fields (400), Idempotency-Key (replay,
/// or 422 when reused for another request), the use case, then one SaveChanges holding its documents or events and
/// the idempotency record. A stale version or a lost race answers 409 and saves nothing.
/// </summary>
public sealed class Writes(IDocumentStore store, TimeProvider time, CaseTracking.Cases.CaseClock clock, IServiceProvider services,
    Provinces.ProvinceDatabases databases, ILogger<Writes> logger)
{
    public const string IdempotencyHeader = "Idempotency-Key";

    public async Task<Reply> Run<TCommand>(WriteRequest<TCommand> request, UseCase<TCommand> useCase, CancellationToken ct) =>
        await Run(useCase.Idempotent ? request : request with { IdempotencyKey = null }, useCase.Roles, useCase.Handle, ct);

    /// <param name="oneConnection">
    /// Run the whole write on one connection of its own (<see cref="CaseWrites"/>): the idempotency look-up, the stream
    /// and summary reads and the commit, instead of Marten taking a pooled connection for each and Npgsql resetting it
    /// every time (four resets a review; on one connection 10 % more reviews/s in an A/B run, ADR 0013). Only for work that
    /// takes no other connection while this one is held: with a pool of eight, writes each holding one and waiting for
    /// a second could wait on each other.
    /// </param>
    public async Task<Reply> Run<TCommand>(WriteRequest<TCommand> request, Role[] roles, Func<WriteContext<TCommand>, Task<Reply>> work,
        CancellationToken ct, bool oneConnection = false)
    {
        var actor = request.Actor;
        if (!roles.Contains(actor.Role)) return Problems.Forbidden($"A {actor.Role} may not do this.");
        if (await ValidateAsync(request.Command) is { } invalid) return invalid;
        if (request.IdempotencyKey is { Length: > 200 }) return Problems.Field(IdempotencyHeader, "An idempotency key has at most 200 characters.");

        await using var connection = oneConnection ? await databases.OpenAsync(actor.Tenant, ct) : null;
        await using var session = connection is null ? store.LightweightSession(actor.Tenant) : store.LightweightSession(On(connection, actor.Tenant));
        session.CorrelationId = request.CorrelationId;
        session.CausationId = request.CausationId;
        session.LastModifiedBy = actor.Username;

        var recordId = string.IsNullOrWhiteSpace(request.IdempotencyKey) ? null : $"{actor.UserId:N}:{request.IdempotencyKey}";
        if (recordId is not null && await ReplayAsync(session, recordId, request.Fingerprint, ct) is { } replay) return replay;

        var now = time.GetUtcNow();
        var context = new WriteContext<TCommand>(request.Command, actor, session, clock.Today, now, request.ExpectedVersion, services, ct);
        var answer = await work(context);
        if (!answer.IsSuccess)
        {
            // A concurrent twin may have committed between our first look and our decision: its answer, not the
            // rule it now appears to break, is what this repeat must return.
            return recordId is not null && await ReplayAsync(session, recordId, request.Fingerprint, ct) is { } twin ? twin : answer;
        }

        if (recordId is not null)
        {
            session.Insert(new IdempotencyRecord
            {
                Id = recordId, RequestHash = request.Fingerprint, Status = answer.Status, Location = answer.Location,
                Body = JsonSerializer.Serialize(answer.Body, Json.Options), At = now
            });
        }

        try
        {
            await session.SaveChangesAsync(ct);
        }
        catch (Exception e) when (IsConflict(e))
        {
            logger.LogInformation("A {Command} lost a race: {Message}", typeof(TCommand).Name, e.Message);
            if (recordId is not null)
            {
                // On this write's own connection when it has one (its transaction was rolled back): never a second one.
                await using var fresh = connection is null ? store.QuerySession(actor.Tenant) : store.QuerySession(On(connection, actor.Tenant));
                if (await ReplayAsync(fresh, recordId, request.Fingerprint, ct) is { } winner) return winner;
            }

            return UniqueViolation(e) switch
            {
                People.PeopleModule.NationalIdIndex => Problems.Conflict("person.national-id-taken", "A person with this national id was registered at the same moment."),
                Cases.CasesModule.ActiveCaseIndex => Problems.Rule(new("case.duplicate-active", "This person already has an active case of this kind (opened at the same moment).")),
                _ => LostRace()
            };

            static Reply LostRace()
            {
                Hosting.Telemetry.WriteConflicts.Add(1, new KeyValuePair<string, object?>("kind", "race"));
                return Problems.Stale("Someone else changed this record at the same moment; nothing was saved. Reload and try again.");
            }
        }

        foreach (var saved in context.Saved) saved();
        return answer;
    }

    /// <summary>A session of <paramref name="tenant"/> on a connection the caller opened (to that province's database) and disposes.</summary>
    private static Marten.Services.SessionOptions On(NpgsqlConnection connection, string tenant)
    {
        var options = Marten.Services.SessionOptions.ForConnection(connection);
        options.TenantId = tenant;
        return options;
    }

    private static async Task<Reply?> ReplayAsync(IQuerySession session, string recordId, string fingerprint, CancellationToken ct)
    {
        var record = await session.LoadAsync<IdempotencyRecord>(recordId, ct);
        if (record is null) return null;
        if (record.RequestHash != fingerprint)
            return Problems.Rule(new("idempotency.key-reused", "This Idempotency-Key was already used for a different request."));
        return new Reply(record.Status, JsonSerializer.Deserialize<JsonElement>(record.Body), record.Location);
    }

    private async Task<Reply?> ValidateAsync<T>(T command)
    {
        var validator = services.GetService<IValidator<T>>();
        if (validator is null) return null;
        var result = await validator.ValidateAsync(command);
        if (result.IsValid) return null;
        var errors = result.Errors
            .GroupBy(e => CamelPath(e.PropertyName))
            .ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage).Distinct().ToArray());
        return Problems.Validation(errors);
    }

    private static string CamelPath(string path) =>
        string.Join('.', path.Split('.').Select(p => p.Length == 0 ? p : char.ToLowerInvariant(p[0]) + p[1..]));

    private static string? UniqueViolation(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
            if (x is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } pg) return pg.ConstraintName ?? "";
        return null;
    }

    /// <summary>
    /// A lost race: Marten's version checks (every stream and document concurrency exception derives from
    /// <see cref="JasperFx.ConcurrencyException"/>), a document or stream inserted twice, or a unique index.
    /// </summary>
    public static bool IsConflict(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
        {
            if (x is JasperFx.ConcurrencyException or JasperFx.DocumentAlreadyExistsException
                or JasperFx.Events.ExistingStreamIdCollisionException) return true;
            if (x is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation }) return true;
        }

        return false;
    }
}
