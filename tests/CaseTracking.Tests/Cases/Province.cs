using System.Globalization;
using Bogus;
using CaseTracking.Access;
using CaseTracking.Cases;
using CaseTracking.Cases.Assigning;
using CaseTracking.Cases.Ending;
using CaseTracking.Cases.Opening;
using CaseTracking.Cases.Progress;
using CaseTracking.Cases.Releasing;
using CaseTracking.Cases.Reviewing;
using CaseTracking.Cases.Term;
using CaseTracking.Cases.Transferring;
using CaseTracking.Cases.Violations;

namespace CaseTracking.Tests.Cases;

/// <summary>
/// A small province to decide in: a home ward with two organisations, a second ward with one, and the people
/// who act on cases. Names and free text come from Bogus (<c>vi</c>), seeded so a failure reproduces; dates
/// that a rule turns on are written out in the tests themselves.
/// </summary>
public sealed class Province
{
    /// <summary>The default case: a two-year suspended sentence, half served on 2026-01-01.</summary>
    public static readonly DateOnly StartsOn = new(2025, 1, 1);
    public static readonly DateOnly EndsOn = new(2026, 12, 31);
    public static readonly DateOnly Today = new(2026, 5, 15);

    public Faker Fake { get; }

    public Guid WardId { get; }
    public Guid OtherWardId { get; }
    public Organisation Organisation { get; }
    public Organisation NeighbourOrganisation { get; }
    public Organisation OtherWardOrganisation { get; }

    public User MentorUser { get; }
    public User NeighbourReviewerUser { get; }
    public User OtherWardReviewerUser { get; }
    public User SupervisorUser { get; }
    public User SecondSupervisorUser { get; }
    public User OtherWardSupervisorUser { get; }

    public Actor Mentor => Actor.From(MentorUser);
    public Actor NeighbourReviewer => Actor.From(NeighbourReviewerUser);
    public Actor OtherWardReviewer => Actor.From(OtherWardReviewerUser);
    public Actor Supervisor => Actor.From(SupervisorUser);
    public Actor SecondSupervisor => Actor.From(SecondSupervisorUser);
    public Actor OtherWardSupervisor => Actor.From(OtherWardSupervisorUser);

    public Guid PersonId { get; }
    public Guid CaseId { get; }

    public Province(int seed = 20260515)
    {
        Fake = new Faker("vi") { Random = new Randomizer(seed) };
        WardId = Fake.Random.Guid();
        OtherWardId = Fake.Random.Guid();
        Organisation = NewOrganisation(WardId, OrganisationType.WomensUnion);
        NeighbourOrganisation = NewOrganisation(WardId, OrganisationType.VeteransAssociation);
        OtherWardOrganisation = NewOrganisation(OtherWardId, OrganisationType.YouthUnion);
        MentorUser = NewUser(Role.Reviewer, [], Organisation.Id);
        NeighbourReviewerUser = NewUser(Role.Reviewer, [], NeighbourOrganisation.Id);
        OtherWardReviewerUser = NewUser(Role.Reviewer, [], OtherWardOrganisation.Id);
        SupervisorUser = NewUser(Role.Supervisor, [WardId], null);
        SecondSupervisorUser = NewUser(Role.Supervisor, [WardId, OtherWardId], null);
        OtherWardSupervisorUser = NewUser(Role.Supervisor, [OtherWardId], null);
        PersonId = Fake.Random.Guid();
        CaseId = Fake.Random.Guid();
    }

    public Organisation NewOrganisation(Guid wardId, OrganisationType type) => new()
    {
        Id = Fake.Random.Guid(),
        Name = $"{type} {Fake.Address.StreetName()}",
        Type = type,
        WardId = wardId
    };

    public User NewUser(Role role, List<Guid> wardIds, Guid? organisationId)
    {
        var name = Fake.Name.FullName();
        return new User
        {
            Id = Fake.Random.Guid(),
            Username = Fake.Internet.UserName(name),
            DisplayName = name,
            Role = role,
            WardIds = wardIds,
            OrganisationId = organisationId,
            Tenant = "demo"
        };
    }

    /// <summary>Who acts and when; the kind is filled in from the case by <c>When</c>, as <c>CaseWrites</c> does.</summary>
    public Acting By(Actor actor, DateOnly? today = null, long version = 0) =>
        new(actor, today ?? Today, KindRules[SupervisionKind.SuspendedSentence], version, Guid.CreateVersion7());

    private static readonly SupervisionKinds KindRules = new();

    public string Text() => Fake.Lorem.Sentence();

    public string DecisionNumber(int year) =>
        string.Create(CultureInfo.InvariantCulture, $"{Fake.Random.Number(1, 999)}/{year}/QĐ-{Fake.PickRandom("TA", "UBND", "CA")}");

    // Events, as they would have been decided earlier in the stream.

    public CaseOpened Opened(SupervisionKind kind = SupervisionKind.SuspendedSentence, DateOnly? startsOn = null, DateOnly? endsOn = null)
    {
        var start = startsOn ?? StartsOn;
        return new CaseOpened(CaseId, PersonId, kind,
            new LegalBasis(DecisionNumber(start.Year), $"Tòa án nhân dân huyện {Fake.Address.City()}", start.AddDays(-Fake.Random.Int(0, 30))),
            start, endsOn ?? EndsOn, WardId, SupervisorUser.Id);
    }

    public CaseAssigned Assigned() => new(Organisation.Id, MentorUser.Id, SupervisorUser.Id, Text(), SupervisorUser.Id);

    public ReviewLogged Reviewed(string period, ReviewRating rating = ReviewRating.Good, DateOnly? heldOn = null) =>
        new(Fake.Random.Guid(), period, heldOn ?? Rules.PeriodStart(period)!.Value.AddDays(Fake.Random.Int(5, 25)), rating, Text(), MentorUser.Id);

    public ViolationRecorded Violated(ViolationSeverity severity, DateOnly occurredOn) =>
        new(severity, Text(), occurredOn, SupervisorUser.Id);

    public ReleaseRecommended Recommended(ReleaseGrounds grounds, DateOnly on, Actor? by = null) =>
        new(grounds, Text(), on, (by ?? Mentor).UserId);

    public ReleaseRejected RejectedRelease(Guid recommendedBy) => new(Text(), recommendedBy, SupervisorUser.Id);

    public CaseReleased Released(ReleaseGrounds grounds, Guid recommendedBy, DateOnly effectiveOn) =>
        new(grounds, recommendedBy, SupervisorUser.Id, DecisionNumber(effectiveOn.Year), effectiveOn, 4);

    public CaseRevoked Revoked(DateOnly on) => new(DecisionNumber(on.Year), Text(), on, SupervisorUser.Id);

    public CaseClosed Closed(DateOnly on) => new(ClosureReason.Deceased, Text(), on, SupervisorUser.Id);

    public CaseTransferred Transferred() => new(WardId, OtherWardId, Text(), SupervisorUser.Id);

    // Commands.

    public OpenCase Open(SupervisionKind kind = SupervisionKind.SuspendedSentence, DateOnly? startsOn = null, DateOnly? endsOn = null,
        DateOnly? issuedOn = null)
    {
        var start = startsOn ?? StartsOn;
        return new OpenCase(PersonId, kind,
            new LegalBasisInput($" {DecisionNumber(start.Year)} ", $"Tòa án nhân dân huyện {Fake.Address.City()}", issuedOn ?? start.AddDays(-14)),
            start, endsOn ?? EndsOn, WardId);
    }


    public AssignCase Assign(Organisation? organisation = null, User? mentor = null, User? supervisor = null) =>
        new((organisation ?? Organisation).Id, (mentor ?? MentorUser).Id, (supervisor ?? SupervisorUser).Id, Text());

    public LogReview Review(string period, DateOnly? heldOn = null, ReviewRating rating = ReviewRating.Good) =>
        new(period, heldOn ?? Rules.PeriodStart(period)!.Value.AddDays(10), rating, Text());

    public RecordProgress Progress(DateOnly recordedOn) =>
        new(Fake.PickRandom<ProgressArea>(), Fake.PickRandom<ProgressDirection>(), Text(), recordedOn);

    public RecordViolation Violation(DateOnly occurredOn, ViolationSeverity severity = ViolationSeverity.Minor) =>
        new(severity, Text(), occurredOn);

    public ChangeTerm Term(DateOnly newEndsOn, TermChangeReason reason) => new(newEndsOn, DecisionNumber(newEndsOn.Year), reason);

    public RecommendRelease Recommend(ReleaseGrounds grounds) => new(grounds, Text());

    public ApproveRelease Approve(DateOnly effectiveOn) => new(DecisionNumber(effectiveOn.Year), effectiveOn);

    public RejectRelease Reject() => new(Text());

    public TransferCase Transfer(Guid? toWardId = null) => new(toWardId ?? OtherWardId, Text());

    public RevokeCase Revoke() => new(DecisionNumber(Today.Year), Text());

    public CloseCase Close(ClosureReason reason = ClosureReason.Other) => new(reason, Text());
}
