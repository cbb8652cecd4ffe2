using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Bogus;
using JasperFx.CommandLine;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Npgsql;

using CaseTracking.Tests.Infrastructure;

namespace CaseTracking.Browser.Infrastructure;

/// <summary>The app on real Kestrel (a schema of its own), for a real browser.</summary>
public sealed class UiApp(IReadOnlyDictionary<string, string> settings) : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in settings) builder.UseSetting(key, value);
        builder.UseEnvironment("Production");
    }
}

public sealed record UiUser(Guid Id, string Username, string DisplayName);

/// <summary>
/// One app host, one Chromium and one small province for the whole browser collection. The province is
/// created through the app's own HTTP API, as an integration would.
/// </summary>
public sealed class UiFixture : IAsyncLifetime
{
    public const string AdminPassword = "admin-password-for-browser-tests";
    public const string Password = "password-for-browser-1";
    public const string NationalPassword = "national-password-for-browser-tests";

    private readonly Faker _faker = new("vi") { Random = new Randomizer(20261125) };
    private UiApp _app = null!;
    private IPlaywright _playwright = null!;
    private HttpClient _http = null!;

    public string Schema { get; } = "ui_" + Guid.NewGuid().ToString("N")[..12];
    public string BaseUrl { get; private set; } = "";
    public IBrowser Browser { get; private set; } = null!;
    public string RepositoryRoot { get; } = TestDatabase.FindRepositoryRoot();

    public Guid WardA { get; private set; }
    public Guid WardB { get; private set; }
    public Guid OrgA { get; private set; }
    public UiUser Admin { get; private set; } = null!;
    public UiUser SupervisorA { get; private set; } = null!;
    public UiUser SupervisorA2 { get; private set; } = null!;
    public UiUser ReviewerA { get; private set; } = null!;
    public UiUser Auditor { get; private set; } = null!;

    /// <summary>An assigned two-year case that started three months ago: the reviewer logs a review on it.</summary>
    public Guid ReviewCase { get; private set; }
    public string ReviewPerson { get; private set; } = "";

    /// <summary>A moment between ReviewCase's opening and its assignment (local time, whole seconds).</summary>
    public DateTime BeforeAssignment { get; private set; }

    /// <summary>An assigned case whose term has ended: one supervisor recommends release, another approves.</summary>
    public Guid ReleaseCase { get; private set; }

    /// <summary>An assigned case in ward A that one test transfers to ward B.</summary>
    public Guid TransferCase { get; private set; }

    /// <summary>A case with a recommendation already pending, for the release page's own checks.</summary>
    public Guid PendingCase { get; private set; }

    /// <summary>A registered person without a case: the supervisor opens one in the browser.</summary>
    public string NewPerson { get; private set; } = "";
    public Guid NewPersonId { get; private set; }

    public async Task InitializeAsync()
    {
        JasperFxEnvironment.AutoStartHost = true;
        var data = Directory.CreateTempSubdirectory("casetracking-ui-");
        _app = new UiApp(new Dictionary<string, string>
        {
            ["ConnectionStrings:Marten"] = TestDatabase.ConnectionString,
            ["CaseTracking:Schema"] = Schema,
            ["CaseTracking:AdminPassword"] = AdminPassword,
            ["CaseTracking:NationalAdminPassword"] = NationalPassword,
            ["CaseTracking:DataFolder"] = data.FullName,
            // Every scenario signs in from 127.0.0.1: sign-in rate limits out of the way (tested in CaseTracking.Tests).
            ["CaseTracking:SignIn:PerClientPermits"] = "100000",
            ["CaseTracking:SignIn:PerUserPermits"] = "100000"
        });
        _app.UseKestrel(0);
        _app.StartServer();
        var addresses = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        BaseUrl = addresses.First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("localhost", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/');
        _http = new HttpClient { BaseAddress = new Uri(BaseUrl) };

        await SeedAsync();

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run",
                "--disable-sync", "--disable-quic", "--disable-dev-shm-usage"]
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        _http?.Dispose();
        await _app.DisposeAsync();
        await TestDatabase.DropSchemaAsync(Schema);
    }

    private async Task SeedAsync()
    {
        var admin = await TokenAsync("admin", AdminPassword);
        Admin = new UiUser(Guid.Empty, "admin", "admin");
        WardA = await PostId(admin, "/api/admin/wards", new { code = "P01", name = "Phường Hoàn Kiếm" }, "wardId");
        WardB = await PostId(admin, "/api/admin/wards", new { code = "X02", name = "Xã Đông Anh" }, "wardId");
        OrgA = await PostId(admin, "/api/admin/organisations", new { name = "Hội Liên hiệp Phụ nữ phường Hoàn Kiếm", type = "WomensUnion", wardId = WardA }, "organisationId");

        // A fresh install's only admin creates a second admin at once; from then on one admin asks and the other
        // approves, and every new user replaces the one-time password given at approval.
        var second = await Post(admin, "/api/admin/users", new { username = "admin2", displayName = "Quản trị viên hai", role = "Admin" }, 201);
        var admin2 = await ChangePasswordAsync("admin2", second.GetProperty("oneTimePassword").GetString()!, AdminPassword + "-2");

        async Task<UiUser> User(string username, string role, Guid[]? wards = null, Guid? org = null)
        {
            var name = CaseTracking.Demo.VietnameseNames.FullName(_faker);
            var asked = await Post(admin, "/api/admin/users", new { username, displayName = name, role, wardIds = wards ?? [], organisationId = org }, 202);
            var approved = await Post(admin2, $"/api/admin/requests/{asked.GetProperty("requestId").GetGuid()}/approve", new { }, 200);
            await ChangePasswordAsync(username, approved.GetProperty("oneTimePassword").GetString()!, Password);
            return new UiUser(approved.GetProperty("userId").GetGuid(), username, name);
        }

        SupervisorA = await User("giamsat1", "Supervisor", [WardA]);
        SupervisorA2 = await User("giamsat2", "Supervisor", [WardA]);
        ReviewerA = await User("giupdo1", "Reviewer", org: OrgA);
        await User("giupdo2", "Reviewer", org: OrgA);
        Auditor = await User("thanhtra1", "Auditor");

        var sup = await TokenAsync(SupervisorA.Username, Password);
        var today = DateOnly.FromDateTime(DateTime.Now);

        // Review case: opened, then (seconds later) assigned, so the auditor can look between the two.
        (ReviewCase, ReviewPerson) = await OpenCaseAsync(sup, "SuspendedSentence", today.AddMonths(-3), today.AddMonths(-3).AddYears(2));
        var afterOpen = DateTime.Now.AddSeconds(1);
        BeforeAssignment = new DateTime(afterOpen.Year, afterOpen.Month, afterOpen.Day, afterOpen.Hour, afterOpen.Minute, afterOpen.Second, DateTimeKind.Local);
        if (BeforeAssignment.Second == 0) BeforeAssignment = BeforeAssignment.AddSeconds(1); // a datetime-local value keeps its seconds
        while (DateTime.Now < BeforeAssignment.AddMilliseconds(700)) await Task.Delay(100);
        await AssignAsync(sup, ReviewCase);

        // Term ended two months ago: TermCompleted is allowed.
        (ReleaseCase, _) = await OpenCaseAsync(sup, "CommuneEducation", today.AddMonths(-8), today.AddMonths(-2));
        await AssignAsync(sup, ReleaseCase);
        (PendingCase, _) = await OpenCaseAsync(sup, "CommuneEducation", today.AddMonths(-7), today.AddMonths(-1));
        await AssignAsync(sup, PendingCase);
        await Post(sup, $"/api/cases/{PendingCase}/release/recommend", new { grounds = "TermCompleted", note = "Đã chấp hành xong thời hạn." }, 200);

        // Only the transfer test moves this one out of ward A.
        (TransferCase, _) = await OpenCaseAsync(sup, "SuspendedSentence", today.AddMonths(-2), today.AddMonths(-2).AddYears(1));
        await AssignAsync(sup, TransferCase);

        (NewPersonId, NewPerson) = await RegisterAsync(sup);
    }

    private async Task<(Guid Id, string Name)> RegisterAsync(string token)
    {
        var name = CaseTracking.Demo.VietnameseNames.FullName(_faker);
        var id = await PostId(token, "/api/people", new
        {
            fullName = name,
            dateOfBirth = DateOnly.FromDateTime(_faker.Date.Past(30, new DateTime(2004, 1, 1))),
            nationalId = _faker.Random.ReplaceNumbers("0###########"),
            address = _faker.Address.FullAddress(),
            wardId = WardA
        }, "personId");
        return (id, name);
    }

    private async Task<(Guid, string)> OpenCaseAsync(string token, string kind, DateOnly start, DateOnly end)
    {
        var (person, name) = await RegisterAsync(token);
        var id = await PostId(token, "/api/cases", new
        {
            personId = person, kind,
            legalBasis = new { decisionNumber = $"{_faker.Random.Number(10, 999)}/2025/HS-ST", issuedBy = "Tòa án nhân dân quận Hoàn Kiếm", issuedOn = start.AddDays(-10) },
            startsOn = start, endsOn = end.AddDays(-1), wardId = WardA
        }, "caseId");
        return (id, name);
    }

    private Task AssignAsync(string token, Guid caseId) =>
        Post(token, $"/api/cases/{caseId}/assignment", new { organisationId = OrgA, mentorUserId = ReviewerA.Id, supervisorUserId = SupervisorA.Id, reason = "Phân công lần đầu" }, 200);

    public async Task<string> TokenAsync(string username, string password) =>
        (await Post(null, "/api/auth/token", new { username, password }, 200)).GetProperty("accessToken").GetString()!;

    private async Task<string> ChangePasswordAsync(string username, string current, string next) =>
        (await Post(null, "/api/auth/password", new { username, currentPassword = current, newPassword = next }, 200)).GetProperty("accessToken").GetString()!;

    private async Task<Guid> PostId(string token, string url, object body, string property) =>
        (await Post(token, url, body, 201)).GetProperty(property).GetGuid();

    public async Task<JsonElement> Post(string? token, string url, object body, int expected)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body) };
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if ((int)response.StatusCode != expected) throw new InvalidOperationException($"POST {url}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>A GET of the API with a bearer token: its status.</summary>
    public async Task<int> GetStatusAsync(string token, string url)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await _http.SendAsync(request);
        return (int)response.StatusCode;
    }

    /// <summary>A fresh browser context (own cookies) signed in as the user, on their home page.</summary>
    public async Task<IPage> SignInAsync(string username, string password = Password, int width = 1280, int height = 900, bool javaScript = true)
    {
        var context = await Browser.NewContextAsync(new()
        {
            ViewportSize = new() { Width = width, Height = height }, BaseURL = BaseUrl, Locale = "vi-VN", JavaScriptEnabled = javaScript
        });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000); // generous: CI runs the other test projects alongside on two cores
        await page.GotoAsync("/login");
        await page.FillAsync("#username", username);
        await page.FillAsync("#password", password);
        await page.ClickAsync("main button[type=submit]");
        await page.WaitForURLAsync(url => !url.Contains("/login", StringComparison.Ordinal));
        return page;
    }

    public async Task<IPage> AnonymousAsync(int width = 1280, int height = 900)
    {
        var context = await Browser.NewContextAsync(new() { ViewportSize = new() { Width = width, Height = height }, BaseURL = BaseUrl });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000); // generous: CI runs the other test projects alongside on two cores
        return page;
    }

    public async Task ScreenshotAsync(IPage page, string name)
    {
        var folder = Path.Combine(RepositoryRoot, "artifacts", "screenshots");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new() { Path = Path.Combine(folder, name + ".png"), FullPage = true });
    }

    /// <summary>axe-core from npm (node_modules, restored by ops/frontend): serious and critical violations only.</summary>
    public async Task<string[]> SeriousViolationsAsync(IPage page)
    {
        var axe = Path.Combine(RepositoryRoot, "node_modules", "axe-core", "axe.min.js");
        File.Exists(axe).ShouldBeTrue($"{axe} is missing: run ops/frontend (npm) first");
        await page.AddScriptTagAsync(new() { Path = axe });
        var json = await page.EvaluateAsync<string>("""
            axe.run().then(r => JSON.stringify(r.violations
              .filter(v => v.impact === 'serious' || v.impact === 'critical')
              .map(v => v.impact + ' ' + v.id + ': ' + v.help + ' at ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))))
            """);
        return JsonSerializer.Deserialize<string[]>(json) ?? [];
    }
}

[CollectionDefinition(Name)]
public sealed class UiCollection : ICollectionFixture<UiFixture>
{
    public const string Name = "ui";
}
