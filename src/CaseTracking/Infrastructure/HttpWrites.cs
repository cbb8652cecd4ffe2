using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using CaseTracking.Access;
using CaseTracking.Cases;

namespace CaseTracking.Infrastructure;

/// <summary>
/// The HTTP edge of a write: who acts (401), the role (403, before the body is read, so it never depends on it), the
/// body (400 naming the field, 413 over the limit), If-Match (400 when malformed) and Idempotency-Key, turned into a
/// <see cref="WriteRequest{TCommand}"/> for <see cref="Writes"/> or <see cref="CaseWrites"/>.
/// </summary>
public static class HttpWrites
{
    public static async Task<(WriteRequest<TCommand>? Request, Reply? Refusal)> ReadAsync<TCommand>(HttpContext http, Role[] roles)
    {
        var actor = await http.RequestServices.GetRequiredService<ActorResolver>().CurrentAsync(http);
        if (actor is null) return (null, Problems.Problem(401, "Not signed in.", "Sign in first.", "auth.required"));
        if (!roles.Contains(actor.Role)) return (null, Problems.Forbidden($"A {actor.Role} may not do this."));

        var limit = http.RequestServices.GetRequiredService<IConfiguration>().GetValue("CaseTracking:MaxJsonBodyBytes", 256L * 1024);
        var raw = await ReadBodyAsync(http, limit);
        if (raw is null) return (null, InputHygiene.TooLarge(limit));
        var (command, bodyError) = Parse<TCommand>(raw);
        if (bodyError is not null) return (null, bodyError);
        var (expected, ifMatchError) = ParseIfMatch(http.Request.Headers.IfMatch.ToString());
        if (ifMatchError is not null) return (null, ifMatchError);

        var (capturedAt, capturedError) = ParseCapturedAt(http);
        if (capturedError is not null) return (null, capturedError);

        var key = http.Request.Headers[Writes.IdempotencyHeader].ToString();
        var head = System.Text.Encoding.UTF8.GetBytes($"{http.Request.Method} {http.Request.Path}\n");
        return (new WriteRequest<TCommand>(actor, command!, expected, string.IsNullOrWhiteSpace(key) ? null : key,
            Convert.ToHexString(SHA256.HashData([.. head, .. raw])), CorrelationOf(http), http.TraceIdentifier) { CapturedAt = capturedAt }, null);
    }

    public const string CapturedAtHeader = "X-Captured-At";

    /// <summary>
    /// <c>X-Captured-At</c>: when an offline write was saved on the device (ISO 8601 with offset). It is not part of the
    /// idempotency fingerprint. A captured time is never after the server's clock (no tolerance: the outbox corrects the
    /// phone's clock by the server's before it stamps, docs/decisions/0006) and never before the dates any case may
    /// carry (<see cref="DateWindow"/>); one before the case's start is refused by <see cref="CaseWrites"/>.
    /// </summary>
    public static (DateTimeOffset? At, Reply? Error) ParseCapturedAt(HttpContext http)
    {
        var value = http.Request.Headers[CapturedAtHeader].ToString();
        if (string.IsNullOrWhiteSpace(value)) return (null, null);
        // An offset is required: a time without one means something else on the phone than here.
        if (value.Length > 40 || !DateTimeOffset.TryParseExact(value.Trim(), CapturedAtFormats, System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AssumeUniversal, out var at))
            return (null, Problems.Field(CapturedAtHeader, "X-Captured-At must be an ISO 8601 time with an offset, e.g. 2026-11-30T08:15:00+07:00."));
        var now = http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        if (at > now)
            return (null, Problems.Field(CapturedAtHeader, "X-Captured-At lies in the future: a write cannot be captured after it is received. Check the device's clock."));
        var window = http.RequestServices.GetRequiredService<DateWindow>();
        if (DateOnly.FromDateTime(at.UtcDateTime) < window.Earliest)
            return (null, Problems.Field(CapturedAtHeader, $"X-Captured-At lies before {DateWindow.Iso(window.Earliest)}, earlier than any case."));
        return (at, null);
    }

    /// <summary>ISO 8601 with an offset (Z or ±hh:mm), with or without seconds and fractions, as JavaScript's toISOString writes.</summary>
    private static readonly string[] CapturedAtFormats =
        ["yyyy-MM-dd'T'HH:mmzzz", "yyyy-MM-dd'T'HH:mm:sszzz", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", "yyyy-MM-dd'T'HH:mm'Z'", "yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'"];

    /// <summary>Reads the request, then runs a write that is not to one case's stream.</summary>
    public static async Task<Reply> RunAsync<TCommand>(this Writes writes, HttpContext http, UseCase<TCommand> useCase)
    {
        var (request, refusal) = await ReadAsync<TCommand>(http, useCase.Roles);
        return refusal ?? await writes.Run(request!, useCase, http.RequestAborted);
    }

    /// <summary>Reads the request, then runs a use case on the case <paramref name="caseId"/>.</summary>
    public static async Task<Reply> RunAsync<TCommand>(this CaseWrites cases, HttpContext http, Guid caseId, CaseUseCase<TCommand> useCase)
    {
        var (request, refusal) = await ReadAsync<TCommand>(http, CasePolicy.RolesFor(useCase.Action));
        return refusal ?? await cases.Run(request!, caseId, useCase, http.RequestAborted);
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
        // Routes that take no input (deactivate, approve) accept an empty body.
        if (raw.Length == 0 && typeof(T) == typeof(EmptyBody)) return ((T)(object)new EmptyBody(), null);
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

    public static (long? Version, Reply? Error) ParseIfMatch(string? value)
    {
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
}

/// <summary>The body of routes that take no input.</summary>
public sealed record EmptyBody;
