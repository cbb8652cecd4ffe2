using CaseTracking.Access;
using CaseTracking.Auditing;
using CaseTracking.Retention;
using CaseTracking.Web;
using Marten;
using Microsoft.Extensions.Localization;

namespace CaseTracking.Pages.Auditor;

/// <summary>
/// The evidence an inspector keeps outside the system: each day's seal digest (from the seal file and from the
/// database, side by side, to print or copy), the state of the chained logs, and the retention runs.
/// </summary>
public sealed class IntegrityModel(IStringLocalizer<SharedResource> l, IDocumentStore store, DocumentChain chains, SealFile file) : UiPage(l)
{
    protected override Role[] Allowed => [Role.Auditor];

    public sealed record Day(string Id, string? FileDigest, string? DatabaseDigest, int Streams, long Events)
    {
        public bool Agrees => FileDigest is not null && FileDigest == DatabaseDigest;
    }

    public IReadOnlyList<Day> Days { get; private set; } = [];
    public IReadOnlyList<ChainCheck> Chains { get; private set; } = [];
    public IReadOnlyList<RetentionRun> Runs { get; private set; } = [];
    public string SealFilePath => file.Path;

    public async Task OnGetAsync()
    {
        var ct = HttpContext.RequestAborted;
        await using var session = store.QuerySession(Me.Tenant);
        var seals = await session.Query<Seal>().OrderByDescending(s => s.Day).Take(60).ToListAsync(ct);
        var lines = file.Read(Me.Tenant).GroupBy(x => x.Day).ToDictionary(g => g.Key, g => g.Last());
        Days = [.. seals.Select(s => s.Day).Union(lines.Keys).OrderDescending().Take(60).Select(d =>
        {
            var seal = seals.FirstOrDefault(s => s.Day == d);
            var line = lines.GetValueOrDefault(d);
            return new Day(d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), line?.Digest, seal?.Digest,
                seal?.Streams ?? line?.Streams ?? 0, seal?.Events ?? line?.Events ?? 0);
        })];
        var checks = new List<ChainCheck>();
        foreach (var chain in DocumentChain.Chains.Keys) checks.Add(await chains.VerifyAsync(chain, Me.Tenant, ct));
        Chains = checks;
        Runs = await session.Query<RetentionRun>().OrderByDescending(r => r.At).Take(20).ToListAsync(ct);
    }
}
