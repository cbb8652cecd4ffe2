using System.Security.Claims;
using CaseTracking.Access;
using CaseTracking.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace CaseTracking.Pages;

/// <summary>Cookie sign-in with the same users, lockout and checks as POST /api/auth/token.</summary>
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

        var (result, user) = await logins.CheckAsync(Username, Password, HttpContext.RequestAborted);
        if (result != LoginResult.Ok || user is null)
        {
            ErrorMessage = L["Login." + result];
            return Page();
        }

        var identity = new ClaimsIdentity(Logins.ClaimsOf(user), CookieAuthenticationDefaults.AuthenticationScheme, "name", "role");
        await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/");
    }
}
