using CaseTracking.Access;
using CaseTracking.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace CaseTracking.Pages;

/// <summary>
/// A user chooses a new password, proving the current one: after a one-time password (a new account, a reset)
/// sign-in sends the user here. The same check, limits and change as POST /api/auth/password.
/// </summary>
public sealed class LoginPasswordModel(Logins logins, ActorResolver actors, IStringLocalizer<SharedResource> L) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Username { get; set; }

    [BindProperty]
    public string? CurrentPassword { get; set; }

    [BindProperty]
    public string? NewPassword { get; set; }

    [BindProperty]
    public string? ConfirmPassword { get; set; }

    public string? ErrorMessage { get; set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (string.IsNullOrWhiteSpace(Username) || string.IsNullOrEmpty(CurrentPassword) || string.IsNullOrEmpty(NewPassword))
            ErrorMessage = L["Login.Missing"];
        else if (NewPassword.Length is < 10 or > 200) ErrorMessage = L["Login.NewPasswordLength"];
        else if (NewPassword != ConfirmPassword) ErrorMessage = L["Login.NewPasswordMismatch"];
        else if (NewPassword == CurrentPassword) ErrorMessage = L["Login.NewPasswordSame"];
        if (ErrorMessage is not null) return Page();

        var outcome = await logins.CheckAsync(HttpContext, Username!, CurrentPassword!, HttpContext.RequestAborted);
        if (outcome.Result is not (LoginResult.Ok or LoginResult.PasswordChangeRequired))
        {
            ErrorMessage = LoginModel.Explain(HttpContext, L, outcome);
            return Page();
        }

        var user = await logins.ChangePasswordAsync(outcome.User!, NewPassword!, HttpContext.RequestAborted);
        actors.Forget(user.Id);
        await LoginModel.SignInAsync(HttpContext, user);
        return LocalRedirect(LoginModel.SafeReturn(Url, ReturnUrl));
    }
}
