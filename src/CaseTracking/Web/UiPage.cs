using System.Globalization;
using CaseTracking.Access;
using CaseTracking.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace CaseTracking.Web;

/// <summary>
/// What every signed-in page shares: the acting user, and how an answer of a use case (<see cref="Reply"/>)
/// is shown — field errors next to their fields, a rule broken as a sentence, a stale version as a retry.
/// </summary>
public abstract class UiPage(IStringLocalizer<SharedResource> localizer) : PageModel
{
    protected IStringLocalizer<SharedResource> L => localizer;

    public Actor Me { get; private set; } = null!;

    /// <summary>Field errors of the failed form, keyed as the API names fields (camelCase paths).</summary>
    public Dictionary<string, string[]> Errors { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The form that failed ("review", "assign", ...), so only it shows its errors and stays open.</summary>
    public string? FailedForm { get; set; }

    public string? ErrorMessage { get; set; }

    /// <summary>Someone else changed the case after the user loaded it (409): show what changed and offer a retry.</summary>
    public bool Stale { get; set; }

    /// <summary>The version of the case the user saw, echoed in every form as If-Match.</summary>
    [BindProperty]
    public long? SeenVersion { get; set; }

    /// <summary>One key per rendered form: a double submit replays the first answer instead of appending twice.</summary>
    [BindProperty]
    public string? FormKey { get; set; }

    public string NewKey { get; } = Guid.NewGuid().ToString("N");

    public bool Has(string form, string field) => FailedForm == form && Errors.ContainsKey(field);

    /// <summary>aria-describedby for an input: its error message when there is one.</summary>
    public string? Described(string form, string field) => Has(form, field) ? ErrorId(form, field) : null;

    public string? Invalid(string form, string field) => Has(form, field) ? "true" : null;

    public static string ErrorId(string form, string field) => $"err-{form}-{field.Replace('.', '-')}";

    public override async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        var actor = await HttpContext.RequestServices.GetRequiredService<ActorResolver>().CurrentAsync(HttpContext);
        if (actor is null)
        {
            // A deactivated user or a user of another deployment: the cookie is no longer good.
            await HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            context.Result = Redirect("/login");
            return;
        }

        Me = actor;
        if (Allowed is { } roles && !roles.Contains(actor.Role))
        {
            context.Result = StatusCode(StatusCodes.Status403Forbidden);
            return;
        }

        await next();
    }

    /// <summary>Roles that may open this page at all; null for any signed-in user.</summary>
    protected virtual Role[]? Allowed => null;

    /// <summary>
    /// The write this form asks for, as the API would receive it: the user, the command, the version they saw
    /// (If-Match) and the form's key (a double submit replays the first answer).
    /// </summary>
    protected WriteRequest<TCommand> WriteOf<TCommand>(TCommand command, bool withVersion = true)
    {
        var key = !string.IsNullOrWhiteSpace(FormKey) && FormKey.Length <= 64 ? "ui-" + FormKey : null;
        var fingerprint = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes($"{Request.Method} {Request.Path}\n{System.Text.Json.JsonSerializer.Serialize(command, Json.Options)}")));
        return new WriteRequest<TCommand>(Me, command, withVersion ? SeenVersion : null, key, fingerprint,
            HttpWrites.CorrelationOf(HttpContext), HttpContext.TraceIdentifier);
    }

    /// <summary>
    /// A form of a case page: run the use case; on success back to the case's timeline, on refusal the same page
    /// again (reloaded by <paramref name="reload"/>) with the errors on that form.
    /// </summary>
    protected async Task<IActionResult> WriteCase(Guid id, string form, Func<Task<Reply>> run, Func<Guid, Task<IActionResult?>> reload)
    {
        var reply = await run();
        if (reply.IsSuccess) return Redirect($"/cases/{id}?done={form}#done");
        if (reply.Status is 403 or 404) return StatusCode(reply.Status);
        Show(reply, form);
        return await reload(id) ?? Page();
    }

    /// <summary>Shows a refused answer on the form it came from.</summary>
    protected void Show(Reply reply, string form)
    {
        FailedForm = form;
        if (reply.Status == StatusCodes.Status400BadRequest && reply.FieldErrors.Count > 0)
        {
            foreach (var (field, messages) in reply.FieldErrors) Errors[field] = [.. messages.Select(m => Labelled(field, m))];
            ErrorMessage = L["Form.Invalid"];
        }
        else if (reply.Status == StatusCodes.Status409Conflict && reply.Code == "concurrency.stale") Stale = true;
        else ErrorMessage = Explain(reply);
    }

    /// <summary>
    /// The API names a field as the client sent it ('heldOn'); the page names it as its label, in the curly quotes
    /// Vietnamese (and English) text uses: “Ngày gặp”.
    /// </summary>
    private string Labelled(string field, string message)
    {
        var name = field[(field.LastIndexOf('.') + 1)..];
        var label = L["Field." + name];
        return label.ResourceNotFound ? message : message.Replace($"'{name}'", $"“{label.Value}”", StringComparison.Ordinal);
    }

    /// <summary>A refusal in the user's language: by its stable code when translated, else the API's own sentence.</summary>
    public string Explain(Reply reply) => ExplainCode(reply.Code, reply.Problem?.Detail);

    public string ExplainCode(string? code, string? detail)
    {
        if (code is not null)
        {
            var text = L["Code." + code];
            if (!text.ResourceNotFound) return text;
        }

        return detail ?? L["Error.Generic"];
    }

    public string Text(string key) => L[key];

    public string Enum<T>(T value) where T : struct, System.Enum => L[$"{typeof(T).Name}.{value}"];

    public static string Date(DateOnly? d) => d?.ToString("d", CultureInfo.CurrentCulture) ?? "—";

    public static string When(DateTimeOffset t) => t.ToLocalTime().ToString("g", CultureInfo.CurrentCulture);

    public static string Iso(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string? Iso(DateOnly? d) => d is { } day ? Iso(day) : null;

    /// <summary>A kind's legal range in words: "12–60 tháng", "12 tháng", "không giới hạn".</summary>
    public string Range(CaseTracking.Cases.KindRule k) => k.MaxMonths is not { } max ? L["Open.NoLimit"]
        : max == k.MinMonths ? string.Format(CultureInfo.CurrentCulture, L["Open.Fixed"], max)
        : string.Format(CultureInfo.CurrentCulture, L["Open.Limits"], k.MinMonths, max);

    /// <summary>A review period "2026-10" as a reader says it: "tháng 10/2026", "October 2026".</summary>
    public string Month(string? period) => CaseTracking.Cases.Rules.PeriodStart(period) is { } first
        ? string.Format(CultureInfo.CurrentCulture, L["Format.Month"], first.ToDateTime(TimeOnly.MinValue))
        : period ?? "—";

    /// <summary>Dates come from &lt;input type=date&gt; as yyyy-MM-dd; anything else is treated as missing.</summary>
    public static DateOnly? ParseDate(string? value) =>
        DateOnly.TryParseExact(value?.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;
}
