using Bogus;
using CaseTracking.Access;
using CaseTracking.Cases;
using Person = CaseTracking.People.Person;

namespace CaseTracking.Demo;

public sealed record DemoAccount(string Username, string Role, string Password, string Scope);

/// <summary>One generated case: its person and its events, in order, valid under the rules of DESIGN §2.</summary>
public sealed record DemoCase(Person Person, Guid CaseId, IReadOnlyList<object> Events);

/// <summary>
/// A deterministic demo province (Bogus, Vietnamese locale): wards, organisations, users, and people with
/// cases spread over three years. Same seed, same province. The proportions follow the seed report
/// (about 43 % released after making progress or completing the term).
/// </summary>
public sealed class DemoProvince
{
    public const string DemoPassword = "demo-password-2026";

    private readonly Faker _f;
    private readonly DateOnly _today;
    private readonly SupervisionKinds _kinds;

    public List<Ward> Wards { get; } = [];
    public List<Organisation> Organisations { get; } = [];
    public List<User> Users { get; } = [];
    public List<DemoAccount> Accounts { get; } = [];

    private readonly Dictionary<Guid, List<User>> _supervisorsByWard = [];
    private readonly Dictionary<Guid, List<User>> _reviewersByOrg = [];
    private readonly Dictionary<Guid, List<Organisation>> _orgsByWard = [];

    public DemoProvince(int seed, DateOnly today, SupervisionKinds kinds, int wards = 150)
    {
        _f = new Faker("vi") { Random = new Randomizer(seed) };
        _today = today;
        _kinds = kinds;
        BuildReferenceData(wards);
    }

    private Guid NextId() => new(_f.Random.Bytes(16));

    private void BuildReferenceData(int wardCount)
    {
        var hash = Logins.HashPassword(new User(), DemoPassword);
        var types = Enum.GetValues<OrganisationType>();
        var names = VietnameseNames.Wards(_f, wardCount);
        for (var w = 1; w <= wardCount; w++)
        {
            var ward = new Ward { Id = NextId(), Code = $"P{w:000}", Name = names[w - 1] };
            var inside = VietnameseNames.Inside(ward.Name);
            Wards.Add(ward);
            _supervisorsByWard[ward.Id] = [];
            _orgsByWard[ward.Id] = [];
            for (var s = 1; s <= 2; s++)
            {
                var user = NewUser($"sup{w:000}-{s}", Role.Supervisor, hash, wards: [ward.Id]);
                _supervisorsByWard[ward.Id].Add(user);
            }

            for (var o = 0; o < 4; o++)
            {
                var type = types[(w + o) % 5];
                var org = new Organisation
                {
                    Id = NextId(), WardId = ward.Id, Type = type,
                    Name = type switch
                    {
                        OrganisationType.WomensUnion => "Hội Liên hiệp Phụ nữ ",
                        OrganisationType.YouthUnion => "Đoàn Thanh niên ",
                        OrganisationType.VeteransAssociation => "Hội Cựu chiến binh ",
                        OrganisationType.FarmersAssociation => "Hội Nông dân ",
                        // A residential group is a tổ dân phố in a ward, a thôn in a commune.
                        _ => ward.Name.StartsWith("Xã", StringComparison.Ordinal) ? $"Thôn {o + 1} " : $"Tổ dân phố số {o + 1} "
                    } + inside
                };
                Organisations.Add(org);
                _orgsByWard[ward.Id].Add(org);
                _reviewersByOrg[org.Id] = [];
                for (var r = 1; r <= 2; r++)
                    _reviewersByOrg[org.Id].Add(NewUser($"rev{w:000}-{o + 1}-{r}", Role.Reviewer, hash, organisation: org.Id));
            }
        }

        NewUser("auditor", Role.Auditor, hash);
        // The second administrator: every grant of case access needs one admin to ask and another to approve.
        // A fixed id and name, not drawn from the generator, so the rest of the province stays as it was.
        Users.Add(new User
        {
            Id = new Guid("0197a000-0000-7000-8000-00000000ad02"), Username = "admin2", DisplayName = "Quản trị viên thứ hai",
            Role = Role.Admin, Tenant = AdminBootstrap.DefaultTenant, Active = true, PasswordHash = hash, SecurityStamp = "demo-admin2"
        });
        var first = Wards[0];
        Accounts.Add(new("auditor", "Auditor", DemoPassword, "the whole province"));
        Accounts.Add(new("sup001-1", "Supervisor", DemoPassword, $"ward {first.Code} {first.Name}"));
        Accounts.Add(new("sup001-2", "Supervisor", DemoPassword, $"ward {first.Code} (second approver, four-eyes)"));
        Accounts.Add(new("rev001-1-1", "Reviewer", DemoPassword, _orgsByWard[first.Id][0].Name));
        Accounts.Add(new("admin2", "Admin", DemoPassword, "second administrator: approves what 'admin' asks, and the reverse"));
    }

    private User NewUser(string username, Role role, string hash, List<Guid>? wards = null, Guid? organisation = null)
    {
        var user = new User
        {
            Id = NextId(), Username = username, DisplayName = VietnameseNames.FullName(_f), Role = role, WardIds = wards ?? [],
            OrganisationId = organisation, Tenant = AdminBootstrap.DefaultTenant, Active = true, PasswordHash = hash
        };
        // Derived, not drawn: a stamp only has to change when sessions must end, and the province stays deterministic.
        user.SecurityStamp = user.Id.ToString("N");
        Users.Add(user);
        return user;
    }

    private static readonly (SupervisionKind Kind, int Weight)[] KindMix =
    [
        (SupervisionKind.SuspendedSentence, 40), (SupervisionKind.NonCustodialReform, 20), (SupervisionKind.ConditionalEarlyRelease, 10),
        (SupervisionKind.CommuneEducation, 10), (SupervisionKind.PostRehabilitationDrug, 12), (SupervisionKind.ReintegrationSupport, 8)
    ];

    public IEnumerable<DemoCase> Cases(int count)
    {
        for (var i = 0; i < count; i++) yield return NextCase(i);
    }

    private DemoCase NextCase(int index)
    {
        var ward = Wards[_f.Random.Int(0, Wards.Count - 1)];
        var person = new Person
        {
            Id = NextId(), FullName = VietnameseNames.FullName(_f), DateOfBirth = DateOnly.FromDateTime(_f.Date.Between(new DateTime(1960, 1, 1), new DateTime(2007, 1, 1))),
            NationalId = $"0{_f.Random.Int(1, 96):00}{index:000000000}", Address = VietnameseNames.Street(_f, ward.Name.StartsWith("Xã", StringComparison.Ordinal)) + ", " + VietnameseNames.Inside(ward.Name),
            WardId = ward.Id, RegisteredAt = DateTimeOffset.UnixEpoch, RegisteredBy = _supervisorsByWard[ward.Id][0].Id
        };

        var kind = _f.Random.WeightedRandom(KindMix.Select(k => k.Kind).ToArray(), KindMix.Select(k => (float)k.Weight).ToArray());
        var rule = _kinds[kind];
        var months = kind switch
        {
            // Most decisions sit at the shorter end of the legal range.
            SupervisionKind.ConditionalEarlyRelease => _f.Random.Int(6, 24),
            SupervisionKind.ReintegrationSupport => _f.Random.Int(12, 24),
            SupervisionKind.SuspendedSentence => _f.Random.Int(12, 31),
            SupervisionKind.NonCustodialReform => _f.Random.Int(6, 24),
            _ => _f.Random.Int(rule.MinMonths, rule.MaxMonths ?? rule.MinMonths + 12)
        };
        var start = _today.AddDays(-_f.Random.Int(20, 3 * 365));
        var end = start.AddMonths(months).AddDays(-1);
        var supervisors = _supervisorsByWard[ward.Id];
        var (sup1, sup2) = (supervisors[0], supervisors[1]);
        var caseId = NextId();
        var events = new List<object>
        {
            new CaseOpened(caseId, person.Id, kind,
                new LegalBasis($"{_f.Random.Int(1, 999)}/{start.Year}/{(kind is SupervisionKind.SuspendedSentence or SupervisionKind.NonCustodialReform ? "HS-ST" : "QĐ-UBND")}",
                    kind is SupervisionKind.SuspendedSentence or SupervisionKind.NonCustodialReform
                        ? $"Tòa án nhân dân khu vực {_f.Random.Int(1, 9)}"
                        : "Ủy ban nhân dân " + VietnameseNames.Inside(ward.Name),
                    start.AddDays(-_f.Random.Int(3, 30))),
                start, end, ward.Id, sup1.Id)
        };

        // A few cases wait for assignment; the rest are assigned within days.
        if (_f.Random.Bool(0.03f)) return new DemoCase(person, caseId, events);
        var org = _f.PickRandom(_orgsByWard[ward.Id]);
        var mentor = _f.PickRandom(_reviewersByOrg[org.Id]);
        events.Add(new CaseAssigned(org.Id, mentor.Id, sup1.Id, "Phân công theo địa bàn cư trú", sup1.Id));

        var goodPerson = _f.Random.Bool(0.7f);
        var lastDay = end < _today ? end : _today;
        var ratings = new List<ReviewRating>();
        DateOnly? lastSerious = null;
        var every = rule.ReviewEveryMonths;
        var skipRecent = _f.Random.Bool(0.04f); // so that overdue alerts are not empty

        // An early release happens on a day of its own between half the term and its end, spread over the years like
        // the terms are, not piled into the last weeks: reviews stop there when the rule holds on that day.
        var halfway = start.AddDays((end.DayNumber - start.DayNumber + 1) / 2);
        var latestEarly = end < _today ? end.AddDays(-8) : _today.AddDays(-8);
        DateOnly? earlyOn = goodPerson && halfway <= latestEarly && _f.Random.Bool(0.7f)
            ? DateOnly.FromDayNumber(_f.Random.Int(halfway.DayNumber, latestEarly.DayNumber))
            : null;
        var firstMonth = new DateOnly(start.Year, start.Month, 1);
        Reviews(firstMonth, earlyOn ?? lastDay);
        var early = earlyOn is { } day && Case.HalfServed(start, end, day)
            && ratings.Count >= 3 && ratings.TakeLast(3).All(r => r == ReviewRating.Good) && lastSerious is null;
        if (earlyOn is { } cut && !early)
        {
            // The rule did not hold that day: the term goes on, reviewed as before.
            var resume = new DateOnly(cut.Year, cut.Month, 1).AddMonths(1);
            while ((resume.Year * 12 + resume.Month - firstMonth.Year * 12 - firstMonth.Month) % every != 0) resume = resume.AddMonths(1);
            Reviews(resume, lastDay);
        }

        void Reviews(DateOnly from, DateOnly until)
        {
        for (var month = from; month <= until; month = month.AddMonths(every))
        {
            var held = month.AddDays(_f.Random.Int(14, 27));
            if (held < start) held = start;
            if (held > _today || held > until) break;
            if (skipRecent && month >= new DateOnly(_today.Year, _today.Month, 1).AddMonths(-3)) break;
            if (_f.Random.Bool(0.08f)) continue;
            var rating = goodPerson
                ? _f.Random.WeightedRandom([ReviewRating.Good, ReviewRating.Fair, ReviewRating.Poor], [0.85f, 0.12f, 0.03f])
                : _f.Random.WeightedRandom([ReviewRating.Good, ReviewRating.Fair, ReviewRating.Poor], [0.45f, 0.35f, 0.2f]);
            ratings.Add(rating);
            events.Add(new ReviewLogged(NextId(), month.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture), held, rating,
                rating switch
                {
                    ReviewRating.Good => "Chấp hành tốt, tích cực lao động",
                    ReviewRating.Fair => "Chấp hành tương đối, cần nhắc nhở",
                    _ => "Chưa chấp hành nghiêm, vắng mặt buổi sinh hoạt"
                }, mentor.Id));
            if (_f.Random.Bool(0.12f))
                events.Add(new ProgressRecorded(_f.PickRandom<ProgressArea>(), goodPerson ? ProgressDirection.Improved : _f.PickRandom<ProgressDirection>(),
                    "Ghi nhận của tổ chức đoàn thể", held, mentor.Id));
            if (!goodPerson && _f.Random.Bool(0.04f))
            {
                var serious = _f.Random.Bool(0.25f);
                if (serious) lastSerious = held;
                events.Add(new ViolationRecorded(serious ? ViolationSeverity.Serious : ViolationSeverity.Minor, "Vi phạm nghĩa vụ trình diện", held, sup1.Id));
            }
        }
        }

        // Endings: revoke, close, early release for progress, release at term end; a few left term-ended.
        var roll = _f.Random.Double();
        if (!goodPerson && lastSerious is { } v && roll < 0.5)
        {
            events.Add(new CaseRevoked($"{_f.Random.Int(1, 500)}/QĐ-TA", "Vi phạm nghĩa vụ nghiêm trọng", v.AddDays(10) > _today ? _today : v.AddDays(10), sup1.Id));
            return new DemoCase(person, caseId, events);
        }

        if (roll < 0.02)
        {
            events.Add(new CaseClosed(_f.PickRandom<ClosureReason>(), "Đóng hồ sơ theo quy định", lastDay, sup1.Id));
            return new DemoCase(person, caseId, events);
        }

        if (early && earlyOn is { } earlyDay)
        {
            events.Add(new ReleaseRecommended(ReleaseGrounds.EarlyForProgress, "Có nhiều tiến bộ, đề nghị miễn chấp hành thời gian còn lại", earlyDay, mentor.Id));
            // A recommendation of the last weeks may still wait for its decision; an older one was decided long ago.
            if (earlyDay < _today.AddDays(-45) || _f.Random.Bool(0.5f))
                events.Add(new CaseReleased(ReleaseGrounds.EarlyForProgress, mentor.Id, sup2.Id, $"{_f.Random.Int(1, 500)}/QĐ-TA", earlyDay.AddDays(7), events.Count));
        }
        else if (end < _today && !_f.Random.Bool(0.03f))
        {
            var on = end.AddDays(1);
            events.Add(new ReleaseRecommended(ReleaseGrounds.TermCompleted, "Đã chấp hành xong thời gian", on, sup1.Id));
            if (_f.Random.Bool(0.97f))
                events.Add(new CaseReleased(ReleaseGrounds.TermCompleted, sup1.Id, sup2.Id, $"{_f.Random.Int(1, 500)}/GCN", on, events.Count));
        }

        return new DemoCase(person, caseId, events);
    }
}
