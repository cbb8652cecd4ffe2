using CaseTracking.Infrastructure;

namespace CaseTracking.Cases;

/// <summary>What a decision returns: the events to append, or the rule it broke.</summary>
public sealed record Outcome(IReadOnlyList<object> Events, Rejection? Rejection)
{
    public static Outcome Accept(params object[] events) => new(events, null);

    public static implicit operator Outcome(Rejection rejection) => new([], rejection);

    /// <summary>The A-frame: state rules first (<paramref name="validate"/>), then the happy path.</summary>
    public static Outcome Of(Rejection? validate, Func<object[]> decide) => validate ?? Accept(decide());
}
