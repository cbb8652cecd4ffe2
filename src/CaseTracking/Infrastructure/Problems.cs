using Microsoft.AspNetCore.Mvc;

namespace CaseTracking.Infrastructure;

/// <summary>A broken business rule: answered 422 with a stable <see cref="Code"/>.</summary>
public sealed record Rejection(string Code, string Detail);

/// <summary>
/// The answer of a write (and of every refusal): status, body, location. It is an <see cref="IResult"/>
/// for HTTP, and plain data for the UI, which calls the same use cases and shows the same errors.
/// </summary>
public sealed record Reply(int Status, object? Body, string? Location = null, string? ETag = null) : IResult, IStatusCodeHttpResult
{
    int? IStatusCodeHttpResult.StatusCode => Status;

    public bool IsSuccess => Status is >= 200 and < 300;

    public ProblemDetails? Problem => Body as ProblemDetails;

    public IDictionary<string, string[]> FieldErrors => (Body as ValidationProblemDetails)?.Errors ?? new Dictionary<string, string[]>();

    public string? Code => Problem?.Extensions.TryGetValue("code", out var c) == true ? c?.ToString() : null;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        if (Location is not null) httpContext.Response.Headers.Location = Location;
        if (ETag is not null) httpContext.Response.Headers.ETag = ETag;
        var contentType = Body is ProblemDetails ? "application/problem+json" : "application/json";
        return Results.Json(Body, Json.Options, contentType, Status).ExecuteAsync(httpContext);
    }
}

/// <summary>RFC 9457 answers, built in one place so every route speaks alike.</summary>
public static class Problems
{
    public static Reply Validation(IDictionary<string, string[]> errors, string? detail = null) =>
        new(StatusCodes.Status400BadRequest, new ValidationProblemDetails(errors)
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "The request has invalid fields.",
            Detail = detail,
            Type = "https://casetracking.local/problems/validation"
        });

    public static Reply Field(string field, string message) => Validation(new Dictionary<string, string[]> { [field] = [message] });

    public static Reply Rule(Rejection rejection) => Problem(StatusCodes.Status422UnprocessableEntity,
        "A business rule was broken.", rejection.Detail, rejection.Code);

    public static Reply Stale(string detail) => Problem(StatusCodes.Status409Conflict,
        "The case changed since you read it.", detail, "concurrency.stale");

    public static Reply Conflict(string code, string detail, object? extra = null) =>
        Problem(StatusCodes.Status409Conflict, "Conflict.", detail, code, extra);

    public static Reply NotFound(string what = "case") =>
        Problem(StatusCodes.Status404NotFound, "Not found.", $"No {what} with that id is visible to you.", $"{what}.not-found");

    public static Reply Forbidden(string detail) =>
        Problem(StatusCodes.Status403Forbidden, "Forbidden.", detail, "access.forbidden");

    public static Reply Problem(int status, string title, string detail, string code, object? extra = null)
    {
        var problem = new ProblemDetails
        {
            Status = status,
            Title = title,
            Detail = detail,
            Type = $"https://casetracking.local/problems/{code}"
        };
        problem.Extensions["code"] = code;
        if (extra is not null) problem.Extensions["conflict"] = extra;
        return new Reply(status, problem);
    }
}
