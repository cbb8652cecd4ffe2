using Alba;
using CaseTracking.Tests.Infrastructure;

namespace CaseTracking.Tests.Health;

[Collection(AppCollection.Name)]
public sealed class readiness(AppFixture app)
{
    [Fact]
    public async Task alive_answers_json()
    {
        var result = await app.Host.Scenario(s =>
        {
            s.Get.Url("/health");
            s.StatusCodeShouldBeOk();
        });
        (await result.ReadAsJsonAsync<Dictionary<string, object?>>())!["status"]!.ToString().ShouldBe("alive");
    }

    [Fact]
    public async Task ready_when_postgres_is_reachable()
    {
        var result = await app.Host.Scenario(s =>
        {
            s.Get.Url("/health/ready");
            s.StatusCodeShouldBeOk();
        });
        (await result.ReadAsJsonAsync<Dictionary<string, object?>>())!["status"]!.ToString().ShouldBe("ready");
    }
}

public sealed class database_probe
{
    [Fact]
    public async Task names_an_unreachable_postgres_and_recovers_without_a_restart()
    {
        var down = new CaseTracking.Health.DatabaseProbe("Host=127.0.0.1;Port=1;Database=x;Username=x;Password=x");
        (await down.ProblemAsync(default)).ShouldNotBeNull().ShouldContain("PostgreSQL is not reachable");

        // The probe opens a fresh, unpooled connection each time: the same probe answers again once the server is there.
        var up = new CaseTracking.Health.DatabaseProbe(TestDatabase.ConnectionString);
        (await up.ProblemAsync(default)).ShouldBeNull();
    }
}
