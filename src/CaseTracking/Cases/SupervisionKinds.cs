namespace CaseTracking.Cases;

/// <summary>Reference data for one supervision kind; configured under <c>CaseTracking:Kinds</c>.</summary>
public sealed record KindRule
{
    public SupervisionKind Kind { get; init; }

    /// <summary>Shortest term in months; 0 means any positive term.</summary>
    public int MinMonths { get; init; }

    /// <summary>Longest term in months; null means no upper bound (remaining term, voluntary support).</summary>
    public int? MaxMonths { get; init; }

    /// <summary>A review is due every this many months.</summary>
    public int ReviewEveryMonths { get; init; } = 1;

    public string Description { get; init; } = "";

    /// <summary>
    /// A term "from 1 Jan to 31 Dec" is a full twelve months, so the lower bound tolerates the day before
    /// the anniversary, as decisions are written.
    /// </summary>
    public bool TermFits(DateOnly startsOn, DateOnly endsOn) =>
        endsOn > startsOn
        && endsOn >= startsOn.AddMonths(MinMonths).AddDays(MinMonths > 0 ? -1 : 0)
        && (MaxMonths is null || endsOn <= startsOn.AddMonths(MaxMonths.Value));
}

public sealed class SupervisionKinds
{
    public static readonly IReadOnlyList<KindRule> Defaults =
    [
        new() { Kind = SupervisionKind.SuspendedSentence, MinMonths = 12, MaxMonths = 60, ReviewEveryMonths = 1, Description = "Suspended sentence (án treo), 1–5 years" },
        new() { Kind = SupervisionKind.NonCustodialReform, MinMonths = 6, MaxMonths = 36, ReviewEveryMonths = 1, Description = "Non-custodial reform (cải tạo không giam giữ), 6 months–3 years" },
        // The remaining term of a prison sentence: bounded by configuration (DESIGN §2, default 15 years).
        new() { Kind = SupervisionKind.ConditionalEarlyRelease, MinMonths = 0, MaxMonths = 180, ReviewEveryMonths = 1, Description = "Conditional early release (tha tù trước thời hạn có điều kiện), the remaining term, at most 15 years" },
        new() { Kind = SupervisionKind.CommuneEducation, MinMonths = 3, MaxMonths = 6, ReviewEveryMonths = 1, Description = "Education at the commune (giáo dục tại xã, phường), 3–6 months" },
        new() { Kind = SupervisionKind.PostRehabilitationDrug, MinMonths = 12, MaxMonths = 12, ReviewEveryMonths = 1, Description = "Post-rehabilitation drug management (quản lý sau cai nghiện), 1 year" },
        new() { Kind = SupervisionKind.ReintegrationSupport, MinMonths = 0, MaxMonths = null, ReviewEveryMonths = 3, Description = "Post-release reintegration support (hỗ trợ tái hòa nhập), voluntary" }
    ];

    private readonly Dictionary<SupervisionKind, KindRule> _rules;

    public SupervisionKinds(IEnumerable<KindRule>? configured = null)
    {
        _rules = Defaults.ToDictionary(r => r.Kind);
        foreach (var rule in configured ?? []) _rules[rule.Kind] = rule;
    }

    public IReadOnlyList<KindRule> All => [.. _rules.Values.OrderBy(r => r.Kind)];

    public KindRule this[SupervisionKind kind] => _rules[kind];

    public static SupervisionKinds FromConfiguration(IConfiguration configuration) =>
        new(configuration.GetSection("CaseTracking:Kinds").Get<List<KindRule>>());
}
