using CaseTracking.Web;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CaseTracking.Pages;

/// <summary>Remembers the chosen language in the culture cookie (a year), then goes back where the user was.</summary>
public sealed class LanguageModel : PageModel
{
    public IActionResult OnPost(string? culture, string? returnUrl)
    {
        var chosen = UiSetup.Cultures.FirstOrDefault(c => c.Name == culture) ?? UiSetup.Cultures[0];
        Response.Cookies.Append(CookieRequestCultureProvider.DefaultCookieName,
            CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(chosen)),
            new CookieOptions { Expires = DateTimeOffset.UtcNow.AddYears(1), IsEssential = true, HttpOnly = true, SameSite = SameSiteMode.Lax });
        return LocalRedirect(Url.IsLocalUrl(returnUrl) ? returnUrl : "/");
    }

    public IActionResult OnGet() => Redirect("/");
}
