using System.Text.Json;
using CaseTracking.Cases;
using CaseTracking.Imports;
using CaseTracking.People;
using CaseTracking.Tests.Infrastructure;
using Marten;
using Marten.Events;
using MiniExcelLibs;
using static CaseTracking.Tests.Imports.ImportFiles;

namespace CaseTracking.Tests.Imports;

/// <summary>Export a province in the template, import it into an empty province: the same cases, caseloads and statistics.</summary>
[Collection(AppCollection.Name)]
public sealed class export_and_import_round_trip(AppFixture app)
{
    [Fact]
    public async Task an_exported_province_imports_into_an_empty_one_with_the_same_summaries_caseloads_and_statistics()
    {
        var source = await SmallProvince.CreateAsync(app, "rs");
        var target = await SmallProvince.CreateAsync(app, "rt");
        var kinds = new[] { "Án treo", "Cải tạo không giam giữ", "Hỗ trợ tái hòa nhập", "Tha tù trước thời hạn có điều kiện" };
        var cases = new List<Dictionary<Col, object?>>();
        var reviews = new List<Dictionary<Col, object?>>();
        var progress = new List<Dictionary<Col, object?>>();
        var violations = new List<Dictionary<Col, object?>>();
        for (var i = 0; i < 24; i++)
        {
            var inW1 = i % 2 == 0;
            var start = new DateOnly(2025, 1 + i % 12, 1 + i % 20);
            var assigned = i % 5 != 0;
            cases.Add(Case($"RT-{i:000}", inW1 ? "W1" : "W2", r =>
            {
                r[Col.Kind] = kinds[i % kinds.Length];
                r[Col.StartsOn] = start.ToString("yyyy-MM-dd");
                r[Col.IssuedOn] = start.AddDays(-7).ToString("dd/MM/yyyy");
                r[Col.EndsOn] = start.AddMonths(18 + i % 6).ToString("yyyy-MM-dd");
                if (!assigned) return;
                r[Col.Organisation] = inW1 ? source.O1.Name : source.O2.Name;
                r[Col.Mentor] = source.User(inW1 ? "rev1" : "rev2");
                r[Col.Supervisor] = source.User("sup");
            }));
            // Progress notes and violations on most cases, assigned or not, some serious.
            if (i % 3 != 2) progress.Add(ProgressNote($"RT-{i:000}", start.AddDays(40).ToString("dd/MM/yyyy"), i % 2 == 0 ? "Việc làm" : "Gia đình",
                i % 4 == 1 ? "Giảm sút" : "Tiến bộ"));
            if (i % 4 == 0) violations.Add(Violation($"RT-{i:000}", start.AddDays(70).ToString("yyyy-MM-dd"), i % 8 == 0 ? "Nghiêm trọng" : "Nhẹ"));
            if (!assigned || kinds[i % kinds.Length] == "Hỗ trợ tái hòa nhập") continue;
            for (var m = start; m < new DateOnly(2026, 6, 1); m = m.AddMonths(1))
                reviews.Add(Review($"RT-{i:000}", m.ToString("yyyy-MM"), (i + m.Month) % 3 == 0 ? "Khá" : "Tốt",
                    (m.Day < 25 ? m.AddDays(3) : m).ToString("yyyy-MM-dd")));
        }

        // The formula-looking name would be refused: the source carries it as text, as an export would write it.
        cases[3][Col.FullName] = "'=cmd|' /C calc'!A0";
        violations[1][Col.Description] = "'=SUM(A1:A9) ghi nhầm vào ô";
        var first = (await Upload(app.Host, source.Supervisor, Xlsx(cases, reviews, progress: progress, violations: violations), "nguon.xlsx", false))
            .As<ImportReport>();
        first.Problems.ShouldBeEmpty();
        first.Created.Cases.ShouldBe(24);
        first.Created.Progress.ShouldBe(progress.Count);
        first.Created.Violations.ShouldBe(violations.Count);

        using var client = app.Host.Server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/imports/export.xlsx");
        request.Headers.Authorization = source.Auditor.Authorization;
        var exported = await (await client.SendAsync(request)).Content.ReadAsByteArrayAsync();
        using (var names = new MemoryStream(exported))
            MiniExcel.GetSheetNames(names).ShouldBe(["Hồ sơ", "Đánh giá", "Tiến bộ", "Vi phạm"]);

        // The other province has its own user names: the only column a person would change by hand.
        var mapped = Remap(exported, source.Prefix, target.Prefix);
        var second = (await Upload(app.Host, target.Supervisor, mapped, "xuat.xlsx", false)).As<ImportReport>();
        second.Problems.ShouldBeEmpty();
        second.Created.ShouldBe(first.Created);

        await app.Host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(60));
        (await Summaries(source)).ShouldBe(await Summaries(target));
        (await Caseload(source)).ShouldBe(await Caseload(target));
        (await source.Auditor.Get("/api/statistics?from=2024-12&to=2027-12")).Body.ToString()
            .ShouldBe((await target.Auditor.Get("/api/statistics?from=2024-12&to=2027-12")).Body.ToString());

        await using var session = app.Store.QuerySession(target.Tenant);
        (await session.Query<Person>().Where(x => x.FullName.StartsWith("=cmd")).CountAsync()).ShouldBe(1, "text survives the neutralising apostrophe");
        // The violations' and progress notes' own text came through too, not only their counts.
        var texts = (await session.Events.QueryRawEventDataOnly<ViolationRecorded>().ToListAsync()).Select(v => v.Description).ToList();
        texts.Count.ShouldBe(violations.Count);
        texts.ShouldContain("=SUM(A1:A9) ghi nhầm vào ô");
        (await session.Events.QueryRawEventDataOnly<ProgressRecorded>().CountAsync()).ShouldBe(progress.Count);
    }

    private static byte[] Remap(byte[] xlsx, string from, string to)
    {
        var sheets = new Dictionary<string, object>();
        using var names = new MemoryStream(xlsx);
        foreach (var name in MiniExcel.GetSheetNames(names))
        {
            using var stream = new MemoryStream(xlsx);
            sheets[name] = MiniExcel.Query(stream, useHeaderRow: true, sheetName: name).Cast<IDictionary<string, object?>>()
                .Select(r => r.ToDictionary(kv => kv.Key, kv => kv.Value is string s && s.StartsWith(from + "-", StringComparison.Ordinal) ? to + s[from.Length..] : kv.Value))
                .ToList();
        }

        using var output = new MemoryStream();
        MiniExcel.SaveAs(output, sheets);
        return output.ToArray();
    }

    /// <summary>Each case as the province sees it, with ids replaced by what names them (ward code, organisation, user role).</summary>
    private async Task<List<string>> Summaries(SmallProvince p)
    {
        await using var session = app.Store.QuerySession(p.Tenant);
        var markers = (await session.Query<ImportedCase>().ToListAsync()).ToDictionary(m => m.CaseId, m => m.Reference);
        var wards = new Dictionary<Guid, string> { [p.W1.Id] = "W1", [p.W2.Id] = "W2" };
        var users = (await session.Query<CaseTracking.Access.User>().Where(u => u.Tenant == p.Tenant).ToListAsync()).ToDictionary(u => u.Id, u => u.Username[(p.Prefix.Length + 1)..]);
        var people = (await session.Query<Person>().ToListAsync()).ToDictionary(x => x.Id, x => x.NationalId);
        return [.. (await session.Query<CaseSummary>().ToListAsync()).Select(s => JsonSerializer.Serialize(new
        {
            reference = markers[s.Id], s.Status, s.Kind, ward = wards[s.WardId], s.StartsOn, s.EndsOn, s.LegalBasis, s.OpenedAt,
            org = s.OrganisationId == p.O1.Id ? "O1" : s.OrganisationId == p.O2.Id ? "O2" : null,
            mentor = s.MentorUserId is { } m ? users[m] : null, supervisor = s.SupervisorUserId is { } u ? users[u] : null,
            person = people[s.PersonId], s.LastReviewPeriod, s.LastReviewHeldOn, s.LastReviewRating, s.ReviewCount, s.GoodReviews, s.FairReviews,
            s.Ratings, s.LatestRatings, s.ViolationCount, s.LastSeriousViolationOn, s.ProgressImproved, s.ProgressDeclined, s.Version
        })).Order(StringComparer.Ordinal)];
    }

    private static async Task<List<string>> Caseload(SmallProvince p)
    {
        var lines = (await p.Auditor.Get("/api/caseload?groupBy=Ward")).Body.EnumerateArray();
        return [.. lines.Select(l => $"{l.GetProperty("name")}|{l.GetProperty("activeCases")}|{l.GetProperty("overdueReviews")}|{l.GetProperty("termEndedNotReleased")}").Order(StringComparer.Ordinal)];
    }
}
