using CaseTracking.Pages.Shared;
using CaseTracking.Tests.Infrastructure;

namespace CaseTracking.Tests.Access;

/// <summary>
/// An admin corrects a ward's name or an organisation's name and type (issue 15): admins only, audited, and hostile
/// input answered 400/404, never 5xx.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class correcting_reference_data(AppFixture app) : IAsyncLifetime
{
    private TestProvince p = null!;

    public async Task InitializeAsync() => p = await TestProvince.CreateAsync(app);

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task an_admin_renames_a_ward_and_the_auditor_reads_it_in_the_admin_trail()
    {
        var ward = (await p.Admin.Post("/api/admin/wards", new { code = "R" + Guid.NewGuid().ToString("N")[..6], name = "Phường 3" })).Id("wardId");
        var renamed = await p.Admin.Post($"/api/admin/wards/{ward}", new { name = "Phường Tân Lập" });
        renamed.Status.ShouldBe(200, renamed.ToString());
        (await p.Admin.Get("/api/admin/wards")).Body.EnumerateArray().ShouldContain(w => w.GetProperty("name").GetString() == "Phường Tân Lập");
        (await p.Auditor.Api.Get("/api/audit/admin?pageSize=500")).Text.ShouldContain("Phường 3 → Phường Tân Lập");
        (await p.SupervisorA.Api.Post($"/api/admin/wards/{ward}", new { name = "X" })).Status.ShouldBe(403);
    }

    [Fact]
    public async Task an_admin_changes_an_organisations_name_and_type_but_not_its_ward()
    {
        var changed = await p.Admin.Post($"/api/admin/organisations/{p.OrgA2}", new { name = "Hội Cựu chiến binh phường 3", type = "VeteransAssociation" });
        changed.Status.ShouldBe(200, changed.ToString());
        var org = (await p.Admin.Get("/api/admin/organisations")).Body.EnumerateArray().Single(o => o.GetProperty("id").GetGuid() == p.OrgA2);
        org.GetProperty("type").GetString().ShouldBe("VeteransAssociation");
        (await p.Admin.Post($"/api/admin/organisations/{p.OrgA2}", new { name = "x", type = "Nope" })).Status.ShouldBe(400);
    }

    [Theory]
    [InlineData("/api/admin/wards/00000000-0000-0000-0000-000000000000", "{\"name\":\"Phường 1\"}", 404)]
    [InlineData("/api/admin/wards/{ward}", "{\"name\":\"a\\u0000b\"}", 400)]
    [InlineData("/api/admin/wards/{ward}", "{\"name\":\"\"}", 400)]
    [InlineData("/api/admin/organisations/00000000-0000-0000-0000-000000000000", "{\"name\":\"x\",\"type\":\"Other\"}", 404)]
    [InlineData("/api/admin/organisations/{org}", "{\"name\":null,\"type\":\"Other\"}", 400)]
    public async Task hostile_corrections_are_refused(string url, string json, int status)
    {
        var answer = await p.Admin.PostRaw(url.Replace("{ward}", p.WardB.ToString()).Replace("{org}", p.OrgA.ToString()), json);
        answer.Status.ShouldBe(status, answer.ToString());
        var huge = await p.Admin.PostRaw($"/api/admin/wards/{p.WardB}", "{\"name\":\"" + new string('x', 1_100_000) + "\"}");
        huge.Status.ShouldBeOneOf(400, 413);
    }

    [Theory]
    [InlineData("=1+2", "'=1+2")]
    [InlineData("+84 912", "'+84 912")]
    [InlineData("-5", "'-5")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("Đoàn Phương Nhi", "Đoàn Phương Nhi")]
    [InlineData("Hà Nội, \"Phường 3\"", "\"Hà Nội, \"\"Phường 3\"\"\"")]
    public void csv_cells_neutralise_formulas_and_quote_what_needs_it(string value, string cell) =>
        Csv.Cell(value).ShouldBe(cell);
}
