using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using CaseTracking.Access;
using CaseTracking.Cases;
using CaseTracking.Cases.Assigning;
using CaseTracking.Cases.Opening;
using CaseTracking.Cases.Progress;
using CaseTracking.Cases.Reviewing;
using CaseTracking.Cases.Violations;
using CaseTracking.Infrastructure;
using CaseTracking.People;
using FluentValidation;
using FluentValidation.Results;
using JasperFx.Events;
using Marten;

namespace CaseTracking.Imports;

/// <summary>
/// Marks one external reference of a province as imported: the key that makes re-running a file safe. Inserted
/// (never stored over) in the same transaction as the case's events, so two imports of one row cannot both commit.
/// </summary>
public sealed class ImportedCase
{
    /// <summary>The external reference as compared: trimmed, NFC, upper case.</summary>
    public string Id { get; set; } = "";

    public string Reference { get; set; } = "";
    public Guid CaseId { get; set; }
    public Guid PersonId { get; set; }
    public string FileSha256 { get; set; } = "";
    public int Row { get; set; }
    public DateTimeOffset ImportedAt { get; set; }
    public string ImportedBy { get; set; } = "";
}

/// <summary>A problem of one cell (or row), with its text in the user's language: "Dòng 14, cột Ngày kết thúc: …".</summary>
public sealed record ImportProblem(string Sheet, int Row, string? Column, string Code, string Message, string Text);

/// <summary>A row left alone because its external reference is already imported in this province.</summary>
public sealed record ImportSkip(string Sheet, int Row, string ExternalReference, string Text);

public sealed record ImportCounts(int People, int PeopleMatched, int Cases, int Assignments, int Reviews, int Progress = 0, int Violations = 0);

public sealed record ImportReport(bool DryRun, string FileName, string FileSha256, string Format, int CaseRows, int ReviewRows,
    ImportCounts Created, int RowsSkipped, int RowsWithProblems, IReadOnlyList<ImportProblem> Problems, IReadOnlyList<ImportSkip> Skipped,
    IReadOnlyList<string> UnknownColumns, double Seconds);

public static class ImportsModule
{
    /// <summary>Event headers every imported event carries (never "prevHash"/"hash": those are the hash chain's).</summary>
    public const string FileHeader = "importFileSha256";
    public const string RowHeader = "importRow";
    public const string SheetHeader = "importSheet";
    public const string ByHeader = "importedBy";

    /// <summary>An upload may be at most this large (the whole request, file included).</summary>
    public const long MaxUploadBytes = 50L * 1024 * 1024;

    public static StoreOptions ConfigureImports(this StoreOptions opts)
    {
        opts.Schema.For<ImportedCase>().MultiTenanted();
        return opts;
    }
}

/// <summary>
/// Brings a province's caseload in from the template (DESIGN §6). Every row goes through the decisions the API uses
/// (the validators from DI, <see cref="OpenCaseHandler"/>, <see cref="AssignCaseHandler"/>, <see cref="LogReviewHandler"/>);
/// only rows that pass are written, in batches of one transaction each. A dry run stops before writing.
/// </summary>
public sealed class Importer(IDocumentStore store, SupervisionKinds kinds, CaseClock clock, TimeProvider time,
    IValidator<OpenCase> openValidator, IValidator<RegisterPerson> personValidator, IValidator<AssignCase> assignValidator,
    IValidator<LogReview> reviewValidator, IValidator<RecordProgress> progressValidator, IValidator<RecordViolation> violationValidator,
    ILogger<Importer> logger)
{
    public const int BatchSize = 400;

    // Person gains an optional Phone in another change; set it when the property exists, so both merge cleanly.
    private static readonly PropertyInfo? PhoneProperty = typeof(Person).GetProperty("Phone") is { CanWrite: true } p && p.PropertyType == typeof(string) ? p : null;

    private sealed record Planned(object Data, DateOnly On, SheetKind Sheet, int Row);

    private sealed class PlannedCase
    {
        public required RawRow Row { get; init; }
        public required string Reference { get; init; }
        public required string Key { get; init; }
        public required Guid CaseId { get; init; }
        public required Guid PersonId { get; init; }
        public Person? NewPerson { get; init; }
        public required Case State { get; set; }
        public Guid? MentorId { get; init; }
        public List<Planned> Events { get; } = [];

        /// <summary>Null for a new case; the stream's version for reviews added to a case imported before.</summary>
        public long? ExistingVersion { get; init; }
    }

    public async Task<ImportReport> RunAsync(Actor actor, byte[] content, string fileName, bool dryRun,
        Action<string, int, int>? progress, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        var sha = Convert.ToHexStringLower(SHA256.HashData(content));
        var file = ImportReader.Read(content, fileName);
        var problems = new List<ImportProblem>();
        var skipped = new List<ImportSkip>();
        var today = clock.Today;
        var casesSheet = file.CasesSheetName;

        // A cell's text as the user meant it (cleaned, spreadsheet neutralising undone); a control character is a problem.
        string? Cell(RawRow row, Col col)
        {
            var raw = row[col];
            if (raw is null) return null;
            var value = ImportText.Unneutralise(ImportText.Clean(raw));
            if (!Infrastructure.Text.IsMultiLine(value))
            {
                Problem(row, col, "import.control-character", Code("import.control-character"));
                return null;
            }

            return value.Length == 0 ? null : value;
        }

        void Problem(RawRow row, Col? col, string code, string message)
        {
            var sheet = file.SheetName(row.Sheet);
            var text = col is { } c
                ? ImportColumns.Format("Import.Problem.Cell", row.Number, ImportColumns.Header(c), message)
                : ImportColumns.Format("Import.Problem.Row", row.Number, message);
            if (file.Format == "xlsx") text = $"{sheet} · {text}";
            problems.Add(new ImportProblem(sheet, row.Number, col is null ? null : ImportColumns.Header(col.Value), code, message, text));
        }

        string Code(string code, params object?[] args) => ImportColumns.Format("Import.Code." + code, args);

        // ---- reference data of the province, each in one query ----
        await using var query = store.QuerySession(actor.Tenant);
        var wards = (await query.Query<Ward>().ToListAsync(ct)).GroupBy(w => ImportColumns.Key(w.Code)).ToDictionary(g => g.Key, g => g.First());
        var organisations = (await query.Query<Organisation>().ToListAsync(ct))
            .GroupBy(o => (o.WardId, ImportColumns.Key(o.Name))).ToDictionary(g => g.Key, g => g.First());
        var users = (await query.Query<User>().Where(u => u.Tenant == actor.Tenant).ToListAsync(ct))
            .GroupBy(u => u.Username.ToLowerInvariant()).ToDictionary(g => g.Key, g => g.First());
        var usersById = users.Values.ToDictionary(u => u.Id);

        var nationalIds = file.Cases.Select(r => r[Col.NationalId]).Where(x => x is not null).Select(x => ImportText.Clean(x!)).Distinct().ToArray();
        var people = (await query.Query<Person>().Where(p => nationalIds.Contains(p.NationalId)).ToListAsync(ct))
            .GroupBy(p => p.NationalId).ToDictionary(g => g.Key, g => g.First());
        var knownPersonIds = people.Values.Select(p => p.Id).ToArray();
        var activeOfKind = (await query.Query<CaseSummary>()
                .Where(s => knownPersonIds.Contains(s.PersonId) && s.Status != CaseStatus.Released && s.Status != CaseStatus.Revoked && s.Status != CaseStatus.Closed)
                .Select(s => new { s.PersonId, s.Kind }).ToListAsync(ct))
            .Select(x => (x.PersonId, x.Kind)).ToHashSet();

        var keys = file.Cases.Concat(file.Reviews).Concat(file.Progress).Concat(file.Violations).Select(r => r[Col.ExternalRef])
            .Where(x => x is not null).Select(x => RefKey(x!)).Distinct().ToArray();
        var imported = (await query.LoadManyAsync<ImportedCase>(ct, keys)).ToDictionary(m => m.Id);
        progress?.Invoke("read", 0, file.Cases.Count);

        // ---- cases ----
        var planned = new Dictionary<string, PlannedCase>(StringComparer.Ordinal);
        var rowsOfKey = new Dictionary<string, int>(StringComparer.Ordinal);
        var newPeople = new Dictionary<string, Person>(StringComparer.Ordinal);
        var matched = new HashSet<Guid>();
        var badKeys = new HashSet<string>(StringComparer.Ordinal);
        var example = ImportColumns.Key(ImportTemplate.ExampleReference);
        var done = 0;
        foreach (var row in file.Cases)
        {
            if (++done % 500 == 0) progress?.Invoke("check", done, file.Cases.Count);
            var before = problems.Count;
            string? Text(Col col)
            {
                if (!row.Formulas.Contains(col)) return Cell(row, col);
                Problem(row, col, "import.formula", Code("import.formula"));
                return null;
            }

            var reference = Text(Col.ExternalRef);
            if (reference is not null && ImportColumns.Key(reference) == example) continue;
            var values = ImportColumns.CaseColumns.ToDictionary(c => c, Text);
            foreach (var col in ImportColumns.RequiredCaseColumns)
                if (values[col] is null && !row.Formulas.Contains(col) && !problems.Skip(before).Any(p => p.Column == ImportColumns.Header(col)))
                    Problem(row, col, "import.required", Code("import.required"));

            var key = reference is null ? null : RefKey(reference);
            if (key is not null)
            {
                if (reference!.Length > 100) Problem(row, Col.ExternalRef, "import.too-long", Code("import.too-long", 100));
                if (rowsOfKey.TryGetValue(key, out var first))
                {
                    Problem(row, Col.ExternalRef, "import.duplicate-reference", Code("import.duplicate-reference", first));
                    badKeys.Add(key);
                    continue;
                }

                rowsOfKey[key] = row.Number;
                if (imported.TryGetValue(key, out var earlier))
                {
                    skipped.Add(new ImportSkip(casesSheet, row.Number, reference, ImportColumns.Format("Import.Skipped", row.Number, reference, earlier.ImportedAt.ToOffset(clock.Offset).ToString("d", CultureInfo.CurrentCulture))));
                    continue;
                }
            }

            DateOnly? Date(Col col)
            {
                var text = values[col];
                if (text is null) return null;
                if (ParseDate(text) is { } d) return d;
                Problem(row, col, "import.bad-date", Code("import.bad-date", text));
                return null;
            }

            var dateOfBirth = Date(Col.DateOfBirth);
            var issuedOn = Date(Col.IssuedOn);
            var startsOn = Date(Col.StartsOn);
            var endsOn = Date(Col.EndsOn);

            SupervisionKind? kind = null;
            if (values[Col.Kind] is { } kindText)
            {
                if (ImportColumns.TryEnum<SupervisionKind>(kindText, out var k)) kind = k;
                else Problem(row, Col.Kind, "import.unknown-kind", Code("import.unknown-kind", kindText));
            }

            Ward? ward = null;
            if (values[Col.WardCode] is { } code)
            {
                ward = wards.GetValueOrDefault(ImportColumns.Key(code));
                if (ward is null) Problem(row, Col.WardCode, "import.unknown-ward", Code("import.unknown-ward", code));
                else if (actor.Role != Role.Admin && !actor.WardIds.Contains(ward.Id))
                {
                    Problem(row, Col.WardCode, "import.ward-not-yours", Code("import.ward-not-yours", code));
                    ward = null;
                }
            }

            // The assignment: all three or none.
            Organisation? organisation = null;
            User? mentor = null, supervisor = null;
            var assignment = new[] { Col.Organisation, Col.Mentor, Col.Supervisor };
            var given = assignment.Count(c => values[c] is not null);
            if (given is > 0 and < 3)
                foreach (var c in assignment.Where(c => values[c] is null && !row.Formulas.Contains(c)))
                    Problem(row, c, "import.assignment-incomplete", Code("import.assignment-incomplete"));
            if (given == 3)
            {
                if (ward is not null)
                {
                    organisation = organisations.GetValueOrDefault((ward.Id, ImportColumns.Key(values[Col.Organisation]!)));
                    if (organisation is null)
                        Problem(row, Col.Organisation, "import.unknown-organisation", Code("import.unknown-organisation", values[Col.Organisation], values[Col.WardCode]));
                }

                mentor = users.GetValueOrDefault(values[Col.Mentor]!.ToLowerInvariant());
                if (mentor is null) Problem(row, Col.Mentor, "import.unknown-user", Code("import.unknown-user", values[Col.Mentor]));
                supervisor = users.GetValueOrDefault(values[Col.Supervisor]!.ToLowerInvariant());
                if (supervisor is null) Problem(row, Col.Supervisor, "import.unknown-user", Code("import.unknown-user", values[Col.Supervisor]));
            }

            if (problems.Count > before || ward is null || kind is null) continue;

            // ---- the person: matched by national id, else registered as the API would ----
            var nationalId = values[Col.NationalId]!;
            Person? newPerson = null;
            Guid personId;
            Guid? personWard;
            if (people.TryGetValue(nationalId, out var existing))
            {
                personId = existing.Id;
                personWard = existing.WardId;
                matched.Add(existing.Id);
            }
            else if (newPeople.TryGetValue(nationalId, out var fromFile))
            {
                personId = fromFile.Id;
                personWard = fromFile.WardId;
            }
            else
            {
                var register = new RegisterPerson(values[Col.FullName], dateOfBirth, nationalId, values[Col.Address], ward.Id);
                if (Failures(row, await personValidator.ValidateAsync(register, ct), PersonFields)) continue;
                if (dateOfBirth > today)
                {
                    Problem(row, Col.DateOfBirth, "person.born-in-future", Rejected("person.born-in-future", ""));
                    continue;
                }

                newPerson = new Person
                {
                    Id = Guid.CreateVersion7(), FullName = values[Col.FullName]!, DateOfBirth = dateOfBirth!.Value, NationalId = nationalId,
                    Address = values[Col.Address]!, WardId = ward.Id, RegisteredAt = time.GetUtcNow(), RegisteredBy = actor.UserId
                };
                if (values[Col.Phone] is { } phone) PhoneProperty?.SetValue(newPerson, phone);
                personId = newPerson.Id;
                personWard = ward.Id;
            }

            // ---- the opening: the API's validator and decision ----
            var open = new OpenCase(personId, kind, new LegalBasisInput(values[Col.DecisionNumber], values[Col.IssuedBy], issuedOn), startsOn, endsOn, ward.Id);
            if (Failures(row, await openValidator.ValidateAsync(open, ct), OpenFields)) continue;
            var rejection = OpenCaseHandler.Validate(open, kinds[kind.Value], personWard, activeOfKind.Contains((personId, kind.Value)), today);
            if (rejection is not null)
            {
                Problem(row, ColumnOf(rejection.Code), rejection.Code, Rejected(rejection.Code, rejection.Detail));
                continue;
            }

            var caseId = Guid.CreateVersion7();
            var opened = OpenCaseHandler.Decide(open, caseId, actor.UserId);
            var plan = new PlannedCase
            {
                Row = row, Reference = reference!, Key = key!, CaseId = caseId, PersonId = personId, NewPerson = newPerson,
                State = Case.Create(opened) with { Version = 1 }, MentorId = mentor?.Id
            };
            plan.Events.Add(new Planned(opened, opened.StartsOn, SheetKind.Cases, row.Number));

            if (given == 3)
            {
                var assign = new AssignCase(organisation!.Id, mentor!.Id, supervisor!.Id, ImportColumns.Text("Import.AssignReason"));
                if (Failures(row, await assignValidator.ValidateAsync(assign, ct), AssignFields)) continue;
                var refused = AssignCaseHandler.Validate(plan.State, assign, organisation, mentor, supervisor);
                if (refused is not null)
                {
                    Problem(row, ColumnOf(refused.Code), refused.Code, Rejected(refused.Code, refused.Detail));
                    continue;
                }

                foreach (var e in AssignCaseHandler.Decide(assign, new Acting(actor, today, kinds[plan.State.Kind], plan.State.Version, Guid.Empty)))
                {
                    plan.State = plan.State.Apply((CaseAssigned)e) with { Version = plan.State.Version + 1 };
                    plan.Events.Add(new Planned(e, opened.StartsOn, SheetKind.Cases, row.Number));
                }
            }

            if (newPerson is not null) newPeople[nationalId] = newPerson;
            activeOfKind.Add((personId, kind.Value));
            planned[key!] = plan;
        }

        // ---- reviews: in period order per case, through the API's validator and decision ----
        var reviewRows = file.Reviews.Select(r => (Row: r, Ref: r[Col.ExternalRef] is { } x ? ImportText.Clean(x) : null)).ToList();
        var earlierCases = await EarlierCasesAsync(query, reviewRows.Where(r => r.Ref is not null && !planned.ContainsKey(RefKey(r.Ref)))
            .Select(r => RefKey(r.Ref!)).Distinct().Where(imported.ContainsKey).Select(k => imported[k]), ct);
        var appends = new Dictionary<string, PlannedCase>(StringComparer.Ordinal);
        foreach (var group in reviewRows.GroupBy(r => r.Ref is null ? "" : RefKey(r.Ref)))
        {
            var ordered = group.OrderBy(r => r.Row[Col.Period] ?? "", StringComparer.Ordinal).ThenBy(r => r.Row.Number).ToList();
            foreach (var (row, reference) in ordered)
            {
                var before = problems.Count;
                foreach (var col in ImportColumns.ReviewColumns.Where(row.Formulas.Contains))
                    Problem(row, col, "import.formula", Code("import.formula"));
                if (problems.Count > before) continue;
                if (reference is null)
                {
                    Problem(row, Col.ExternalRef, "import.required", Code("import.required"));
                    continue;
                }

                if (ImportColumns.Key(reference) == example) continue;
                var key = group.Key;
                PlannedCase? plan = planned.GetValueOrDefault(key);
                if (plan is null && earlierCases.TryGetValue(key, out var earlier))
                {
                    if (earlier.Summary.Ratings.ContainsKey(row[Col.Period]?.Trim() ?? ""))
                    {
                        skipped.Add(new ImportSkip(file.ReviewsSheetName, row.Number, reference, ImportColumns.Format("Import.Skipped", row.Number, reference,
                            imported[key].ImportedAt.ToOffset(clock.Offset).ToString("d", CultureInfo.CurrentCulture))));
                        continue;
                    }

                    plan = appends.GetValueOrDefault(key) ?? (appends[key] = new PlannedCase
                    {
                        Row = row, Reference = reference, Key = key, CaseId = earlier.State.Id, PersonId = earlier.State.PersonId,
                        State = earlier.State, MentorId = earlier.State.Assignment?.MentorUserId, ExistingVersion = earlier.State.Version
                    });
                }

                if (plan is null)
                {
                    if (rowsOfKey.TryGetValue(key, out var caseRow) || badKeys.Contains(key))
                        Problem(row, Col.ExternalRef, "import.case-row-invalid", Code("import.case-row-invalid", reference, caseRow));
                    else Problem(row, Col.ExternalRef, "import.unknown-reference", Code("import.unknown-reference", reference));
                    continue;
                }

                string? Value(Col col) => Cell(row, col);

                var period = Value(Col.Period);
                var heldText = Value(Col.HeldOn);
                var heldOn = heldText is null ? null : ParseDate(heldText);
                if (heldText is not null && heldOn is null) Problem(row, Col.HeldOn, "import.bad-date", Code("import.bad-date", heldText));
                ReviewRating? rating = null;
                if (Value(Col.Rating) is { } ratingText)
                {
                    if (ImportColumns.TryEnum<ReviewRating>(ratingText, out var r)) rating = r;
                    else Problem(row, Col.Rating, "import.unknown-rating", Code("import.unknown-rating", ratingText));
                }

                var summary = Value(Col.Summary);
                if (problems.Count > before) continue;
                var review = new LogReview(NormalisePeriod(period), heldOn, rating, summary);
                if (Failures(row, await reviewValidator.ValidateAsync(review, ct), ReviewFields)) continue;

                var mentor = plan.MentorId is { } m ? usersById.GetValueOrDefault(m) : null;
                // The review was held by the case's mentor: the decision sees the mentor as the one who logs it.
                var by = new Acting(mentor is null ? actor : Actor.From(mentor), today, kinds[plan.State.Kind], plan.State.Version, Guid.CreateVersion7());
                var refused = LogReviewHandler.Validate(plan.State, review, by);
                if (refused is not null)
                {
                    Problem(row, ColumnOf(refused.Code), refused.Code, Rejected(refused.Code, refused.Detail));
                    continue;
                }

                foreach (var e in LogReviewHandler.Decide(review, by, Guid.CreateVersion7()))
                {
                    plan.State = plan.State.Apply((ReviewLogged)e) with { Version = plan.State.Version + 1 };
                    plan.Events.Add(new Planned(e, review.HeldOn!.Value, SheetKind.Reviews, row.Number));
                }
            }
        }

        // ---- progress notes and violations: through the API's validators and decisions, as the importing user ----
        foreach (var row in file.Progress.Concat(file.Violations))
        {
            var before = problems.Count;
            foreach (var col in ImportColumns.ColumnsOf(row.Sheet).Where(row.Formulas.Contains))
                Problem(row, col, "import.formula", Code("import.formula"));
            if (problems.Count > before) continue;

            string? Value(Col col) => Cell(row, col);

            var reference = Value(Col.ExternalRef);
            if (reference is null)
            {
                if (problems.Count == before) Problem(row, Col.ExternalRef, "import.required", Code("import.required"));
                continue;
            }

            if (ImportColumns.Key(reference) == example) continue;
            var key = RefKey(reference);
            var plan = planned.GetValueOrDefault(key);
            if (plan is null)
            {
                if (imported.TryGetValue(key, out var earlier))
                    // Brought with its case by the earlier import; a note cannot be told apart from a new one of the same day.
                    skipped.Add(new ImportSkip(file.SheetName(row.Sheet), row.Number, reference, ImportColumns.Format("Import.Skipped", row.Number, reference,
                        earlier.ImportedAt.ToOffset(clock.Offset).ToString("d", CultureInfo.CurrentCulture))));
                else if (rowsOfKey.TryGetValue(key, out var caseRow) || badKeys.Contains(key))
                    Problem(row, Col.ExternalRef, "import.case-row-invalid", Code("import.case-row-invalid", reference, caseRow));
                else Problem(row, Col.ExternalRef, "import.unknown-reference", Code("import.unknown-reference", reference));
                continue;
            }

            DateOnly? DateOf(Col col)
            {
                var text = Value(col);
                if (text is null) return null;
                if (ParseDate(text) is { } d) return d;
                Problem(row, col, "import.bad-date", Code("import.bad-date", text));
                return null;
            }

            T? Choice<T>(Col col) where T : struct, Enum
            {
                var text = Value(col);
                if (text is null) return null;
                if (ImportColumns.TryEnum<T>(text, out var value)) return value;
                Problem(row, col, "import.unknown-choice", Code("import.unknown-choice", text, string.Join(", ",
                    Enum.GetValues<T>().Select(v => ImportColumns.Text($"{typeof(T).Name}.{v}")))));
                return null;
            }

            var by = new Acting(actor, today, kinds[plan.State.Kind], plan.State.Version, Guid.Empty);
            if (row.Sheet == SheetKind.Progress)
            {
                var command = new RecordProgress(Choice<ProgressArea>(Col.Area), Choice<ProgressDirection>(Col.Direction), Value(Col.Note), DateOf(Col.RecordedOn));
                if (problems.Count > before || Failures(row, await progressValidator.ValidateAsync(command, ct), ProgressFields)) continue;
                if (RecordProgressHandler.Validate(plan.State, command, by) is { } refused)
                {
                    Problem(row, ColumnOf(refused.Code), refused.Code, Rejected(refused.Code, refused.Detail));
                    continue;
                }

                foreach (var e in RecordProgressHandler.Decide(command, by))
                {
                    plan.State = plan.State.Apply((ProgressRecorded)e) with { Version = plan.State.Version + 1 };
                    plan.Events.Add(new Planned(e, command.RecordedOn!.Value, SheetKind.Progress, row.Number));
                }
            }
            else
            {
                var command = new RecordViolation(Choice<ViolationSeverity>(Col.Severity), Value(Col.Description), DateOf(Col.OccurredOn));
                if (problems.Count > before || Failures(row, await violationValidator.ValidateAsync(command, ct), ViolationFields)) continue;
                if (RecordViolationHandler.Validate(plan.State, command, by) is { } refused)
                {
                    Problem(row, ColumnOf(refused.Code), refused.Code, Rejected(refused.Code, refused.Detail));
                    continue;
                }

                foreach (var e in RecordViolationHandler.Decide(command, by))
                {
                    plan.State = plan.State.Apply((ViolationRecorded)e) with { Version = plan.State.Version + 1 };
                    plan.Events.Add(new Planned(e, command.OccurredOn!.Value, SheetKind.Violations, row.Number));
                }
            }
        }

        var all = planned.Values.Concat(appends.Values.Where(a => a.Events.Count > 0)).ToList();
        var counts = Count(all, matched);
        if (!dryRun && all.Count > 0)
        {
            var failed = await WriteAsync(actor, all, sha, progress, ct);
            foreach (var (plan, reason) in failed)
                Problem(plan.Row, null, "import.conflict", Code("import.conflict") + (reason.Length > 0 ? " " : "") + reason);
            counts = Count(all.Except(failed.Select(f => f.Plan)).ToList(), matched);
        }

        progress?.Invoke("done", file.Cases.Count, file.Cases.Count);
        var sorted = problems.OrderBy(p => p.Sheet == casesSheet ? 0 : 1).ThenBy(p => p.Row).ToList();
        return new ImportReport(dryRun, fileName, sha, file.Format, file.Cases.Count, file.Reviews.Count, counts, skipped.Count,
            sorted.Select(p => (p.Sheet, p.Row)).Distinct().Count(), sorted, skipped, file.UnknownHeaders, Math.Round(watch.Elapsed.TotalSeconds, 2));

        bool Failures(RawRow row, ValidationResult result, IReadOnlyDictionary<string, Col> fields)
        {
            if (result.IsValid) return false;
            foreach (var e in result.Errors)
            {
                var col = fields.TryGetValue(e.PropertyName, out var c) ? c : (Col?)null;
                var camel = string.Join('.', e.PropertyName.Split('.').Select(p => p.Length == 0 ? p : char.ToLowerInvariant(p[0]) + p[1..]));
                var message = col is { } named
                    ? e.ErrorMessage.Replace($"'{camel}'", $"“{ImportColumns.Header(named)}”", StringComparison.Ordinal)
                        .Replace($"'{camel.Split('.')[^1]}'", $"“{ImportColumns.Header(named)}”", StringComparison.Ordinal)
                    : e.ErrorMessage;
                Problem(row, col, "import.invalid", message);
            }

            return true;
        }
    }

    private static ImportCounts Count(IReadOnlyCollection<PlannedCase> plans, HashSet<Guid> matched) => new(
        plans.Where(p => p.NewPerson is not null).Select(p => p.NewPerson!.Id).Distinct().Count(),
        plans.Where(p => matched.Contains(p.PersonId)).Select(p => p.PersonId).Distinct().Count(),
        plans.Count(p => p.ExistingVersion is null),
        plans.Sum(p => p.Events.Count(e => e.Data is CaseAssigned)),
        plans.Sum(p => p.Events.Count(e => e.Data is ReviewLogged)),
        plans.Sum(p => p.Events.Count(e => e.Data is ProgressRecorded)),
        plans.Sum(p => p.Events.Count(e => e.Data is ViolationRecorded)));

    private sealed record Earlier(Case State, CaseSummary Summary);

    /// <summary>Cases imported by an earlier run that the file's review sheet names: their state, to add what is new.</summary>
    private static async Task<Dictionary<string, Earlier>> EarlierCasesAsync(IQuerySession query, IEnumerable<ImportedCase> markers, CancellationToken ct)
    {
        var list = markers.ToList();
        var result = new Dictionary<string, Earlier>(StringComparer.Ordinal);
        if (list.Count == 0) return result;
        var summaries = (await query.LoadManyAsync<CaseSummary>(ct, list.Select(m => m.CaseId).ToArray())).ToDictionary(s => s.Id);
        foreach (var marker in list)
        {
            if (!summaries.TryGetValue(marker.CaseId, out var summary)) continue;
            var state = await query.Events.AggregateStreamAsync<Case>(marker.CaseId, token: ct);
            if (state is not null) result[marker.Id] = new Earlier(state, summary);
        }

        return result;
    }

    /// <summary>Batches written at once: PostgreSQL commits one while the app prepares the next (docs/performance.md).</summary>
    public const int Writers = 2;

    /// <summary>
    /// Batches of one transaction each: the people, each case's events with their business time, file hash, row and
    /// importer, and the reference markers. A batch that loses a race (a national id or reference registered at the same
    /// moment) is retried case by case, and only the cases that still conflict are reported. Cases that register the same
    /// new person share a batch, so batches touch disjoint people and <see cref="Writers"/> of them can be written at once.
    /// </summary>
    private async Task<List<(PlannedCase Plan, string Reason)>> WriteAsync(Actor actor, List<PlannedCase> plans, string sha,
        Action<string, int, int>? progress, CancellationToken ct)
    {
        var failed = new List<(PlannedCase, string)>();
        var done = 0;
        progress?.Invoke("write", 0, plans.Count);
        await Parallel.ForEachAsync(Batches(plans), new ParallelOptions { MaxDegreeOfParallelism = Writers, CancellationToken = ct }, async (batch, token) =>
        {
            // The people this batch has written (no other batch registers them).
            var written = new HashSet<Guid>();
            try
            {
                await SaveAsync(actor, batch, sha, written, token);
            }
            catch (Exception e) when (Writes.IsConflict(e))
            {
                logger.LogInformation("An import batch lost a race ({Message}); writing its cases one by one", e.Message);
                foreach (var plan in batch)
                {
                    try
                    {
                        await SaveAsync(actor, [plan], sha, written, token);
                        if (plan.NewPerson is not null) written.Add(plan.NewPerson.Id);
                    }
                    catch (Exception one) when (Writes.IsConflict(one))
                    {
                        lock (failed) failed.Add((plan, ""));
                    }
                }
            }

            progress?.Invoke("write", Interlocked.Add(ref done, batch.Count), plans.Count);
        });
        return failed;
    }

    /// <summary>About <see cref="BatchSize"/> cases a batch, in file order, never splitting the cases of one new person.</summary>
    private static IEnumerable<List<PlannedCase>> Batches(List<PlannedCase> plans)
    {
        var batch = new List<PlannedCase>(BatchSize);
        foreach (var group in plans.GroupBy(p => p.NewPerson?.Id ?? p.CaseId))
        {
            batch.AddRange(group);
            if (batch.Count < BatchSize) continue;
            yield return batch;
            batch = new List<PlannedCase>(BatchSize);
        }

        if (batch.Count > 0) yield return batch;
    }

    private async Task SaveAsync(Actor actor, IReadOnlyList<PlannedCase> batch, string sha, HashSet<Guid> written, CancellationToken ct)
    {
        await using var session = store.LightweightSession(actor.Tenant);
        session.LastModifiedBy = actor.Username;
        session.CorrelationId = "import-" + sha[..16];
        session.CausationId = "import-" + sha[..16];
        var now = time.GetUtcNow();
        var inserted = new HashSet<Guid>();
        foreach (var plan in batch)
        {
            if (plan.NewPerson is { } person && !written.Contains(person.Id) && inserted.Add(person.Id)) session.Insert(person);
            // The case row's own events first (opening, assignment), then reviews, progress and violations in the order of
            // their dates (stable), so that the business timestamps below rise as the stream does. Each decision above
            // saw the others already applied; none of their rules depends on the order of the other two kinds.
            var events = plan.Events.Where(e => e.Sheet == SheetKind.Cases).Concat(plan.Events.Where(e => e.Sheet != SheetKind.Cases).OrderBy(e => e.On)).ToList();
            var action = plan.ExistingVersion is { } version
                ? session.Events.Append(plan.CaseId, version + events.Count, events.Select(e => e.Data).ToArray())
                : session.Events.StartStream<Case>(plan.CaseId, events.Select(e => e.Data).ToArray());
            // Business time, never earlier than the event before it (as-of views read the stream in order) nor later than now.
            var at = DateTimeOffset.MinValue;
            for (var i = 0; i < action.Events.Count; i++)
            {
                var planned = events[i];
                var business = new DateTimeOffset(planned.On.ToDateTime(TimeOnly.MinValue), clock.Offset);
                at = business > at ? business : at;
                var wrapper = action.Events[i];
                wrapper.Timestamp = at > now ? now : at;
                wrapper.SetHeader(ImportsModule.FileHeader, sha);
                wrapper.SetHeader(ImportsModule.RowHeader, planned.Row);
                wrapper.SetHeader(ImportsModule.SheetHeader, planned.Sheet.ToString());
                wrapper.SetHeader(ImportsModule.ByHeader, actor.Username);
            }

            if (plan.ExistingVersion is null)
            {
                session.Insert(new ImportedCase
                {
                    Id = plan.Key, Reference = plan.Reference, CaseId = plan.CaseId, PersonId = plan.PersonId, FileSha256 = sha,
                    Row = plan.Row.Number, ImportedAt = now, ImportedBy = actor.Username
                });
            }
        }

        await session.SaveChangesAsync(ct);
    }

    public static string RefKey(string reference) => ImportText.Clean(reference).ToUpperInvariant();

    private static string? NormalisePeriod(string? period)
    {
        if (period is null) return null;
        // "2025-6", "06/2025", "6/2025" and a date cell read as yyyy-MM-dd all mean the month.
        if (Rules.PeriodStart(period) is not null) return period;
        if (period.Length == 10 && ParseDate(period) is { } d) return Rules.PeriodOf(d);
        foreach (var format in new[] { "yyyy-M", "M/yyyy", "MM/yyyy", "M-yyyy", "MM-yyyy", "M.yyyy" })
            if (DateOnly.TryParseExact(period, format, CultureInfo.InvariantCulture, DateTimeStyles.None, out var m)) return Rules.PeriodOf(m);
        return period;
    }

    private static readonly string[] DateFormats = ["yyyy-MM-dd", "yyyy-M-d", "d/M/yyyy", "dd/MM/yyyy", "d-M-yyyy", "d.M.yyyy", "yyyy/M/d"];

    /// <summary>A date as Vietnamese offices write it (01/06/2025) or as ISO (2025-06-01); "31/02/2025" is no date.</summary>
    public static DateOnly? ParseDate(string text)
    {
        var t = text.Trim();
        if (t.Length > 10 && t[10] == ' ') t = t[..10];
        return DateOnly.TryParseExact(t, DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;
    }

    private static string Rejected(string code, string detail) =>
        ImportColumns.Text("Code." + code) is var text && text != "Code." + code ? text : detail;

    private static Col? ColumnOf(string code) => code switch
    {
        "term.ends-before-start" or "term.out-of-range" => Col.EndsOn,
        "legal-basis.issued-after-start" or "legal-basis.issued-in-future" => Col.IssuedOn,
        "case.duplicate-active" => Col.Kind,
        "case.person-in-other-ward" => Col.WardCode,
        "person.not-found" => Col.NationalId,
        "assignment.organisation-not-in-ward" => Col.Organisation,
        "assignment.mentor-not-in-organisation" => Col.Mentor,
        "assignment.supervisor-not-in-ward" => Col.Supervisor,
        "review.period-duplicate" or "review.period-outside-term" or "review.period-in-future" => Col.Period,
        "review.in-future" or "review.before-start" => Col.HeldOn,
        "progress.in-future" or "progress.before-start" => Col.RecordedOn,
        "violation.in-future" or "violation.before-start" => Col.OccurredOn,
        "review.not-assigned" => Col.ExternalRef,
        "case.terminal" => Col.ExternalRef,
        _ => null
    };

    private static readonly Dictionary<string, Col> PersonFields = new(StringComparer.Ordinal)
    {
        ["FullName"] = Col.FullName, ["DateOfBirth"] = Col.DateOfBirth, ["NationalId"] = Col.NationalId, ["Address"] = Col.Address,
        ["WardId"] = Col.WardCode
    };

    private static readonly Dictionary<string, Col> OpenFields = new(StringComparer.Ordinal)
    {
        ["Kind"] = Col.Kind, ["WardId"] = Col.WardCode, ["StartsOn"] = Col.StartsOn, ["EndsOn"] = Col.EndsOn,
        ["LegalBasis.DecisionNumber"] = Col.DecisionNumber, ["LegalBasis.IssuedBy"] = Col.IssuedBy, ["LegalBasis.IssuedOn"] = Col.IssuedOn,
        ["PersonId"] = Col.NationalId
    };

    private static readonly Dictionary<string, Col> AssignFields = new(StringComparer.Ordinal)
    {
        ["OrganisationId"] = Col.Organisation, ["MentorUserId"] = Col.Mentor, ["SupervisorUserId"] = Col.Supervisor
    };

    private static readonly Dictionary<string, Col> ReviewFields = new(StringComparer.Ordinal)
    {
        ["Period"] = Col.Period, ["HeldOn"] = Col.HeldOn, ["Rating"] = Col.Rating, ["Summary"] = Col.Summary
    };

    private static readonly Dictionary<string, Col> ProgressFields = new(StringComparer.Ordinal)
    {
        ["Area"] = Col.Area, ["Direction"] = Col.Direction, ["Note"] = Col.Note, ["RecordedOn"] = Col.RecordedOn
    };

    private static readonly Dictionary<string, Col> ViolationFields = new(StringComparer.Ordinal)
    {
        ["Severity"] = Col.Severity, ["Description"] = Col.Description, ["OccurredOn"] = Col.OccurredOn
    };
}
