namespace CaseTracking.Retention;

/// <summary>A person whose data a run masked (or would mask): why, and since when it was due.</summary>
public sealed record RetentionSubject(Guid PersonId, DateOnly LastCaseEndedOn, DateOnly DueOn, int Cases);

/// <summary>A person a run left alone although due: their record failed verification, and masking would hide that.</summary>
public sealed record RetentionSkip(Guid PersonId, string Reason);

/// <summary>One masked event as it stood right after masking: the retention chain attests it (ADR 0005).</summary>
public sealed record MaskAnchor(Guid StreamId, long Version, string Hash, string DataDigest);

/// <summary>
/// One retention run: who, when, as of which day, which people, which events. Insert-only and hash-chained per
/// province (<see cref="Auditing.DocumentChain"/>), so the anchors of masked events cannot be edited unseen.
/// </summary>
public sealed class RetentionRun
{
    public Guid Id { get; set; }
    public DateTimeOffset At { get; set; }
    public string By { get; set; } = "";
    public DateOnly AsOf { get; set; }
    public List<RetentionSubject> People { get; set; } = [];
    public List<RetentionSkip> Skipped { get; set; } = [];
    public int MaskedEvents { get; set; }
    public List<MaskAnchor> Anchors { get; set; } = [];

    public long? ChainSeq { get; set; }
    public string? PrevHash { get; set; }
    public string? Hash { get; set; }
}
