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
public sealed class AppFixture : IAsyncLifetime
{
    public string Schema { get; } = "t_" + Guid.NewGuid().ToString("N")[..12];

    public TestClock Clock { get; } = new(new DateTimeOffset(2026, 6, 15, 9, 0, 0, TimeSpan.FromHours(7)));

    public IAlbaHost Host { get; private set; } = null!;

    public IDocumentStore Store => Host.Services.GetRequiredService<IDocumentStore>();

    public async Task InitializeAsync()
    {
        JasperFxEnvironment.AutoStartHost = true;
        Host = await AlbaHost.For<Program>(builder =>
        {
            builder.UseSetting("ConnectionStrings:Marten", TestDatabase.ConnectionString);
            builder.UseSetting("CaseTracking:Schema", Schema);
            builder.UseSetting("CaseTracking:AdminPassword", TestData.AdminPassword);
            builder.UseSetting("CaseTracking:SealDaily", "false");
            builder.UseSetting("CaseTracking:DataFolder", Path.Combine(Path.GetTempPath(), "casetracking-tests", Schema));
            builder.ConfigureServices(services =>
            {
                services.RemoveAll<TimeProvider>();
                services.AddSingleton<TimeProvider>(Clock);
            });
        });
    }

    /// <summary>The stored events of one case, straight from Marten.</summary>
    public async Task<IReadOnlyList<JasperFx.Events.IEvent>> EventsOf(Guid caseId, string tenant = "demo")
    {
        await using var session = Store.QuerySession(tenant);
        return await session.Events.FetchStreamAsync(caseId);
    }

    public async Task DisposeAsync()
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
