using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CaseTracking.Pages;

public sealed class LogoutModel : PageModel
{
    public async Task<IActionResult> OnPostAsync()
    {
        await HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        // The device's copy goes with the session: Cache Storage, IndexedDB (drafts, outbox) and the service worker.
        // The offline script wipes them itself first; this header also does it where the script did not run.
        Response.Headers["Clear-Site-Data"] = "\"cache\", \"storage\"";
        return Redirect("/login");
    }

    public IActionResult OnGet() => Redirect("/");
}
