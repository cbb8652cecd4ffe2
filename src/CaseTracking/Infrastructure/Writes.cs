using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using CaseTracking.Access;
using FluentValidation;
using Marten;
using Npgsql;

namespace CaseTracking.Infrastructure;

/// <summary>What one write request works with once its input is known to be well formed.</summary>
public sealed record WriteContext<TCommand>(HttpContext Http, TCommand Command, Actor Actor, IDocumentSession Session,
    DateOnly Today, DateTimeOffset Now, long? ExpectedVersion);

/// <summary>
/// The one pipeline every POST goes through: who acts (401), body shape (400 with field errors),
/// If-Match (400 when malformed), Idempotency-Key (replay, or 422 when reused for another body),
/// the use case itself, then one SaveChanges holding the events and the idempotency record.
/// A stale version or a lost race answers 409 and appends nothing.
/// </summary>
public sealed class Writes(IDocumentStore store, TimeProvider time, CaseTracking.Cases.CaseClock clock, IServiceProvider services, ActorResolver actors,
    ILogger<Writes> logger, IConfiguration configuration)
{
    private readonly long _maxBody = configuration.GetValue("CaseTracking:MaxJsonBodyBytes", 256L * 1024);

    public const string IdempotencyHeader = "Idempotency-Key";

    /// <summary>Runs one write; <paramref name="given"/> is the command when the UI already has it, else the body is read.</summary>
    public async Task<Reply> Run<TCommand>(HttpContext http, Role[] roles, Func<WriteContext<TCommand>, Task<Reply>> work,
        TCommand? given = default)
    {
        var actor = await actors.CurrentAsync(http);
        if (actor is null) return Problems.Problem(401, "Not signed in.", "Sign in first.", "auth.required");
        // The role decides before the input is even read: a 403 must not depend on the body.
        if (!roles.Contains(actor.Role)) return Problems.Forbidden($"A {actor.Role} may not do this.");

        var raw = given is null ? await ReadBodyAsync(http, _maxBody) : JsonSerializer.SerializeToUtf8Bytes(given, Json.Options);
        if (raw is null) return InputHygiene.TooLarge(_maxBody);
        // A page's command goes through the same reading as a body, so it meets the same text checks.
        var (command, bodyError) = Parse<TCommand>(raw);
        if (bodyError is not null) return bodyError;
        var validationError = await ValidateAsync(command!);
        if (validationError is not null) return validationError;

        var (expected, ifMatchError) = ParseIfMatch(http);
        if (ifMatchError is not null) return ifMatchError;

        await using var session = store.LightweightSession(actor.Tenant);
        session.CorrelationId = CorrelationOf(http);
        session.CausationId = http.TraceIdentifier;
        session.LastModifiedBy = actor.Username;

        var key = http.Request.Headers[IdempotencyHeader].ToString();
        var recordId = string.IsNullOrWhiteSpace(key) ? null : $"{actor.UserId:N}:{key}";
        var requestHash = Hash(http, raw);
        if (recordId is not null)
        {
            if (key.Length > 200) return Problems.Field(IdempotencyHeader, "An idempotency key has at most 200 characters.");
            var replay = await ReplayAsync(session, recordId, requestHash, http.RequestAborted);
            if (replay is not null) return replay;
        }

        var now = time.GetUtcNow();
        var today = clock.Today;
        var answer = await work(new(http, command!, actor, session, today, now, expected));
        if (!answer.IsSuccess)
        {
            // A concurrent twin may have committed between our first look and our decision: its
            // answer, not the rule it now appears to break, is what this repeat must return.
            return recordId is not null && await ReplayAsync(session, recordId, requestHash, http.RequestAborted) is { } twin
                ? twin
                : answer;
        }

        if (recordId is not null)
        {
            session.Insert(new IdempotencyRecord
            {
                Id = recordId, RequestHash = requestHash, Status = answer.Status, Location = answer.Location,
                Body = JsonSerializer.Serialize(answer.Body, Json.Options), At = now
            });
        }

        try
        {
            await session.SaveChangesAsync(http.RequestAborted);
        }
        catch (Exception e) when (IsConflict(e))
        {
            logger.LogInformation("Write to {Path} lost a race: {Message}", http.Request.Path, e.Message);
            if (recordId is not null)
            {
                await using var fresh = store.QuerySession(actor.Tenant);
                var replay = await ReplayAsync(fresh, recordId, requestHash, http.RequestAborted);
                if (replay is not null) return replay;
            }

            if (UniqueViolation(e) is { } constraint && constraint.Contains("national_id", StringComparison.Ordinal))
                return Problems.Conflict("person.national-id-taken", "A person with this national id was registered at the same moment.");
            if (UniqueViolation(e) == Cases.CasesModule.ActiveCaseIndex)
                return Problems.Rule(new("case.duplicate-active", "This person already has an active case of this kind (opened at the same moment)."));
            return Problems.Stale("Someone else changed this record at the same moment; nothing was saved. Reload and try again.");
        }

        return answer;
    }

    private static async Task<Reply?> ReplayAsync(IQuerySession session, string recordId, string requestHash, CancellationToken ct)
    {
        var record = await session.LoadAsync<IdempotencyRecord>(recordId, ct);
        if (record is null) return null;
        if (record.RequestHash != requestHash)
            return Problems.Rule(new("idempotency.key-reused", "This Idempotency-Key was already used for a different request."));
        return new Reply(record.Status, JsonSerializer.Deserialize<JsonElement>(record.Body), record.Location);
    }

    /// <summary>The body, or null when it is longer than <paramref name="limit"/> (read no further than that).</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpContext http, long limit)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await http.Request.Body.ReadAsync(chunk, http.RequestAborted)) > 0)
        {
            if (buffer.Length + read > limit) return null;
            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    public static (T? Value, Reply? Error) Parse<T>(byte[] raw)
    {
        // Routes that take no input (deactivate) accept an empty body.
        if (raw.Length == 0 && typeof(T) == typeof(Access.EmptyBody)) return ((T)(object)new Access.EmptyBody(), null);
        if (raw.Length == 0) return (default, Problems.Field("body", "A JSON body is required."));
        try
        {
            var value = JsonSerializer.Deserialize<T>(raw, Json.Options);
            return value is null ? (default, Problems.Field("body", "A JSON object is required.")) : (value, null);
        }
        catch (JsonException e)
        {
            var field = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "body" : e.Path.TrimStart('$', '.');
            var message = e is ControlCharacterException ? $"'{field}': {PlainTextConverter.ControlCharacterMessage}"
                : e.InnerException is FormatException or InvalidOperationException or JsonException
                ? $"'{field}' has a value of the wrong type or format."
                : $"'{field}' could not be read: the JSON is malformed or the value is not allowed.";
            return (default, Problems.Field(field, message));
        }
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

    public static (long? Version, Reply? Error) ParseIfMatch(HttpContext http)
    {
        var value = http.Request.Headers.IfMatch.ToString();
        if (string.IsNullOrWhiteSpace(value)) return (null, null);
        var trimmed = value.Trim();
        if (trimmed.StartsWith("W/", StringComparison.Ordinal)) trimmed = trimmed[2..];
        trimmed = trimmed.Trim('"');
        return long.TryParse(trimmed, out var version) && version >= 0
            ? (version, null)
            : (null, Problems.Field("If-Match", "If-Match must be the case version in quotes, e.g. \"3\"."));
    }

    public static string CorrelationOf(HttpContext http)
    {
        var given = http.Request.Headers["X-Correlation-Id"].ToString();
        if (!string.IsNullOrWhiteSpace(given) && given.Length <= 100) return given;
        var parent = http.Request.Headers["traceparent"].ToString().Split('-');
        if (parent.Length == 4 && parent[1].Length == 32) return parent[1];
        return Activity.Current?.TraceId.ToString() ?? Guid.CreateVersion7().ToString("N");
    }

    private static string Hash(HttpContext http, byte[] raw)
    {
        var head = System.Text.Encoding.UTF8.GetBytes($"{http.Request.Method} {http.Request.Path}\n");
        return Convert.ToHexString(SHA256.HashData([.. head, .. raw]));
    }

    private static string? UniqueViolation(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
            if (x is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } pg) return pg.ConstraintName ?? "";
        return null;
    }

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
