using System.Security.Claims;
using CaseTracking.Access;
using CaseTracking.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace CaseTracking.Pages;

/// <summary>Cookie sign-in with the same users, limits, lockout and checks as POST /api/auth/token.</summary>
public sealed class LoginModel(Logins logins, IStringLocalizer<SharedResource> L) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    [BindProperty]
    public string? Username { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    public string? ErrorMessage { get; set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (string.IsNullOrWhiteSpace(Username) || string.IsNullOrWhiteSpace(Password))
        {
            ErrorMessage = L["Login.Missing"];
            return Page();
        }

        var outcome = await logins.CheckAsync(HttpContext, Username, Password, HttpContext.RequestAborted);
        switch (outcome.Result)
        {
            case LoginResult.Ok:
                await SignInAsync(HttpContext, outcome.User!);
                return LocalRedirect(SafeReturn(Url, ReturnUrl));
            case LoginResult.PasswordChangeRequired:
                return Redirect($"/login/password?username={Uri.EscapeDataString(Username.Trim())}&returnUrl={Uri.EscapeDataString(SafeReturn(Url, ReturnUrl))}");
            default:
                ErrorMessage = Explain(HttpContext, L, outcome);
                return Page();
        }
    }

    public static async Task SignInAsync(HttpContext http, User user)
    {
        var identity = new ClaimsIdentity(Logins.ClaimsOf(user), CookieAuthenticationDefaults.AuthenticationScheme, "name", "role");
        await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
    }

    public static string SafeReturn(IUrlHelper url, string? returnUrl) => url.IsLocalUrl(returnUrl) ? returnUrl! : "/";

    /// <summary>A refused sign-in in words; a rate limit also answers 429 with Retry-After, as the API does.</summary>
    public static string Explain(HttpContext http, IStringLocalizer<SharedResource> l, LoginOutcome outcome)
    {
        if (outcome.Result == LoginResult.RateLimited)
        {
            var seconds = SignInLimits.RetryAfterSeconds(outcome.RetryAfter ?? TimeSpan.FromMinutes(1));
            http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            http.Response.Headers.RetryAfter = seconds;
            return string.Format(System.Globalization.CultureInfo.CurrentCulture, l["Login.RateLimited"], seconds);
        }

        return outcome.Result == LoginResult.Inactive ? l["Login.Inactive"] : l["Login.Refused"];
    }
}
