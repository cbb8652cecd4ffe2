using Microsoft.AspNetCore.Mvc;

namespace CaseTracking.Infrastructure;

/// <summary>A broken business rule: answered 422 with a stable <see cref="Code"/>.</summary>
public sealed record Rejection(string Code, string Detail);

/// <summary>RFC 9457 answers, built in one place so every route speaks alike.</summary>
public static class Problems
{
    public static IResult Validation(IDictionary<string, string[]> errors, string? detail = null) =>
        Results.Json(new ValidationProblemDetails(errors)
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "The request has invalid fields.",
            Detail = detail,
            Type = "https://casetracking.local/problems/validation"
        }, Json.Options, "application/problem+json", StatusCodes.Status400BadRequest);

    public static IResult Field(string field, string message) => Validation(new Dictionary<string, string[]> { [field] = [message] });

    public static IResult Rule(Rejection rejection) => Problem(StatusCodes.Status422UnprocessableEntity,
        "A business rule was broken.", rejection.Detail, rejection.Code);

    public static IResult Stale(string detail) => Problem(StatusCodes.Status409Conflict,
        "The case changed since you read it.", detail, "concurrency.stale");

    public static IResult Conflict(string code, string detail, object? extra = null) =>
        Problem(StatusCodes.Status409Conflict, "Conflict.", detail, code, extra);

    public static IResult NotFound(string what = "case") =>
        Problem(StatusCodes.Status404NotFound, "Not found.", $"No {what} with that id is visible to you.", $"{what}.not-found");

    public static IResult Forbidden(string detail) =>
        Problem(StatusCodes.Status403Forbidden, "Forbidden.", detail, "access.forbidden");

    public static IResult Problem(int status, string title, string detail, string code, object? extra = null)
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
        return Results.Json(problem, Json.Options, "application/problem+json", status);
    }
}
