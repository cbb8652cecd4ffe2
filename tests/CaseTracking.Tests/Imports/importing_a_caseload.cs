using System.Text;
using CaseTracking.Cases;
using CaseTracking.Imports;
using CaseTracking.People;
using CaseTracking.Tests.Infrastructure;
using Marten;
using static CaseTracking.Tests.Imports.ImportFiles;

namespace CaseTracking.Tests.Imports;

/// <summary>The dry run, the import, a re-import, and every bad input of issue 16, through POST /api/imports.</summary>
[Collection(AppCollection.Name)]
public sealed class importing_a_caseload(AppFixture app) : IAsyncLifetime
{
    private TestProvince p = null!;
    private string wardA = "", wardB = "", orgA = "";

    public async Task InitializeAsync()
    {
        p = await TestProvince.CreateAsync(app);
        wardA = await WardCodeAsync(app, p.WardA);
        wardB = await WardCodeAsync(app, p.WardB);
        orgA = await OrganisationNameAsync(app, p.OrgA);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private string Ref(string s) => $"{wardA}-{s}";

    private Dictionary<Col, object?> Assigned(string reference) => Case(Ref(reference), wardA, r =>
    {
        r[Col.Organisation] = orgA;
        r[Col.Mentor] = p.ReviewerA.Username;
        r[Col.Supervisor] = p.SupervisorA.Username;
    });

    private async Task<IReadOnlyList<CaseSummary>> SummariesOf(IEnumerable<string> nationalIds)
    {
        await using var session = app.Store.QuerySession("demo");
        var ids = nationalIds.ToArray();
        var people = await session.Query<Person>().Where(x => ids.Contains(x.NationalId)).Select(x => x.Id).ToListAsync();
        var personIds = people.ToArray();
        return await session.Query<CaseSummary>().Where(s => personIds.Contains(s.PersonId)).ToListAsync();
    }

    [Fact]
    public async Task a_dry_run_reports_what_would_be_created_and_writes_nothing()
    {
        var cases = new[] { Assigned("D1"), Assigned("D2"), Case(Ref("D3"), wardA) };
        var reviews = new[] { Review(Ref("D1"), "2025-06"), Review(Ref("D1"), "2025-07"), Review(Ref("D2"), "2025-06", "Khá") };
        var response = await Upload(app.Host, p.SupervisorA.Api, Xlsx(cases, reviews), "ho-so.xlsx", dryRun: true);

        response.Status.ShouldBe(200, response.ToString());
        var report = response.As<ImportReport>();
        report.DryRun.ShouldBeTrue();
        report.CaseRows.ShouldBe(3);
        report.ReviewRows.ShouldBe(3);
        report.Created.ShouldBe(new ImportCounts(3, 0, 3, 2, 3));
        report.Problems.ShouldBeEmpty();
        report.FileSha256.Length.ShouldBe(64);
        (await SummariesOf(cases.Select(c => (string)c[Col.NationalId]!))).ShouldBeEmpty("a dry run writes nothing");
    }

    [Fact]
    public async Task progress_notes_and_violations_go_through_the_api_rules_and_bad_rows_are_named_by_sheet_row_and_column()
    {
        var cases = new[] { Assigned("PV1") };
        var progress = new[]
        {
            ProgressNote(Ref("PV1"), "2025-07-02", "Việc làm", "Tiến bộ", "Đã có việc làm ở xưởng may."),   // row 2: kept
            ProgressNote(Ref("PV1"), "2025-05-01"),                                                        // row 3: before the start
            ProgressNote(Ref("PV1"), "2025-08-01", area: "Bóng đá"),                                       // row 4: no such area
            ProgressNote(Ref("PV9"), "2025-08-01")                                                         // row 5: no such case
        };
        var violations = new[]
        {
            Violation(Ref("PV1"), "11/08/2025", "Nghiêm trọng", "Vắng mặt ba buổi sinh hoạt."),           // row 2: kept
            Violation(Ref("PV1"), "2026-12-01"),                                                           // row 3: after today (2026-06-15)
            Violation(Ref("PV1"), "31/02/2025"),                                                           // row 4: no such date
            Violation(Ref("PV1"), "2025-09-01", description: "a\u0085b")                                  // row 5: a control character (C1 next line)
        };
        var response = await Upload(app.Host, p.SupervisorA.Api, Xlsx(cases, [], progress: progress, violations: violations), "tien-bo.xlsx", dryRun: false);
        response.Status.ShouldBe(200, response.ToString());
        var report = response.As<ImportReport>();
        report.Created.ShouldBe(new ImportCounts(1, 0, 1, 1, 0, 1, 1));
        report.Problems.ShouldContain(x => x.Sheet == "Tiến bộ" && x.Row == 3 && x.Code == "progress.before-start" && x.Column == "Ngày ghi nhận");
        report.Problems.ShouldContain(x => x.Sheet == "Tiến bộ" && x.Row == 4 && x.Code == "import.unknown-choice" && x.Column == "Lĩnh vực tiến bộ"
            && x.Text.Contains("Việc làm, Học tập"));
        report.Problems.ShouldContain(x => x.Sheet == "Tiến bộ" && x.Row == 5 && x.Code == "import.unknown-reference");
        report.Problems.ShouldContain(x => x.Sheet == "Vi phạm" && x.Row == 3 && x.Code == "violation.in-future" && x.Column == "Ngày vi phạm");
        report.Problems.ShouldContain(x => x.Sheet == "Vi phạm" && x.Row == 4 && x.Code == "import.bad-date");
        report.Problems.ShouldContain(x => x.Sheet == "Vi phạm" && x.Row == 5 && x.Code == "import.control-character" && x.Column == "Nội dung vi phạm");

        var summary = (await SummariesOf([(string)cases[0][Col.NationalId]!])).Single();
        summary.ProgressImproved.ShouldBe(1);
        summary.ViolationCount.ShouldBe(1);
        summary.LastSeriousViolationOn.ShouldBe(new DateOnly(2025, 8, 11));
        // In the stream by their dates after the opening and assignment, each stamped with its business day.
        var events = await app.EventsOf(summary.Id);
        events.Select(e => e.Data.GetType().Name).ShouldBe(["CaseOpened", "CaseAssigned", "ProgressRecorded", "ViolationRecorded"]);
        (events[3].Timestamp - events[2].Timestamp).TotalDays.ShouldBe(40, "2 July to 11 August");
        events[2].Timestamp.ShouldBeGreaterThanOrEqualTo(events[1].Timestamp);

        // Imported again: the case and its notes are passed over, nothing doubles.
        var again = (await Upload(app.Host, p.SupervisorA.Api, Xlsx(cases, [], progress: progress[..1], violations: violations[..1]), "tien-bo.xlsx", dryRun: false))
            .As<ImportReport>();
        again.Created.ShouldBe(new ImportCounts(0, 0, 0, 0, 0));
        again.RowsSkipped.ShouldBe(3);
        (await app.EventsOf(summary.Id)).Count.ShouldBe(4);
    }

    [Fact]
    public async Task an_import_writes_valid_rows_with_business_time_file_hash_row_and_importer_and_reports_the_rest()
    {
        var good = Assigned("I1");
        var bad = Case(Ref("I2"), wardA, r => r[Col.EndsOn] = "31/02/2027");
        var reviews = new[] { Review(Ref("I1"), "2025-06", heldOn: "2025-06-20"), Review(Ref("I1"), "2025-07", "Khá", "2025-07-18"), Review(Ref("I2"), "2025-06") };
        var file = Xlsx([good, bad], reviews);
        var response = await Upload(app.Host, p.SupervisorA.Api, file, "ho-so.xlsx", dryRun: false);

        response.Status.ShouldBe(200, response.ToString());
        var report = response.As<ImportReport>();
        report.Created.ShouldBe(new ImportCounts(1, 0, 1, 1, 2));
        var endsOn = report.Problems.Single(x => x.Row == 3 && x.Sheet == "Hồ sơ");
        endsOn.Column.ShouldBe("Ngày kết thúc");
        endsOn.Code.ShouldBe("import.bad-date");
        endsOn.Text.ShouldContain("Dòng 3, cột Ngày kết thúc:");
        report.Problems.ShouldContain(x => x.Sheet == "Đánh giá" && x.Row == 4 && x.Code == "import.case-row-invalid");

        var summary = (await SummariesOf([(string)good[Col.NationalId]!])).Single();
        summary.Status.ShouldBe(CaseStatus.Active);
        summary.ReviewCount.ShouldBe(2);
        var events = await app.EventsOf(summary.Id);
        events.Select(e => e.Data.GetType()).ShouldBe([typeof(CaseOpened), typeof(CaseAssigned), typeof(ReviewLogged), typeof(ReviewLogged)]);
        DateOnly.FromDateTime(events[0].Timestamp.ToOffset(TimeSpan.FromHours(7)).DateTime).ShouldBe(new DateOnly(2025, 6, 1), "the event carries its business time");
        DateOnly.FromDateTime(events[3].Timestamp.ToOffset(TimeSpan.FromHours(7)).DateTime).ShouldBe(new DateOnly(2025, 7, 18));
        foreach (var e in events)
        {
            e.Headers![ImportsModule.FileHeader].ToString().ShouldBe(report.FileSha256);
            e.Headers![ImportsModule.ByHeader].ToString().ShouldBe(p.SupervisorA.Username);
            e.UserName.ShouldBe(p.SupervisorA.Username);
        }

        e0Row(events[0]).ShouldBe("2");
        e0Row(events[3]).ShouldBe("3");
        ((ReviewLogged)events[2].Data).LoggedBy.ShouldBe(p.ReviewerA.Id, "the review was held by the case's mentor");

        // As-of views work on imported history: in mid-June 2025 the case had one review.
        var asOf = await p.SupervisorA.Api.Get($"/api/cases/{summary.Id}/as-of?at=2025-06-30T00:00:00Z");
        asOf.Status.ShouldBe(200, asOf.ToString());
        asOf.Body.GetProperty("case").GetProperty("reviewCount").GetInt32().ShouldBe(1);

        var verify = await p.Auditor.Api.Get($"/api/audit/verify/{summary.Id}");
        verify.Body.GetProperty("valid").GetBoolean().ShouldBeTrue(verify.ToString());

        static string e0Row(JasperFx.Events.IEvent e) => e.Headers![ImportsModule.RowHeader].ToString()!;
    }

    [Fact]
    public async Task re_importing_the_same_or_a_corrected_file_skips_what_is_already_imported()
    {
        var one = Assigned("R1");
        var two = Case(Ref("R2"), wardA, r => r[Col.Kind] = "Án treo xyz");
        var reviews = new List<Dictionary<Col, object?>> { Review(Ref("R1"), "2025-06") };
        var first = (await Upload(app.Host, p.SupervisorA.Api, Xlsx([one, two], reviews), "a.xlsx", false)).As<ImportReport>();
        first.Created.Cases.ShouldBe(1);
        first.Problems.ShouldContain(x => x.Code == "import.unknown-kind");

        var again = (await Upload(app.Host, p.SupervisorA.Api, Xlsx([one, two], reviews), "a.xlsx", false)).As<ImportReport>();
        again.Created.ShouldBe(new ImportCounts(0, 0, 0, 0, 0));
        again.RowsSkipped.ShouldBe(2, "the case row and its review");
        again.Skipped[0].Text.ShouldContain("đã được nhập");

        two[Col.Kind] = "Cải tạo không giam giữ";
        reviews.Add(Review(Ref("R1"), "2025-07"));
        var corrected = (await Upload(app.Host, p.SupervisorA.Api, Xlsx([one, two], reviews), "b.xlsx", false)).As<ImportReport>();
        corrected.Problems.ShouldBeEmpty();
        corrected.Created.Cases.ShouldBe(1);
        corrected.Created.Reviews.ShouldBe(1, "the new review of the case imported before");
        var summaries = await SummariesOf([(string)one[Col.NationalId]!, (string)two[Col.NationalId]!]);
        summaries.Count.ShouldBe(2);
        summaries.Single(s => s.Kind == SupervisionKind.SuspendedSentence).ReviewCount.ShouldBe(2);
    }

    [Fact]
    public async Task bad_cells_are_reported_by_row_and_column_and_only_good_rows_are_written()
    {
        await using (var session = app.Store.LightweightSession("demo"))
        {
            // A person already registered: matched by national id, not registered twice.
            session.Store(new Person { Id = Guid.CreateVersion7(), FullName = "Lê Văn Cũ", NationalId = "012345678901", DateOfBirth = new(1980, 1, 1), Address = "x", WardId = p.WardA });
            await session.SaveChangesAsync();
        }

        var decomposed = "Nguye\u0302\u0303n Thi\u0323 Ha\u0300";
        var cases = new[]
        {
            Case(Ref("B1"), wardA, r => r[Col.FullName] = decomposed),
            Case(Ref("B2"), wardA, r => r[Col.FullName] = "Ðặng Văn Ðức"),
            Case(Ref("B3"), wardA, r => r[Col.NationalId] = "012345678901"),
            Case(Ref("B4"), "KHONG-CO"),
            Case(Ref("B5"), wardA, r => { r[Col.Organisation] = orgA; r[Col.Mentor] = "ai-do-khong-co"; r[Col.Supervisor] = p.SupervisorA.Username; }),
            Case(Ref("B6"), wardA, r => r[Col.StartsOn] = "2025-13-01"),
            Case(Ref("B1"), wardA),
            Case(Ref("B8"), wardA, r => r[Col.EndsOn] = "2025-09-01"),
            Case(Ref("B9"), wardA, r => r[Col.IssuedBy] = "x")
        };
        var file = WithFormula(Xlsx(cases), "J10");
        var report = (await Upload(app.Host, p.SupervisorA.Api, file, "bad.xlsx", false)).As<ImportReport>();

        string CodeAt(int row) => string.Join(",", report.Problems.Where(x => x.Row == row).Select(x => x.Code));
        CodeAt(5).ShouldBe("import.unknown-ward");
        CodeAt(6).ShouldBe("import.unknown-user");
        report.Problems.Single(x => x.Row == 6).Column.ShouldBe("Người giúp đỡ (tên đăng nhập)");
        CodeAt(7).ShouldBe("import.bad-date");
        CodeAt(8).ShouldBe("import.duplicate-reference");
        CodeAt(9).ShouldBe("term.out-of-range");
        report.Problems.Single(x => x.Row == 9).Column.ShouldBe("Ngày kết thúc");
        CodeAt(10).ShouldBe("import.formula");
        report.Problems.Single(x => x.Row == 10).Column.ShouldBe("Cơ quan ban hành");
        report.Created.ShouldBe(new ImportCounts(2, 1, 3, 0, 0));

        await using var query = app.Store.QuerySession("demo");
        var names = await query.Query<Person>().Where(x => x.FullName.StartsWith("Nguyễn Thị Hà") || x.FullName.StartsWith("Đặng Văn Đức")).ToListAsync();
        names.Select(x => x.FullName).ShouldContain("Nguyễn Thị Hà", "stored in NFC");
        names.Select(x => x.FullName).ShouldContain("Đặng Văn Đức", "Ð read as Đ");
        (await query.Query<Person>().CountAsync(x => x.NationalId == "012345678901")).ShouldBe(1, "matched, not duplicated");
    }

    [Fact]
    public async Task files_that_cannot_be_read_are_refused_in_words_and_nothing_is_written()
    {
        var notAFile = await Upload(app.Host, p.SupervisorA.Api, [0x89, 0x50, 0x4E, 0x47, 0x00, 0x01, 0x02], "anh.png", false);
        notAFile.Status.ShouldBe(415, notAFile.ToString());
        notAFile.Code.ShouldBe("import.unsupported-file");

        var broken = Xlsx([Case(Ref("X1"), wardA)])[..300];
        var brokenAnswer = await Upload(app.Host, p.SupervisorA.Api, broken, "hong.xlsx", false);
        brokenAnswer.Status.ShouldBe(400, brokenAnswer.ToString());
        brokenAnswer.Code.ShouldBe("import.broken-file");

        byte[] ole = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, .. new byte[600]];
        var protectedAnswer = await Upload(app.Host, p.SupervisorA.Api, ole, "mat-khau.xlsx", false);
        protectedAnswer.Status.ShouldBe(400, protectedAnswer.ToString());
        protectedAnswer.Code.ShouldBe("import.protected-file");
        protectedAnswer.Body.GetProperty("detail").GetString()!.ShouldContain("mật khẩu");

        var huge = await Upload(app.Host, p.SupervisorA.Api, new byte[50 * 1024 * 1024], "lon.csv", false);
        huge.Status.ShouldBe(413, huge.ToString());
        huge.Code.ShouldBe("import.too-large");
        huge.Body.GetProperty("detail").GetString()!.ShouldContain("50 MB");

        var json = await p.SupervisorA.Api.Post("/api/imports", new { file = "x" });
        json.Status.ShouldBe(415, json.ToString());

        var reviewer = await Upload(app.Host, p.ReviewerA.Api, Xlsx([Case(Ref("X2"), wardA)]), "a.xlsx", false);
        reviewer.Status.ShouldBe(403);
    }

    [Fact]
    public async Task a_supervisor_imports_only_into_their_own_wards_and_a_csv_works_like_a_sheet()
    {
        var mine = Case(Ref("C1"), wardA, r => r[Col.FullName] = "=HYPERLINK(\"x\")");
        var theirs = Case(Ref("C2"), wardB);
        var ok = Case(Ref("C3"), wardA);
        var report = (await Upload(app.Host, p.SupervisorA.Api, Csv([mine, theirs, ok]), "ho-so.csv", false)).As<ImportReport>();
        report.Problems.Single(x => x.Row == 2).Code.ShouldBe("import.formula");
        report.Problems.Single(x => x.Row == 3).Code.ShouldBe("import.ward-not-yours");
        report.Created.Cases.ShouldBe(1);
    }

    [Fact]
    public async Task the_template_has_headers_in_the_users_language_and_both_are_read()
    {
        using var client = app.Host.Server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/imports/template.xlsx");
        request.Headers.Authorization = p.SupervisorA.Api.Authorization;
        var response = await client.SendAsync(request);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        var bytes = await response.Content.ReadAsByteArrayAsync();
        using (var stream = new MemoryStream(bytes))
            MiniExcelLibs.MiniExcel.GetSheetNames(stream).ShouldBe(["Hồ sơ", "Đánh giá", "Tiến bộ", "Vi phạm", "Hướng dẫn"]);
        using (var stream = new MemoryStream(bytes))
        {
            var header = (IDictionary<string, object>)MiniExcelLibs.MiniExcel.Query(stream).First();
            header.Values.ShouldContain("Ngày kết thúc");
        }

        // The template itself imports to nothing: its example row is passed over.
        var blank = (await Upload(app.Host, p.SupervisorA.Api, bytes, "mau.xlsx", true)).As<ImportReport>();
        blank.Problems.ShouldBeEmpty();
        blank.Created.ShouldBe(new ImportCounts(0, 0, 0, 0, 0), "the example rows of every sheet are passed over");

        using var csvRequest = new HttpRequestMessage(HttpMethod.Get, "/api/imports/template.csv");
        csvRequest.Headers.Authorization = p.SupervisorA.Api.Authorization;
        csvRequest.Headers.Add("Cookie", EnglishCookie);
        var csv = await (await client.SendAsync(csvRequest)).Content.ReadAsByteArrayAsync();
        csv[..3].ShouldBe(Encoding.UTF8.GetPreamble());
        Encoding.UTF8.GetString(csv).ShouldContain("Ends on");

        var english = (await Upload(app.Host, p.SupervisorA.Api, Xlsx([Case(Ref("E1"), wardA, r => r[Col.Kind] = "Suspended sentence")], english: true), "en.xlsx", false, EnglishCookie)).As<ImportReport>();
        english.Problems.ShouldBeEmpty();
        english.Created.Cases.ShouldBe(1);
        var englishProblem = (await Upload(app.Host, p.SupervisorA.Api, Xlsx([Case(Ref("E2"), "NOWHERE")], english: true), "en.xlsx", true, EnglishCookie)).As<ImportReport>();
        englishProblem.Problems.Single().Text.ShouldStartWith("Cases · Row 2, column Ward code:");
    }
}
