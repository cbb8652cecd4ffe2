using System.Globalization;
using System.Text;
using CaseTracking.Access;
using Marten;

namespace CaseTracking.Auditing;

/// <summary>One line of the seal file: a province's digest for one day.</summary>
public sealed record SealLine(DateOnly Day, string Tenant, string Digest, int Streams, long Events, DateTimeOffset SealedAt)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Day:yyyy-MM-dd} {Tenant} {Digest} streams={Streams} events={Events} sealed={SealedAt.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}");

    public static SealLine? Parse(string line)
    {
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 3 || !DateOnly.TryParseExact(parts[0], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            || parts[2].Length != 64) return null;
        string Field(string name) => parts.Skip(3).FirstOrDefault(p => p.StartsWith(name + "=", StringComparison.Ordinal))?[(name.Length + 1)..] ?? "";
        _ = int.TryParse(Field("streams"), CultureInfo.InvariantCulture, out var streams);
        _ = long.TryParse(Field("events"), CultureInfo.InvariantCulture, out var events);
        _ = DateTimeOffset.TryParse(Field("sealed"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at);
        return new SealLine(day, parts[1], parts[2], streams, events, at);
    }
}

/// <summary>
/// Evidence kept outside the database (DESIGN §5): every seal's digest is appended, one line a day and province, to a
/// file the database cannot write (<c>CaseTracking:SealFile</c>, default <c>seal-digests.txt</c> in the data folder).
/// The app only ever opens it to append; put it on other storage, or make it append-only (<c>chattr +a</c>), and
/// copy it off the machine. <see cref="CheckAsync"/> compares the database with it.
/// </summary>
public sealed class SealFile(IConfiguration configuration, ILogger<SealFile> logger)
{
    private static readonly SemaphoreSlim Gate = new(1, 1);

    public string Path { get; } = configuration["CaseTracking:SealFile"] is { Length: > 0 } configured
        ? configured
        : System.IO.Path.Combine(DataFolder.Of(configuration), "seal-digests.txt");

    public async Task AppendAsync(string tenant, Seal seal, CancellationToken ct)
    {
        var line = new SealLine(seal.Day, tenant, seal.Digest, seal.Streams, seal.Events, seal.SealedAt) + "\n";
        await Gate.WaitAsync(ct);
        try
        {
            if (System.IO.Path.GetDirectoryName(Path) is { Length: > 0 } folder) Directory.CreateDirectory(folder);
            await using var stream = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.Read);
            await stream.WriteAsync(Encoding.UTF8.GetBytes(line), ct);
            stream.Flush(flushToDisk: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The seal in the database stands; the missing line is loud in the log and on the auditor's page.
            logger.LogError(e, "Could not append the seal digest of {Tenant} {Day} to {Path}", tenant, seal.Id, Path);
        }
        finally
        {
            Gate.Release();
        }
    }

    public static IReadOnlyList<SealLine> Read(string path, string? tenant = null) =>
        !File.Exists(path)
            ? []
            : [.. File.ReadLines(path).Select(SealLine.Parse).OfType<SealLine>().Where(l => tenant is null || l.Tenant == tenant)];

    public IReadOnlyList<SealLine> Read(string? tenant = null) => Read(Path, tenant);

    /// <summary>
    /// Every day the file names for the province: the seal stored that day must still carry the file's digest, and
    /// still match the database (<see cref="Seals.CheckAsync"/>). A rewrite of events, their hashes and the seal
    /// table together still differs from the digest written outside.
    /// </summary>
    public static async Task<IReadOnlyList<string>> CheckAsync(Seals seals, IDocumentStore store, string tenant, string path, CancellationToken ct)
    {
        var lines = Read(path, tenant);
        if (lines.Count == 0) return [$"the seal file {path} holds no digest for {tenant}"];
        var problems = new List<string>();
        await using var session = store.QuerySession(tenant);
        foreach (var day in lines.GroupBy(l => l.Day).OrderBy(g => g.Key))
        {
            var id = day.Key.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            var stored = await session.LoadAsync<Seal>(id, ct);
            if (stored is null)
            {
                problems.Add($"{id}: the seal named in the file is missing from the database");
                continue;
            }

            // A day sealed twice (by hand and by the job) has two lines: the database keeps the last seal. Once the day
            // is over its events are final, so two later seals of it must agree: a different one means its past changed.
            var endOfDay = new DateTimeOffset(day.Key.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            if (day.Where(l => l.SealedAt >= endOfDay).Select(l => l.Digest).Distinct().Count() > 1)
                problems.Add($"{id}: the day was sealed again after it ended with a different digest");
            if (day.Last().Digest != stored.Digest)
                problems.Add($"{id}: the database's seal digest {stored.Digest} differs from the file's {day.Last().Digest}");
            var check = await seals.CheckAsync(tenant, day.Key, ct);
            problems.AddRange(check.Problems.Select(p => $"{id}: {p}"));
        }

        return problems;
    }
}
