using System.Text.Json;
using CaseTracking.Cases;
using CaseTracking.Hosting;
using CaseTracking.Infrastructure;
using Marten;
using Snapshooter.Xunit;

namespace CaseTracking.Tests.Cases;

/// <summary>
/// Events are contracts: their stored JSON may change only additively. Each snapshot is the event as Marten's own
/// serializer writes it into <c>mt_events.data</c>, configured exactly as the app configures the store
/// (<see cref="CaseTrackingSetup.ConfigureEventStore"/>); a failing test means a stored stream would read
/// differently. Values are literals so the snapshots never move.
/// </summary>
public sealed class event_contracts
{
    private static readonly Guid CaseId = Guid.Parse("0196a1b2-0000-7000-8000-000000000001");
    private static readonly Guid PersonId = Guid.Parse("0196a1b2-0000-7000-8000-000000000002");
    private static readonly Guid WardId = Guid.Parse("0196a1b2-0000-7000-8000-000000000003");
    private static readonly Guid OtherWardId = Guid.Parse("0196a1b2-0000-7000-8000-000000000004");
    private static readonly Guid OrganisationId = Guid.Parse("0196a1b2-0000-7000-8000-000000000005");
    private static readonly Guid MentorId = Guid.Parse("0196a1b2-0000-7000-8000-000000000006");
    private static readonly Guid SupervisorId = Guid.Parse("0196a1b2-0000-7000-8000-000000000007");
    private static readonly Guid SecondSupervisorId = Guid.Parse("0196a1b2-0000-7000-8000-000000000008");
    private static readonly Guid ReviewId = Guid.Parse("0196a1b2-0000-7000-8000-000000000009");

    private static readonly ISerializer Stored = StoreSerializer();

    private static ISerializer StoreSerializer()
    {
        var options = new StoreOptions();
        options.ConfigureEventStore();
        return options.Serializer();
    }

    // Only re-indented (names, order and values as stored) so that a change reads as a diff. PostgreSQL keeps the
    // parsed jsonb, so escapes in the text Marten sends are not part of the stored shape.
    private static readonly JsonSerializerOptions Indented = new(Json.Options) { WriteIndented = true };

    private static void MatchJson(object evt) =>
        Snapshot.Match(JsonSerializer.Serialize(JsonDocument.Parse(Stored.ToJson(evt)).RootElement, Indented));

    [Fact]
    public void case_opened() => MatchJson(new CaseOpened(CaseId, PersonId, SupervisionKind.SuspendedSentence,
        new LegalBasis("125/2025/HS-ST", "Tòa án nhân dân huyện Gia Lâm", new(2025, 2, 20)),
        new(2025, 3, 1), new(2027, 2, 28), WardId, SupervisorId));

    [Fact]
    public void case_assigned() => MatchJson(new CaseAssigned(OrganisationId, MentorId, SupervisorId, "Phân công hội phụ nữ xã", SupervisorId));

    [Fact]
    public void review_logged() => MatchJson(new ReviewLogged(ReviewId, "2025-04", new(2025, 4, 25), ReviewRating.Good,
        "Chấp hành tốt, có việc làm ổn định", MentorId));

    [Fact]
    public void progress_recorded() => MatchJson(new ProgressRecorded(ProgressArea.Employment, ProgressDirection.Improved,
        "Đã có việc làm tại xưởng mộc", new(2025, 5, 3), MentorId));

    [Fact]
    public void violation_recorded() => MatchJson(new ViolationRecorded(ViolationSeverity.Serious, "Vắng mặt không lý do khi được triệu tập",
        new(2025, 6, 12), SupervisorId));

    [Fact]
    public void term_changed() => MatchJson(new TermChanged(new(2027, 8, 31), "31/2025/QĐ-TA", TermChangeReason.Extended,
        new(2027, 2, 28), SupervisorId));

    [Fact]
    public void release_recommended() => MatchJson(new ReleaseRecommended(ReleaseGrounds.EarlyForProgress,
        "Ba kỳ đánh giá liền tốt", new(2026, 4, 2), MentorId));

    [Fact]
    public void release_rejected() => MatchJson(new ReleaseRejected("Chưa đủ căn cứ", MentorId, SupervisorId));

    [Fact]
    public void release_recommendation_withdrawn() =>
        MatchJson(new ReleaseRecommendationWithdrawn("Cần thêm một kỳ đánh giá", MentorId, MentorId));

    [Fact]
    public void case_released() => MatchJson(new CaseReleased(ReleaseGrounds.EarlyForProgress, MentorId, SecondSupervisorId,
        "77/2026/QĐ-TA", new(2026, 4, 15), 42));

    [Fact]
    public void case_transferred() => MatchJson(new CaseTransferred(WardId, OtherWardId, "Chuyển nơi cư trú", SupervisorId));

    [Fact]
    public void case_revoked() => MatchJson(new CaseRevoked("12/2026/QĐ-TA", "Vi phạm nghĩa vụ nhiều lần", new(2026, 1, 9), SupervisorId));

    [Fact]
    public void case_closed() => MatchJson(new CaseClosed(ClosureReason.Deceased, "Đã từ trần", new(2026, 2, 1), SupervisorId));

    /// <summary>Enums are stored by name: renaming a member would orphan every stored event that uses it.</summary>
    [Fact]
    public void enum_names() => Snapshot.Match(JsonSerializer.Serialize(new Dictionary<string, string[]>
    {
        [nameof(SupervisionKind)] = Enum.GetNames<SupervisionKind>(),
        [nameof(ReviewRating)] = Enum.GetNames<ReviewRating>(),
        [nameof(ProgressArea)] = Enum.GetNames<ProgressArea>(),
        [nameof(ProgressDirection)] = Enum.GetNames<ProgressDirection>(),
        [nameof(ViolationSeverity)] = Enum.GetNames<ViolationSeverity>(),
        [nameof(TermChangeReason)] = Enum.GetNames<TermChangeReason>(),
        [nameof(ReleaseGrounds)] = Enum.GetNames<ReleaseGrounds>(),
        [nameof(ClosureReason)] = Enum.GetNames<ClosureReason>()
    }, Indented));

    /// <summary>Every event type registered with Marten has a contract test here.</summary>
    [Fact]
    public void every_registered_event_has_a_snapshot() =>
        CasesModule.EventTypes.Select(t => t.Name).Order().ShouldBe(
            typeof(event_contracts).GetMethods().Where(m => m.GetCustomAttributes(typeof(FactAttribute), false).Length > 0)
                .Select(m => m.Name).Where(n => n is not (nameof(enum_names) or nameof(every_registered_event_has_a_snapshot)))
                .Select(n => string.Concat(n.Split('_').Select(w => char.ToUpperInvariant(w[0]) + w[1..]))).Order());
}
