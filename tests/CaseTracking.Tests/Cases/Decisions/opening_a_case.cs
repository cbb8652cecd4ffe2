using CaseTracking.Cases;
using CaseTracking.Cases.Opening;
using CaseTracking.Infrastructure;
using Case = CaseTracking.Cases.Case;

namespace CaseTracking.Tests.Cases.Decisions;

public sealed class opening_a_case
{
    private readonly Province p = new();
    private static readonly SupervisionKinds Kinds = new();
    private static readonly DateOnly Start = new(2025, 1, 1);

    private Rejection? Validate(OpenCase cmd, bool personExists = true, bool hasActiveCaseOfKind = false, Guid? personWard = null) =>
        OpenCaseHandler.Validate(cmd, Kinds[cmd.Kind!.Value], personExists ? personWard ?? cmd.WardId : null, hasActiveCaseOfKind, Province.Today);

    /// <summary>
    /// The shortest and longest term of each default kind for a start on 2025-01-01, worked out by hand from the
    /// law's ranges (DESIGN §2), not with the code's formula: a term "from 1 Jan to 31 Dec" is a full year.
    /// </summary>
    public static TheoryData<SupervisionKind, DateOnly, DateOnly?> TermBounds() => new()
    {
        { SupervisionKind.SuspendedSentence, new(2025, 12, 31), new(2030, 1, 1) },          // 1–5 years
        { SupervisionKind.NonCustodialReform, new(2025, 6, 30), new(2028, 1, 1) },          // 6 months–3 years
        { SupervisionKind.ConditionalEarlyRelease, new(2025, 1, 2), new(2040, 1, 1) },      // up to the configured 15 years
        { SupervisionKind.CommuneEducation, new(2025, 3, 31), new(2025, 7, 1) },            // 3–6 months
        { SupervisionKind.PostRehabilitationDrug, new(2025, 12, 31), new(2026, 1, 1) },     // 1 year
        { SupervisionKind.ReintegrationSupport, new(2025, 1, 2), null }                     // voluntary: only the date window bounds it
    };

    [Fact]
    public void opens_a_case_with_the_legal_basis_trimmed()
    {
        var cmd = p.Open();
        Validate(cmd).ShouldBeNull();

        var caseId = p.Fake.Random.Guid();
        var opened = OpenCaseHandler.Decide(cmd, caseId, p.Supervisor.UserId);

        opened.ShouldBe(new CaseOpened(caseId, p.PersonId, SupervisionKind.SuspendedSentence,
            new LegalBasis(cmd.LegalBasis!.DecisionNumber!.Trim(), cmd.LegalBasis.IssuedBy!, cmd.LegalBasis.IssuedOn!.Value),
            Province.StartsOn, Province.EndsOn, p.WardId, p.Supervisor.UserId));
        var state = Case.Create(opened);
        state.Status.ShouldBe(CaseStatus.Open);
        state.IsTerminal.ShouldBeFalse();
    }

    [Theory]
    [MemberData(nameof(TermBounds))]
    public void accepts_the_shortest_and_longest_term_of_each_kind(SupervisionKind kind, DateOnly shortest, DateOnly? longest)
    {
        Validate(p.Open(kind, Start, shortest)).ShouldBeNull();
        if (longest is { } end) Validate(p.Open(kind, Start, end)).ShouldBeNull();
        else Validate(p.Open(kind, Start, Start.AddYears(20))).ShouldBeNull();
    }

    [Theory]
    [MemberData(nameof(TermBounds))]
    public void rejects_a_term_outside_the_kinds_range(SupervisionKind kind, DateOnly shortest, DateOnly? longest)
    {
        // A day shorter than the shortest: out of range, or (for kinds with no minimum) no term at all.
        Validate(p.Open(kind, Start, shortest.AddDays(-1))).ShouldReject(shortest.AddDays(-1) > Start ? "term.out-of-range" : "term.ends-before-start");
        if (longest is { } end) Validate(p.Open(kind, Start, end.AddDays(1))).ShouldReject("term.out-of-range");
        else Kinds[kind].MaxMonths.ShouldBeNull();
    }

    [Fact]
    public void rejects_a_person_registered_in_another_ward() =>
        Validate(p.Open(), personWard: p.OtherWardId).ShouldReject("case.person-in-other-ward");

    [Fact]
    public void a_suspended_sentence_from_1_january_to_31_december_is_a_full_year()
    {
        Validate(p.Open(SupervisionKind.SuspendedSentence, new(2025, 1, 1), new(2025, 12, 31))).ShouldBeNull();
        Validate(p.Open(SupervisionKind.SuspendedSentence, new(2025, 1, 1), new(2025, 12, 30))).ShouldReject("term.out-of-range");
        Validate(p.Open(SupervisionKind.SuspendedSentence, new(2025, 1, 1), new(2030, 1, 1))).ShouldBeNull();
        Validate(p.Open(SupervisionKind.SuspendedSentence, new(2025, 1, 1), new(2030, 1, 2))).ShouldReject("term.out-of-range");
    }

    [Theory]
    [InlineData(SupervisionKind.SuspendedSentence)]
    [InlineData(SupervisionKind.ConditionalEarlyRelease)]
    [InlineData(SupervisionKind.ReintegrationSupport)]
    public void rejects_a_term_that_ends_on_or_before_its_start(SupervisionKind kind)
    {
        Validate(p.Open(kind, Start, Start)).ShouldReject("term.ends-before-start");
        Validate(p.Open(kind, Start, Start.AddDays(-1))).ShouldReject("term.ends-before-start");
    }

    [Fact]
    public void accepts_a_decision_issued_on_the_day_supervision_starts() =>
        Validate(p.Open(issuedOn: Province.StartsOn)).ShouldBeNull();

    [Fact]
    public void rejects_a_decision_issued_after_supervision_starts() =>
        Validate(p.Open(issuedOn: Province.StartsOn.AddDays(1))).ShouldReject("legal-basis.issued-after-start");

    [Fact]
    public void rejects_a_decision_dated_in_the_future()
    {
        var tomorrow = Province.Today.AddDays(1);
        Validate(p.Open(startsOn: tomorrow, endsOn: tomorrow.AddYears(2), issuedOn: tomorrow)).ShouldReject("legal-basis.issued-in-future");
    }

    [Fact]
    public void accepts_a_late_registration_whose_term_has_already_ended() =>
        Validate(p.Open(SupervisionKind.SuspendedSentence, new(2022, 3, 1), new(2024, 2, 29))).ShouldBeNull();

    [Fact]
    public void rejects_a_person_who_is_not_registered() =>
        Validate(p.Open(), personExists: false).ShouldReject("person.not-found");

    [Fact]
    public void rejects_a_second_active_case_of_the_same_kind() =>
        Validate(p.Open(), hasActiveCaseOfKind: true).ShouldReject("case.duplicate-active");
}
