using CaseTracking.Access;
using CaseTracking.Infrastructure;
using CaseTracking.Provinces;
using CaseTracking.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace CaseTracking.Pages.National;

public sealed class ProvinceInput
{
    public string? Code { get; set; }
    public string? Name { get; set; }
    public string? Database { get; set; }
    public string? AdminUsername { get; set; }
    public string? AdminDisplayName { get; set; }
}

/// <summary>The national administrator's page: the provinces (never their connection strings) and the form that adds one.</summary>
public sealed class IndexModel(IStringLocalizer<SharedResource> l, Writes writes, CaseTracking.Provinces.Provinces provinces) : UiPage(l)
{
    protected override Role[] Allowed => [Role.NationalAdmin];

    [BindProperty] public ProvinceInput Province { get; set; } = new();

    public IReadOnlyList<ProvinceEntry> All { get; private set; } = [];

    /// <summary>The province just added, with its first admin's one-time password (shown once, in this answer only).</summary>
    public ProvinceAdded? Added { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        All = await provinces.AllAsync(HttpContext.RequestAborted);
        return Page();
    }

    public async Task<IActionResult> OnPostAddAsync()
    {
        var command = new AddProvince(Blank(Province.Code), Blank(Province.Name), Blank(Province.Database), Blank(Province.AdminUsername),
            Blank(Province.AdminDisplayName));
        var reply = await writes.Run(WriteOf(command, false), ProvinceEndpoints.AddingProvince, HttpContext.RequestAborted);
        if (reply.Body is ProvinceAdded added) Added = added;
        else Show(reply, "province");
        All = await provinces.AllAsync(HttpContext.RequestAborted);
        return Page();
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
