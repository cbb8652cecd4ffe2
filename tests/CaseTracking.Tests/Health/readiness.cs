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
