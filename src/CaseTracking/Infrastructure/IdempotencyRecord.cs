namespace CaseTracking.Infrastructure;

/// <summary>
/// The first answer to a POST carrying an Idempotency-Key. Inserted (never upserted) in the same
/// transaction as the events, so a repeat, even a concurrent one, replays it instead of appending.
/// </summary>
public sealed class IdempotencyRecord
{
    /// <summary>"{userId}:{key}": keys are per user.</summary>
    public string Id { get; set; } = "";
    public string RequestHash { get; set; } = "";
    public int Status { get; set; }
    public string Body { get; set; } = "";
    public string? Location { get; set; }
    public DateTimeOffset At { get; set; }
}
