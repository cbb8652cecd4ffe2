using CaseTracking.Imports;
using CaseTracking.Reports;
using CaseTracking.Tests.Imports;
using CaseTracking.Tests.Infrastructure;
using Marten.Events;
using static CaseTracking.Tests.Imports.ImportFiles;

namespace CaseTracking.Tests.Reports;

/// <summary>The periodic report against a small province whose figures are worked out by hand below.</summary>
[Collection(AppCollection.Name)]
public sealed class the_province_report(AppFixture app)
{
    private static Dictionary<Col, object?> Row(SmallProvince p, string reference, string ward, string kind, string starts, string ends, string? org, string? mentor) =>
        Case(reference, ward, r =>
        {
            r[Col.Kind] = kind;
            r[Col.StartsOn] = starts;
            r[Col.EndsOn] = ends;
            r[Col.IssuedOn] = starts;
            r[Col.Organisation] = org;
            r[Col.Mentor] = mentor is null ? null : p.User(mentor);
            r[Col.Supervisor] = org is null ? null : p.User("sup");
        });

    [Fact]
    public async Task the_figures_match_a_hand_computed_small_province()
    {
        var p = await SmallProvince.CreateAsync(app, "rp");
        // Today is 2026-06-15 (the test clock). The period is January to June 2026.
        var file = Xlsx(
        [
            Row(p, "C1", "W1", "Án treo", "2025-01-01", "2026-03-31", p.O1.Name, "rev1"),                 // released, term completed, 2026-04-02
            Row(p, "C2", "W1", "Cải tạo không giam giữ", "2026-02-01", "2027-01-31", p.O1.Name, "rev1"),  // taken on in Feb; two reviews
            Row(p, "C3", "W2", "Giáo dục tại xã, phường", "2026-01-10", "2026-06-30", p.O2.Name, "rev2"), // taken on in Jan; revoked today
            Row(p, "C4", "W2", "Án treo", "2024-06-01", "2026-05-31", null, null)                          // a violation in March; closed today
        ], [Review("C2", "2026-02", "Tốt", "2026-02-20"), Review("C2", "2026-03", "Tốt", "2026-03-20")]);
        var imported = (await Upload(app.Host, p.Supervisor, file, "tinh.xlsx", false)).As<ImportReport>();
        imported.Problems.ShouldBeEmpty();
        imported.Created.Cases.ShouldBe(4);

        async Task<Guid> IdOf(string reference)
        {
            await using var session = app.Store.QuerySession(p.Tenant);
            return (await session.LoadAsync<ImportedCase>(reference))!.CaseId;
        }

        var c1 = await IdOf("C1");
        (await p.Supervisor.Post($"/api/cases/{c1}/release/recommend", new { grounds = "TermCompleted", note = "Hết thời hạn" })).Status.ShouldBe(200);
        (await p.Supervisor2.Post($"/api/cases/{c1}/release/approve", new { decisionNumber = "12/QĐ", effectiveOn = "2026-04-02" })).Status.ShouldBe(200);
        (await p.Supervisor.Post($"/api/cases/{await IdOf("C3")}/revoke", new { decisionNumber = "5/QĐ", reason = "Vi phạm nghĩa vụ" })).Status.ShouldBe(200);
        var c4 = await IdOf("C4");
        (await p.Supervisor.Post($"/api/cases/{c4}/violations", new { severity = "Minor", description = "Vắng mặt", occurredOn = "2026-03-05" })).Status.ShouldBe(200);
        (await p.Supervisor.Post($"/api/cases/{c4}/close", new { reason = "Other", note = "Chuyển đi nơi khác" })).Status.ShouldBe(200);
        await app.Host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(60));

        var response = await p.Auditor.Get("/api/reports/province?from=2026-01&to=2026-06");
        response.Status.ShouldBe(200, response.ToString());
        var report = response.As<ProvinceReport>();

        // Taken on: C2 (Feb), C3 (Jan). At the end of June: only C2. Released: C1 in April (term completed).
        // Revoked: C3 (June). Closed: C4 (June). Reviews held: C2's two. Violations: C4's one.
        // Reviews due, month by month within the period: C1 Jan–Mar (its term ends in March) 3, C2 Feb–Jun 5,
        // C3 Jan–Jun 6 (revoked in June, before its end), C4 Jan–May 5 (its term ended in May) = 19.
        report.Total.ShouldBe(new ReportFigures(2, 1, 1, 0, 1, 1, 2, 19, 1));
        report.ByWard.Single(l => l.Key == "W1").Figures.ShouldBe(new ReportFigures(1, 1, 1, 0, 0, 0, 2, 8, 0));
        report.ByWard.Single(l => l.Key == "W2").Figures.ShouldBe(new ReportFigures(1, 0, 0, 0, 1, 1, 0, 11, 1));
        report.ByKind.Single(l => l.Key == "SuspendedSentence").Figures.ShouldBe(new ReportFigures(0, 0, 1, 0, 0, 1, 0, 8, 1));
        report.ByKind.Single(l => l.Key == "NonCustodialReform").Figures.ShouldBe(new ReportFigures(1, 1, 0, 0, 0, 0, 2, 5, 0));
        report.ByKind.Single(l => l.Key == "CommuneEducation").Figures.ShouldBe(new ReportFigures(1, 0, 0, 0, 1, 0, 0, 6, 0));
        // By organisation type (each case by its organisation now): the Women's Union has C1 and C2 (C2's two reviews;
        // due 3 + 5), the Youth Union C3 (due 6), and C4 has none (its violation; due 5). They add up to the total.
        report.ByOrganisationType.Single(l => l.Key == "WomensUnion").Figures.ShouldBe(new ReportFigures(1, 1, 1, 0, 0, 0, 2, 8, 0));
        report.ByOrganisationType.Single(l => l.Key == "YouthUnion").Figures.ShouldBe(new ReportFigures(1, 0, 0, 0, 1, 0, 0, 6, 0));
        report.ByOrganisationType.Single(l => l.Key == "Unassigned").Figures.ShouldBe(new ReportFigures(0, 0, 0, 0, 0, 1, 0, 5, 1));
        report.ByOrganisationType.Aggregate(ReportFigures.Zero, (sum, l) => sum.Plus(l.Figures)).ShouldBe(report.Total);

        using var client = app.Host.Server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/reports/province.xlsx?from=2026-01&to=2026-06");
        request.Headers.Authorization = p.Auditor.Authorization;
        var xlsx = await client.SendAsync(request);
        xlsx.Content.Headers.ContentDisposition!.FileNameStar.ShouldBe($"bao-cao_{p.Tenant}_2026-01_2026-06.xlsx");
        using var stream = new MemoryStream(await xlsx.Content.ReadAsByteArrayAsync());
        var rows = MiniExcelLibs.MiniExcel.Query(stream, useHeaderRow: true, sheetName: "Theo xã, phường").Cast<IDictionary<string, object>>().ToList();
        rows[^1]["Mã xã/phường"].ShouldBe("Tổng cộng");
        Convert.ToInt32(rows[^1]["Lượt đánh giá phải làm"], System.Globalization.CultureInfo.InvariantCulture).ShouldBe(19);
        stream.Position = 0;
        var byType = MiniExcelLibs.MiniExcel.Query(stream, useHeaderRow: true, sheetName: "Theo loại tổ chức giúp đỡ").Cast<IDictionary<string, object>>().ToList();
        Convert.ToInt32(byType[^1]["Lượt đánh giá phải làm"], System.Globalization.CultureInfo.InvariantCulture).ShouldBe(19);

        var csv = await p.Auditor.Get($"/api/statistics.csv?from=2026-01&to=2026-06&wardId={p.W1.Id}");
        csv.Raw.Content.Headers.ContentDisposition!.FileNameStar.ShouldBe("thong-ke_W1_2026-01_2026-06.csv");
        csv.Text.TrimStart('\uFEFF').ShouldStartWith("Tháng,Mở mới");
    }
}
