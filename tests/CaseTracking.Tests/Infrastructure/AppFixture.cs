using Alba;
using JasperFx.CommandLine;
using Marten;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;


namespace CaseTracking.Tests.Infrastructure;

/// <summary>
/// One real app (Kestrel-less Alba host) over the real PostgreSQL, in a schema of its own,
/// shared by the test classes of one collection.
/// </summary>
public class AppFixture : IAsyncLifetime
{
    public string Schema { get; } = "t_" + Guid.NewGuid().ToString("N")[..12];

    public TestClock Clock { get; } = new(new DateTimeOffset(2026, 6, 15, 9, 0, 0, TimeSpan.FromHours(7)));

    public IAlbaHost Host { get; private set; } = null!;

    public IDocumentStore Store => Host.Services.GetRequiredService<IDocumentStore>();

    public virtual async Task InitializeAsync()
    {
        JasperFxEnvironment.AutoStartHost = true;
        Host = await AlbaHost.For<Program>(builder =>
        {
            builder.UseSetting("ConnectionStrings:Marten", TestDatabase.ConnectionString);
            builder.UseSetting("CaseTracking:Schema", Schema);
            builder.UseSetting("CaseTracking:AdminPassword", TestData.AdminPassword);
            builder.UseSetting("CaseTracking:NationalAdminPassword", TestData.NationalAdminPassword);
            builder.UseSetting("CaseTracking:SealDaily", "false");
            builder.UseSetting("CaseTracking:DataFolder", Path.Combine(Path.GetTempPath(), "casetracking-tests", Schema));
            // The suite signs in a lot, all from one (in-memory) client: sign-in rate limits out of its way.
            // Tests of the limits themselves run a host with real ones (Access/sign_in_limits.cs).
            foreach (var (key, value) in Settings) builder.UseSetting(key, value);
            builder.ConfigureServices(services =>
            {
                services.RemoveAll<TimeProvider>();
                services.AddSingleton<TimeProvider>(Clock);
                ConfigureTestServices(services);
            });
        });
    }

    /// <summary>Settings of this host on top of the test defaults.</summary>
    protected virtual IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["CaseTracking:SignIn:PerClientPermits"] = "1000000",
        ["CaseTracking:SignIn:PerUserPermits"] = "1000000"
    };

    protected virtual void ConfigureTestServices(IServiceCollection services)
    {
    }

    private Api? _secondAdmin;

    /// <summary>
    /// The province's second administrator, who approves what "admin" asks. Created once per host, the way a
    /// fresh install gets one: the only admin creates one more admin without approval.
    /// </summary>
    public async Task<Api> SecondAdminAsync()
    {
        if (_secondAdmin is not null) return _secondAdmin;
        var anonymous = new Api(Host, null);
        var login = await anonymous.Post("/api/auth/token", new { username = TestData.SecondAdmin, password = TestData.SecondAdminPassword });
        if (login.Status != 200)
        {
            var admin = new Api(Host, await Api.TokenAsync(Host, "admin", TestData.AdminPassword));
            var created = await admin.Post("/api/admin/users", new { username = TestData.SecondAdmin, displayName = "Quản trị viên hai", role = "Admin" });
            if (created.Status != 201) throw new InvalidOperationException($"second admin: {created}");
            await Api.ChangePasswordAsync(Host, TestData.SecondAdmin, created.Body.GetProperty("oneTimePassword").GetString()!, TestData.SecondAdminPassword);
        }

        return _secondAdmin = new Api(Host, await Api.TokenAsync(Host, TestData.SecondAdmin, TestData.SecondAdminPassword));
    }

    /// <summary>The stored events of one case, straight from Marten.</summary>
    public async Task<IReadOnlyList<JasperFx.Events.IEvent>> EventsOf(Guid caseId, string tenant = "demo")
    {
        await using var session = Store.QuerySession(tenant);
        return await session.Events.FetchStreamAsync(caseId);
    }

    public virtual async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await TestDatabase.DropSchemaAsync(Schema);
    }
}

[CollectionDefinition(Name)]
public sealed class AppCollection : ICollectionFixture<AppFixture>
{
    public const string Name = "app";
}
