using System.Net.Sockets;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Npgsql;
using Wolverine.Http;

namespace CaseTracking.Infrastructure;

/// <summary>
/// The one home of the control-character checks (NUL above all: PostgreSQL cannot store it in text or jsonb, so it
/// used to surface as a 500). Two variants, by what the text is:
/// <list type="bullet">
/// <item><see cref="IsSingleLine"/>: a name, code, user name, search term or reason, one line: no control character
/// at all (C0 including tab, CR and LF; DEL; C1).</item>
/// <item><see cref="IsMultiLine"/>: free text (a summary, a note, a spreadsheet cell) and every value JSON or a form
/// carries, where a field may be multi-line: tab, carriage return and line feed are ordinary text; every other
/// control character is refused.</item>
/// </list>
/// </summary>
public static class Text
{
    public static bool IsSingleLine(string? value) => value is null || !value.Any(char.IsControl);

    public static bool IsMultiLine(string? value) => value is null || !value.Any(c => char.IsControl(c) && c is not ('\t' or '\r' or '\n'));
}

/// <summary>Every string read from JSON is checked once, here: a control character is a 400 naming the field.</summary>
public sealed class PlainTextConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String) throw new JsonException("A text value is expected.");
        var value = reader.GetString();
        if (!Text.IsMultiLine(value)) throw new ControlCharacterException();
        return value;
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);

    public const string ControlCharacterMessage = "The text holds a control character (such as NUL), which is not allowed.";
}

/// <summary>Thrown by <see cref="PlainTextConverter"/>; the serializer adds the field's path and rethrows it as is.</summary>
public sealed class ControlCharacterException() : JsonException(PlainTextConverter.ControlCharacterMessage);

/// <summary>The JSON body a write route reads by itself (through <see cref="Writes"/>), for the OpenAPI document.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RequestBodyAttribute(Type type) : Attribute
{
    public Type Type { get; } = type;
}

/// <summary>
/// Writes read their body themselves (so that a malformed one is a 400 naming the field, not the framework's
/// answer), which hides the body from the OpenAPI generator: <see cref="RequestBodyAttribute"/> puts it back.
/// </summary>
public sealed class RequestBodyTransformer : IOpenApiOperationTransformer
{
    private static readonly Dictionary<string, Type> Bodies = typeof(RequestBodyTransformer).Assembly.GetTypes()
        .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static))
        .Select(m => (Route: m.GetCustomAttribute<WolverinePostAttribute>()?.Template, Body: m.GetCustomAttribute<RequestBodyAttribute>()?.Type))
        .Where(x => x.Route is not null && x.Body is not null)
        .ToDictionary(x => "POST " + x.Route!.Trim('/'), x => x.Body!);

    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var key = $"{context.Description.HttpMethod} {context.Description.RelativePath?.Trim('/')}";
        if (!Bodies.TryGetValue(key, out var type)) return;
        var schema = await context.GetOrCreateSchemaAsync(type, null, cancellationToken);
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = schema } }
        };
    }

    public static IReadOnlyCollection<string> Routes => Bodies.Keys;
}

/// <summary>
/// Checks what every request carries before any endpoint sees it: the size of a JSON body (413), and control
/// characters in query values and form fields (400 naming the field). JSON fields are checked by
/// <see cref="PlainTextConverter"/>.
/// </summary>
public sealed class InputHygiene(RequestDelegate next, IConfiguration configuration)
{
    private readonly long _maxJsonBody = configuration.GetValue("CaseTracking:MaxJsonBodyBytes", 256L * 1024);

    public long MaxJsonBody => _maxJsonBody;

    public async Task InvokeAsync(HttpContext http)
    {
        // The error page re-executed for a refused page form (UiSetup) sees the same form again: let it through, or it
        // would be refused once more and answered by the bare status code page.
        if (http.Items.ContainsKey(RefusedField) && http.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodeReExecuteFeature>() is not null)
        {
            await next(http);
            return;
        }

        var request = http.Request;
        if (HostileField(request.Query, "query") is { } inQuery)
        {
            await Refuse(http, Problems.Field(inQuery, PlainTextConverter.ControlCharacterMessage));
            return;
        }

        if (!request.HasFormContentType)
        {
            // JSON and anything else that is not a file upload: bounded, whether Content-Length is sent or not.
            if (request.ContentLength > _maxJsonBody)
            {
                await Refuse(http, TooLarge(_maxJsonBody));
                return;
            }

            if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = _maxJsonBody;
        }
        else if (request.Method == HttpMethods.Post)
        {
            IFormCollection form;
            // Kept so that a form the reader refuses can still be read for the field's name (below).
            var urlEncoded = request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) == true;
            if (urlEncoded) request.EnableBuffering();
            try
            {
                form = await request.ReadFormAsync(http.RequestAborted);
            }
            catch (InvalidDataException)
            {
                // An encoded NUL (%00) or a form over its limits: the form reader refuses it before we see the values.
                var field = urlEncoded ? await FieldWithControlCharacterAsync(request) : "form";
                // The error page re-executed for this refusal binds its handler from the form too: with the refused
                // body still there, MVC's form reader threw again and answered a bare 400 without the field's name.
                http.Features.Set<IFormFeature>(new FormFeature(FormCollection.Empty));
                await Refuse(http, Problems.Field(field, PlainTextConverter.ControlCharacterMessage));
                return;
            }

            if (HostileField(form, "form") is { } inForm)
            {
                await Refuse(http, Problems.Field(inForm, PlainTextConverter.ControlCharacterMessage));
                return;
            }
        }

        await next(http);
    }

    /// <summary>
    /// The first field of a url-encoded body whose name or value holds a control character, read from the buffered body
    /// after the form reader refused it; "form" when none does (the form was refused for its size) or the name is hostile.
    /// </summary>
    private static async Task<string> FieldWithControlCharacterAsync(HttpRequest request)
    {
        if (!request.Body.CanSeek || request.Body.Length > 1024 * 1024) return "form";
        request.Body.Position = 0;
        using var reader = new StreamReader(request.Body, leaveOpen: true);
        var raw = await reader.ReadToEndAsync(request.HttpContext.RequestAborted);
        // The framework's own url-encoded parser, which (unlike the form reader) decodes a NUL without refusing it.
        return HostileField(Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(raw), "form") ?? "form";
    }

    /// <summary>The first field whose name or values hold a control character (query, form or raw body alike); null if none.</summary>
    private static string? HostileField(IEnumerable<KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues>> fields, string part) =>
        fields.Where(f => !Text.IsSingleLine(f.Key) || !f.Value.All(Text.IsMultiLine)).Select(f => Safe(f.Key, part)).FirstOrDefault();

    public static Reply TooLarge(long limit) => Problems.Problem(StatusCodes.Status413PayloadTooLarge, "The request body is too large.",
        $"A request body may hold at most {limit / 1024} KB.", "request.too-large");

    /// <summary>The field's name as sent, unless the name itself is hostile (then the part of the request it came in).</summary>
    private static string Safe(string key, string part) => !Text.IsSingleLine(key) ? part : key.Length > 100 ? key[..100] : key;

    /// <summary>The field a page form was refused for, handed to the error page (<c>Pages/Error</c>) that re-executes.</summary>
    public const string RefusedField = "CaseTracking.RefusedField";

    private static Task Refuse(HttpContext http, Reply reply)
    {
        // Pages show their own error page for a bare status, naming the field (the same request's items survive the
        // re-execution); the API answers ProblemDetails.
        if (!http.Request.Path.StartsWithSegments("/api"))
        {
            if (reply.FieldErrors.Keys.FirstOrDefault() is { } field) http.Items[RefusedField] = field;
            http.Response.StatusCode = reply.Status;
            return Task.CompletedTask;
        }

        return reply.ExecuteAsync(http);
    }
}

/// <summary>
/// Exceptions no endpoint should have to know about: PostgreSQL unreachable (503 with Retry-After, never 500), a
/// body over the limit (413), and, as a last line behind the validators, a value PostgreSQL refuses to store (400).
/// </summary>
public sealed class FailureAnswers(ILogger<FailureAnswers> logger) : IExceptionHandler
{
    public const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        var reply = Classify(exception);
        if (reply is null) return false;
        if (reply.Status == StatusCodes.Status503ServiceUnavailable)
            logger.LogWarning("PostgreSQL unavailable on {Path}: {Message}", http.Request.Path, exception.GetBaseException().Message);

        // Pages: the UI's own exception handler shows the friendly page with this status (UiSetup, Pages/Error).
        if (!http.Request.Path.StartsWithSegments("/api")) return false;
        http.Response.Clear();
        if (reply.Status == StatusCodes.Status503ServiceUnavailable)
            http.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await reply.ExecuteAsync(http);
        return true;
    }

    /// <summary>The status an exception should answer, or null when it is a real fault (500).</summary>
    public static Reply? Classify(Exception exception)
    {
        if (IsOutage(exception))
            return Problems.Problem(StatusCodes.Status503ServiceUnavailable, "The database is unavailable.",
                $"The service cannot reach its database at the moment; nothing was changed. Try again in {RetryAfterSeconds} seconds.",
                "service.unavailable");
        foreach (var e in Chain(exception))
        {
            if (e is BadHttpRequestException bad)
                return bad.StatusCode == StatusCodes.Status413PayloadTooLarge
                    ? Problems.Problem(StatusCodes.Status413PayloadTooLarge, "The request body is too large.",
                        "The request body is larger than this route accepts.", "request.too-large")
                    : Problems.Field("body", "The request could not be read.");
            // Class 22 (data exception) and 54 (program limit, e.g. an index row too large): the value, not the server.
            if (e is PostgresException pg && (pg.SqlState.StartsWith("22", StringComparison.Ordinal) || pg.SqlState.StartsWith("54", StringComparison.Ordinal)))
                return Problems.Field("body", "A value could not be stored: it is too large or not valid text.");
        }

        return null;
    }

    public static bool IsOutage(Exception exception) => Chain(exception).Any(e => e switch
    {
        // Connection refused, reset, shut down, too many clients, recovery in progress: all mean "try again shortly".
        PostgresException pg => pg.SqlState.StartsWith("08", StringComparison.Ordinal) || pg.SqlState is "57P01" or "57P02" or "57P03" or "53300",
        NpgsqlException npgsql => npgsql.IsTransient || npgsql.InnerException is SocketException or IOException or TimeoutException,
        SocketException => true,
        _ => false
    });

    private static IEnumerable<Exception> Chain(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            yield return e;
            if (e is AggregateException aggregate)
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Chain)) yield return inner;
        }
    }
}
