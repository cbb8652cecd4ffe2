using CaseTracking.Tests.Infrastructure;
using Npgsql;

namespace CaseTracking.Tests.People;

/// <summary>Person search as a supervisor types it (issue 15): no diacritics, the look-alike Ð, any order, part of an id.</summary>
[Collection(AppCollection.Name)]
public sealed class finding_a_person(AppFixture app) : IAsyncLifetime
{
    private TestProvince p = null!;
    private string nationalId = "";

    public async Task InitializeAsync()
    {
        p = await TestProvince.CreateAsync(app);
        nationalId = "0370" + Random.Shared.NextInt64(10_000_000, 99_999_999);
        var registered = await p.SupervisorA.Api.Post("/api/people", new
        {
            fullName = "Đinh Văn Nhân", dateOfBirth = "1990-04-02", nationalId, address = "Thôn 3, xã An Bình", wardId = p.WardA
        });
        registered.Status.ShouldBe(201, registered.ToString());
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [InlineData("dinh nhan")]
    [InlineData("DINH VAN")]
    [InlineData("nhân đinh")]
    [InlineData("\u00D0inh Văn")] // Ð (U+00D0), the Icelandic look-alike typed for Đ
    [InlineData("Đinh Văn Nhân")]
    public async Task finds_the_name_however_it_is_typed(string typed)
    {
        var found = await p.SupervisorA.Api.Get($"/api/people?q={Uri.EscapeDataString(typed)}");
        found.Status.ShouldBe(200, found.ToString());
        found.Body.EnumerateArray().Select(x => x.GetProperty("nationalId").GetString()).ShouldContain(nationalId);
    }

    [Fact]
    public async Task finds_the_start_of_a_national_id_and_not_a_name_in_another_ward()
    {
        var found = await p.SupervisorA.Api.Get($"/api/people?q={nationalId[..8]}");
        found.Body.EnumerateArray().Select(x => x.GetProperty("nationalId").GetString()).ShouldContain(nationalId);

        var elsewhere = await p.SupervisorB.Api.Get("/api/people?q=dinh%20nhan");
        elsewhere.Body.EnumerateArray().Select(x => x.GetProperty("nationalId").GetString()).ShouldNotContain(nationalId);
    }

    [Fact]
    public async Task the_folded_name_is_indexed_for_a_province_scale_search()
    {
        await using var conn = new NpgsqlConnection(TestDatabase.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("select indexdef from pg_indexes where schemaname = @s and indexname = 'ct_person_folded_name'", conn);
        cmd.Parameters.AddWithValue("s", app.Schema);
        ((string?)await cmd.ExecuteScalarAsync()).ShouldNotBeNull().ShouldContain("gin_trgm_ops");
    }
}
