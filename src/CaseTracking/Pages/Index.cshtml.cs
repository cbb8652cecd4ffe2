using CaseTracking.Access;
using CaseTracking.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace CaseTracking.Pages;

/// <summary>Home by role: each role lands on its first task.</summary>
public sealed class IndexModel(IStringLocalizer<SharedResource> l) : UiPage(l)
{
    public IActionResult OnGet() => Redirect(Me.Role switch
    {
        Role.Reviewer => "/my-cases",
        Role.Supervisor => "/supervise",
        Role.Auditor => "/audit",
        Role.NationalAdmin => "/national",
        _ => "/admin"
    });
}
