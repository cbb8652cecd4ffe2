using System.Net;
using CaseTracking.Tests.Infrastructure;

namespace CaseTracking.Tests.Auditing;

/// <summary>
/// The auditor's access log finds a person as the supervisor's search does (People/PersonSearch): a name typed
/// without diacritics, "Ð" typed for "Đ", words in any order, or the first digits of a national id.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class searching_the_access_log(AppFixture app) : IAsyncLifetime
{
    private static readonly Bogus.Faker Faker = new("vi");
    private TestProvince p = null!;
    private string name = "";
    private string nationalId = "";

    public async Task InitializeAsync()
    {
        p = await TestProvince.CreateAsync(app);
        // A name no other test uses, so the log's rows for it are this test's.
        var given = "X" + Faker.Random.String2(5, "bcdghklmnpqrstvx");
        name = $"Đinh Thị Nhàn {given}";
        nationalId = "0" + Faker.Random.ReplaceNumbers("###########");
        var person = await p.SupervisorA.Api.Post("/api/people", new
        {
            fullName = name, dateOfBirth = "1990-03-04", nationalId, address = "Số 3 đường Lê Lợi", wardId = p.WardA
        });
        person.Status.ShouldBe(201, person.ToString());
        (await p.SupervisorA.Api.Get($"/api/people/{person.Id("personId")}")).Status.ShouldBe(200);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<string> Log(string person)
    {
        var response = await p.Auditor.Api.Get("/audit/access?person=" + Uri.EscapeDataString(person));
        response.Status.ShouldBe(200, person);
        return WebUtility.HtmlDecode(response.Text);
    }

    [Theory]
    [InlineData("dinh nhan")]     // no diacritics
    [InlineData("ÐINH NHÀN")]     // the look-alike Ð (U+00D0) and capitals
    [InlineData("nhàn đinh")]     // words in another order
    public async Task finds_a_name_however_it_is_typed(string typed)
    {
        var given = name.Split(' ')[^1];
        (await Log($"{typed} {given}")).ShouldContain(name);
    }

    [Fact]
    public async Task finds_the_first_digits_of_a_national_id()
    {
        (await Log(nationalId[..8])).ShouldContain(name);
    }

    [Fact]
    public async Task a_name_nobody_has_finds_nothing()
    {
        var html = await Log("Zyxw Qvut " + Guid.NewGuid().ToString("N")[..8]);
        html.ShouldNotContain(name);
        html.ShouldContain("data-testid=\"access-empty\"");
    }
}
