using System.Diagnostics;
using System.Globalization;
using CaseTracking.Access;
using CaseTracking.Cases;
using CaseTracking.Imports;
using CaseTracking.Reports;
using Marten;
using Spectre.Console;

namespace CaseTracking.Benchmarks;

/// <summary>
/// Issue 16's province: 12,000 case rows with 18 months of reviews each (216,000 review rows), 150 wards, in a
/// province (tenant) of its own. Dry run, then import; reports import_dry_run_s, import_s and import_rows_per_s
/// (case and review rows written per second of the import).
/// </summary>
public static class ImportBench
{
    public static async Task RunAsync(IServiceProvider services, BenchOptions options, Figures results, int rows = 12_000, int months = 18)
    {
        AnsiConsole.MarkupLine($"[bold]Import[/] {rows:N0} case rows with {months} months of reviews");
        var store = services.GetRequiredService<IDocumentStore>();
        await services.GetRequiredService<Demo.Seeder>().PrepareAsync(default);
        var clock = services.GetRequiredService<CaseClock>();
        var tenant = "imp" + Guid.NewGuid().ToString("N")[..8];
        var (admin, file) = await ProvinceAsync(store, tenant, rows, months, clock.Today);
        AnsiConsole.MarkupLine($"  file {file.Length / 1024.0 / 1024.0:N1} MB");
        var importer = services.GetRequiredService<Importer>();
        CultureInfo.CurrentUICulture = ImportColumns.Vietnamese;

        var watch = Stopwatch.StartNew();
        var dry = await importer.RunAsync(admin, file, "tinh.xlsx", dryRun: true, null, default);
        var drySeconds = watch.Elapsed.TotalSeconds;
        AnsiConsole.MarkupLine($"  dry run: {dry.Created.Cases:N0} cases, {dry.Created.Reviews:N0} reviews, {dry.Problems.Count} problems in {drySeconds:N1} s");
        watch.Restart();
        // Where the import's time goes: reading the file and the province's reference data, checking every row, writing.
        double? read = null, write = null;
        var done = await importer.RunAsync(admin, file, "tinh.xlsx", dryRun: false, (phase, _, _) =>
        {
            if (phase == "read") read ??= watch.Elapsed.TotalSeconds;
            if (phase == "write") write ??= watch.Elapsed.TotalSeconds;
        }, default);
        var seconds = watch.Elapsed.TotalSeconds;
        AnsiConsole.MarkupLine($"  import: {done.Created.Cases:N0} cases, {done.Created.Reviews:N0} reviews in {seconds:N1} s "
            + $"(read {read:N1} s, check {write - read:N1} s, write {seconds - write:N1} s)");
        if (read is { } r && write is { } w)
        {
            results.Set("import_read_s", r);
            results.Set("import_check_s", w - r);
            results.Set("import_write_s", seconds - w);
        }

        results.Set("import_dry_run_s", drySeconds);
        results.Set("import_s", seconds);
        results.Set("import_rows_per_s", (done.CaseRows + done.ReviewRows) / seconds);
    }

    private static async Task<(Actor Admin, byte[] File)> ProvinceAsync(IDocumentStore store, string tenant, int rows, int months, DateOnly today)
    {
        const int wardCount = 150;
        var wards = Enumerable.Range(1, wardCount).Select(i => new Ward { Id = Guid.CreateVersion7(), Code = $"P{i:000}", Name = $"Phường {i}" }).ToList();
        var orgs = wards.Select(w => new Organisation { Id = Guid.CreateVersion7(), Name = $"Hội Phụ nữ {w.Name}", Type = OrganisationType.WomensUnion, WardId = w.Id }).ToList();
        var users = new List<User> { new() { Id = Guid.CreateVersion7(), Username = $"{tenant}-admin", Role = Role.Admin, Tenant = tenant, DisplayName = "admin" } };
        for (var i = 0; i < wardCount; i++)
        {
            users.Add(new User { Id = Guid.CreateVersion7(), Username = $"{tenant}-sup{i}", Role = Role.Supervisor, Tenant = tenant, WardIds = [wards[i].Id], DisplayName = "sup" });
            users.Add(new User { Id = Guid.CreateVersion7(), Username = $"{tenant}-rev{i}", Role = Role.Reviewer, Tenant = tenant, OrganisationId = orgs[i].Id, DisplayName = "rev" });
        }

        await using (var session = store.LightweightSession(tenant))
        {
            session.Store<object>([.. wards, .. orgs]);
            await session.SaveChangesAsync();
        }

        await using (var session = store.LightweightSession())
        {
            session.Store(users.ToArray());
            await session.SaveChangesAsync();
        }

        var firstMonth = new DateOnly(today.Year, today.Month, 1).AddMonths(-months - 1);
        var cases = new List<IReadOnlyList<object?>>(rows);
        var reviews = new List<IReadOnlyList<object?>>(rows * months);
        var random = new Random(16);
        string[] ratings = ["Tốt", "Tốt", "Khá", "Kém"];
        for (var i = 0; i < rows; i++)
        {
            var w = i % wardCount;
            var start = firstMonth.AddDays(random.Next(0, 20));
            var reference = $"HS-{i:00000}";
            cases.Add([reference, $"Nguyễn Văn {i}", new DateOnly(1970 + i % 30, 1 + i % 12, 1 + i % 28), (100_000_000_000L + i).ToString(CultureInfo.InvariantCulture),
                $"{i} Lê Lợi", "0912345678", wards[w].Code, "Án treo", $"{i}/2024/HS-ST", "Tòa án nhân dân tỉnh", start.AddDays(-10), start,
                start.AddMonths(36).AddDays(-1), orgs[w].Name, $"{tenant}-rev{w}", $"{tenant}-sup{w}"]);
            for (var m = 0; m < months; m++)
            {
                var period = new DateOnly(start.Year, start.Month, 1).AddMonths(m);
                reviews.Add([reference, period.ToString("yyyy-MM", CultureInfo.InvariantCulture), period.AddDays(24), ratings[random.Next(ratings.Length)], "Chấp hành tốt các nghĩa vụ."]);
            }
        }

        CultureInfo.CurrentUICulture = ImportColumns.Vietnamese;
        var file = Spreadsheets.Xlsx(
        [
            new Sheet("Hồ sơ", [.. ImportColumns.CaseColumns.Select(c => ImportColumns.Header(c))], cases),
            new Sheet("Đánh giá", [.. ImportColumns.ReviewColumns.Select(c => ImportColumns.Header(c))], reviews)
        ]);
        return (Actor.From(users[0]), file);
    }
}
