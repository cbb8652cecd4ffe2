using System.Globalization;
using CaseTracking.Access;
using CaseTracking.Cases;
using CaseTracking.People;
using CaseTracking.Reports;
using JasperFx.Events;
using Marten;
using Marten.Events;

namespace CaseTracking.Imports;

/// <summary>The import template, and the export of a caseload in the same shape (so that an export can be imported).</summary>
public static class ImportTemplate
{
    /// <summary>The example row's reference; the importer passes over a row that still carries it.</summary>
    public const string ExampleReference = "VD-0001";

    private static IReadOnlyList<string> Headers(IEnumerable<Col> cols) => [.. cols.Select(c => ImportColumns.Header(c))];

    private static object?[] ExampleCase() =>
    [
        ExampleReference, "Nguyễn Văn Đông", "1990-03-15", "001090012345", "12 Lê Lợi, tổ 3", "0912345678", "P01",
        ImportColumns.Text("SupervisionKind.SuspendedSentence"), "125/2025/HS-ST", "Tòa án nhân dân huyện Đông Anh", "2025-05-20", "2025-06-01", "2027-05-31",
        "Hội Liên hiệp Phụ nữ phường", "rev001-1-1", "sup001-1"
    ];

    private static object?[] ExampleReview() =>
        [ExampleReference, "2025-06", "2025-06-20", ImportColumns.Text("ReviewRating.Good"), ImportColumns.Text("Import.Example.Summary")];

    private static object?[] ExampleProgress() =>
        [ExampleReference, ImportColumns.Text("ProgressArea.Employment"), ImportColumns.Text("ProgressDirection.Improved"), "2025-07-02",
            ImportColumns.Text("Import.Example.Note")];

    private static object?[] ExampleViolation() =>
        [ExampleReference, ImportColumns.Text("ViolationSeverity.Minor"), "2025-08-11", ImportColumns.Text("Import.Example.Description")];

    public static byte[] Xlsx() => Spreadsheets.Xlsx(
    [
        new Sheet(ImportColumns.SheetName(SheetKind.Cases), Headers(ImportColumns.CaseColumns), [ExampleCase()]),
        new Sheet(ImportColumns.SheetName(SheetKind.Reviews), Headers(ImportColumns.ReviewColumns), [ExampleReview()]),
        new Sheet(ImportColumns.SheetName(SheetKind.Progress), Headers(ImportColumns.ProgressColumns), [ExampleProgress()]),
        new Sheet(ImportColumns.SheetName(SheetKind.Violations), Headers(ImportColumns.ViolationColumns), [ExampleViolation()]),
        Guide()
    ]);

    public static byte[] Csv() => Spreadsheets.Csv(new Sheet("", Headers(ImportColumns.CaseColumns), [ExampleCase()]));

    private static Sheet Guide()
    {
        var lines = new List<object?[]>();
        for (var i = 1; ImportColumns.Text($"Import.Guide.{i}") is var line && line != $"Import.Guide.{i}"; i++) lines.Add([line]);
        lines.Add([""]);
        foreach (var col in ImportColumns.CaseColumns.Concat(ImportColumns.ReviewColumns.Skip(1)).Concat(ImportColumns.ProgressColumns.Skip(1))
                     .Concat(ImportColumns.ViolationColumns.Skip(1)))
            lines.Add([$"{ImportColumns.Header(col)}: {ImportColumns.Text("Import.ColHelp." + col)}"]);
        return new Sheet(ImportColumns.SheetName(SheetKind.Cases) is var _ ? ImportColumns.Text("Import.Sheet.Guide") : "", [ImportColumns.Text("Import.Sheet.Guide")], lines);
    }

    /// <summary>
    /// The unfinished cases of a ward (or of the province) in the template's shape, with their reviews, progress notes
    /// and violations: everything the import reads back. A case imported before keeps its external reference; another
    /// is referenced by its case id. A pending release recommendation and the transfers a case went through have no
    /// sheet (the import does not decide releases, and opens a case in its present ward): the export carries the present
    /// ward and term.
    /// </summary>
    public static async Task<CaseloadExport> ExportAsync(IQuerySession session, Actor actor, Guid? wardId, CancellationToken ct)
    {
        var query = session.Query<CaseSummary>().Where(s => s.Status != CaseStatus.Released && s.Status != CaseStatus.Revoked && s.Status != CaseStatus.Closed);
        if (wardId is { } w) query = query.Where(s => s.WardId == w);
        if (actor.Role == Role.Supervisor)
        {
            var mine = actor.WardIds.ToArray();
            query = query.Where(s => mine.Contains(s.WardId));
        }

        var cases = (await query.ToListAsync(ct)).OrderBy(s => s.Id).ToList();
        var personIds = cases.Select(c => c.PersonId).Distinct().ToArray();
        var people = (await session.LoadManyAsync<Person>(ct, personIds)).ToDictionary(p => p.Id);
        var wards = (await session.Query<Ward>().ToListAsync(ct)).ToDictionary(x => x.Id);
        var organisations = (await session.Query<Organisation>().ToListAsync(ct)).ToDictionary(x => x.Id);
        var users = (await session.Query<User>().Where(u => u.Tenant == actor.Tenant).ToListAsync(ct)).ToDictionary(u => u.Id);
        var references = (await session.Query<ImportedCase>().ToListAsync(ct)).GroupBy(m => m.CaseId).ToDictionary(g => g.Key, g => g.First().Reference);
        var phone = typeof(Person).GetProperty("Phone");

        string Ref(CaseSummary s) => references.GetValueOrDefault(s.Id) ?? s.Id.ToString();
        var caseRows = cases.Select(s =>
        {
            var p = people.GetValueOrDefault(s.PersonId);
            return (IReadOnlyList<object?>)
            [
                Ref(s), p?.FullName, p?.DateOfBirth, p?.NationalId, p?.Address, p is null ? null : phone?.GetValue(p) as string,
                wards.GetValueOrDefault(s.WardId)?.Code, ImportColumns.Text("SupervisionKind." + s.Kind), s.LegalBasis.DecisionNumber,
                s.LegalBasis.IssuedBy, s.LegalBasis.IssuedOn, s.StartsOn, s.EndsOn,
                s.OrganisationId is { } o ? organisations.GetValueOrDefault(o)?.Name : null,
                s.MentorUserId is { } m ? users.GetValueOrDefault(m)?.Username : null,
                s.SupervisorUserId is { } u ? users.GetValueOrDefault(u)?.Username : null
            ];
        }).ToList();

        var ids = cases.Select(c => c.Id).ToArray();
        var byId = cases.ToDictionary(c => c.Id);
        var reviewRows = new List<IReadOnlyList<object?>>();
        var progressRows = new List<IReadOnlyList<object?>>();
        var violationRows = new List<IReadOnlyList<object?>>();
        // Reviews, progress and violations in chunks of streams: one query each, not one per case. Free text is written
        // as it was (the spreadsheet writer neutralises a leading "=" and the import reads it back).
        foreach (var chunk in ids.Chunk(2000))
        {
            var events = await session.Events.QueryAllRawEvents()
                .Where(e => e.EventTypesAre(typeof(ReviewLogged), typeof(ProgressRecorded), typeof(ViolationRecorded)) && e.StreamId.IsOneOf(chunk))
                .ToListAsync(ct);
            foreach (var e in events.OrderBy(e => e.StreamId).ThenBy(e => e.Version))
            {
                var reference = Ref(byId[e.StreamId]);
                switch (e.Data)
                {
                    case ReviewLogged r:
                        reviewRows.Add([reference, r.Period, r.HeldOn, ImportColumns.Text("ReviewRating." + r.Rating), r.Summary]);
                        break;
                    case ProgressRecorded p:
                        progressRows.Add([reference, ImportColumns.Text("ProgressArea." + p.Area), ImportColumns.Text("ProgressDirection." + p.Direction), p.RecordedOn, p.Note]);
                        break;
                    case ViolationRecorded v:
                        violationRows.Add([reference, ImportColumns.Text("ViolationSeverity." + v.Severity), v.OccurredOn, v.Description]);
                        break;
                }
            }
        }

        return new CaseloadExport(
            new Sheet(ImportColumns.SheetName(SheetKind.Cases), Headers(ImportColumns.CaseColumns), caseRows),
            new Sheet(ImportColumns.SheetName(SheetKind.Reviews), Headers(ImportColumns.ReviewColumns), reviewRows),
            new Sheet(ImportColumns.SheetName(SheetKind.Progress), Headers(ImportColumns.ProgressColumns), progressRows),
            new Sheet(ImportColumns.SheetName(SheetKind.Violations), Headers(ImportColumns.ViolationColumns), violationRows));
    }

    public static string Today(CaseClock clock) => clock.Today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

/// <summary>A caseload as the template's sheets; the workbook holds them all, a CSV the cases alone.</summary>
public sealed record CaseloadExport(Sheet Cases, Sheet Reviews, Sheet Progress, Sheet Violations)
{
    public IReadOnlyList<Sheet> All => [Cases, Reviews, Progress, Violations];
}
