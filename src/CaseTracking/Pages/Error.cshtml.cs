using System.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CaseTracking.Pages;

/// <summary>What a user sees instead of a stack trace or a bare status code.</summary>
[IgnoreAntiforgeryToken]
public sealed class ErrorModel : PageModel
{
    public string RequestId { get; private set; } = "";
    public string Heading { get; private set; } = "Error.Title";
    public string Message { get; private set; } = "Error.Unexpected";

    /// <summary>The form field refused for a control character (Infrastructure/InputHygiene), when that was the cause.</summary>
    public string? Field { get; private set; }

    /// <summary>The page whose form was refused, to go back to.</summary>
    public string? Back { get; private set; }

    public void OnGet(int? code) => Describe(code);

    public void OnPost(int? code) => Describe(code);

    private void Describe(int? code)
    {
        // Re-executed after an exception (UiSetup): the status chosen for it, e.g. 503 when PostgreSQL is down.
        if (code is null && HttpContext.Features.Get<Microsoft.AspNetCore.Diagnostics.IExceptionHandlerFeature>() is not null
            && Response.StatusCode is not StatusCodes.Status500InternalServerError and >= 400) code = Response.StatusCode;
        if (code == StatusCodes.Status503ServiceUnavailable)
            Response.Headers.RetryAfter = Infrastructure.FailureAnswers.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        RequestId = Activity.Current?.TraceId.ToString() ?? HttpContext.TraceIdentifier;
        (Heading, Message) = code switch
        {
            404 => ("Error.NotFoundTitle", "Error.NotFound"),
            403 => ("Error.ForbiddenTitle", "Error.Forbidden"),
            400 => ("Error.Title", "Error.BadRequest"),
            413 => ("Error.Title", "Error.TooLarge"),
            503 => ("Error.UnavailableTitle", "Error.Unavailable"),
            _ => ("Error.Title", "Error.Unexpected")
        };
        if (code == 400 && HttpContext.Items[Infrastructure.InputHygiene.RefusedField] is string field)
        {
            Field = field;
            Message = "Error.ControlCharacter";
            var original = HttpContext.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodeReExecuteFeature>()?.OriginalPath;
            Back = string.IsNullOrEmpty(original) || !original.StartsWith('/') || original.StartsWith("//", StringComparison.Ordinal) ? null : original;
        }

        if (code is >= 400 and < 600) Response.StatusCode = code.Value;
    }
}
