using System.Text.Json;
using System.Text.RegularExpressions;
using CaseTracking.Cases;
using CaseTracking.Demo;
using CaseTracking.Infrastructure;

namespace CaseTracking.Tests.Demo;

/// <summary>
/// The demo province as a Vietnamese reader expects it (issue 15): family name first, wards named like real
/// wards, only the letter Đ, releases spread over the years. Pure: the province is generated in memory.
/// </summary>
public sealed class demo_data_reads_as_vietnamese
{
    private static readonly DateOnly Today = new(2026, 11, 20);
    private static readonly string[] FamilyNames =
        ["Bùi", "Đặng", "Đào", "Đinh", "Đỗ", "Đoàn", "Dương", "Hà", "Hồ", "Hoàng", "Lâm", "Lê", "Lý", "Mai", "Ngô", "Nguyễn", "Phạm", "Phan",
         "Phùng", "Tăng", "Tô", "Trần", "Trịnh", "Trương", "Vũ", "Vương"];

    private static (DemoProvince Province, List<DemoCase> Cases) Generate(int seed = 7, int cases = 1500) =>
        new DemoProvince(seed, Today, new SupervisionKinds()) is var p ? (p, p.Cases(cases).ToList()) : default;

    [Fact]
    public void people_and_users_are_named_family_name_first()
    {
        var (province, cases) = Generate();
        var names = cases.Select(c => c.Person.FullName).Concat(province.Users.Where(u => u.Username != "admin2").Select(u => u.DisplayName)).ToList();
        names.ShouldAllBe(n => FamilyNames.Contains(n.Split(' ', StringSplitOptions.None)[0]));
        names.ShouldAllBe(n => n.Split(' ', StringSplitOptions.None).Length >= 3);
    }

    [Fact]
    public void wards_are_named_like_real_wards_and_communes()
    {
        var (province, _) = Generate();
        var names = province.Wards.Select(w => w.Name).ToList();
        names.Count.ShouldBe(150);
        names.Distinct().Count().ShouldBe(150);
        names.ShouldContain("Phường 3");
        names.ShouldAllBe(n => Regex.IsMatch(n, @"^(Phường \d{1,2}|Phường \p{Lu}\p{Ll}* \p{Lu}\p{Ll}*|Xã \p{Lu}\p{Ll}* \p{Lu}\p{Ll}*)$"));
        names.Count(n => n.StartsWith("Xã ", StringComparison.Ordinal)).ShouldBe(50);
        province.Organisations.ShouldAllBe(o => !o.Name.Contains(" Phường ") && !o.Name.Contains(" Xã "), "a ward inside a name is written lower case: “Hội Nông dân xã An Bình”");
    }

    [Fact]
    public void only_the_letter_dj_never_its_look_alike()
    {
        var (province, cases) = Generate();
        var text = JsonSerializer.Serialize(new { province.Wards, province.Organisations, Users = province.Users.Select(u => u.DisplayName), cases }, Json.Options);
        text.ShouldNotContain('\u00D0');
        text.ShouldNotContain('\u00F0');
        text.ShouldContain('\u0110');
        VietnameseNames.Clean("Ðinh Ðức ð").ShouldBe("Đinh Đức đ");
    }

    [Fact]
    public void releases_are_spread_over_the_years()
    {
        var (_, cases) = Generate();
        var released = cases.SelectMany(c => c.Events.OfType<CaseReleased>()).ToList();
        released.Count.ShouldBeGreaterThan(300);
        var early = released.Where(r => r.Grounds == ReleaseGrounds.EarlyForProgress).Select(r => r.EffectiveOn).ToList();
        early.Count.ShouldBeGreaterThan(50);
        early.Select(d => d.Year).Distinct().Count().ShouldBeGreaterThanOrEqualTo(3);
        // Not piled into the last two months: about the share those months have of the three years.
        early.Count(d => d > Today.AddDays(-60)).ShouldBeLessThan(early.Count / 5);
        released.Count(r => r.EffectiveOn > Today.AddDays(-60)).ShouldBeLessThan(released.Count / 5);
        released.ShouldAllBe(r => r.EffectiveOn <= Today);
    }

    [Fact]
    public void an_early_release_follows_three_good_reviews_after_half_the_term_and_ends_the_reviews()
    {
        var (_, cases) = Generate();
        foreach (var c in cases.Where(c => c.Events.OfType<ReleaseRecommended>().Any(r => r.Grounds == ReleaseGrounds.EarlyForProgress)))
        {
            var opened = (CaseOpened)c.Events[0];
            var recommended = c.Events.OfType<ReleaseRecommended>().Single();
            CaseTracking.Cases.Case.HalfServed(opened.StartsOn, opened.EndsOn, recommended.RecommendedOn).ShouldBeTrue();
            var reviews = c.Events.OfType<ReviewLogged>().ToList();
            reviews.TakeLast(3).ShouldAllBe(r => r.Rating == ReviewRating.Good);
            reviews.ShouldAllBe(r => r.HeldOn <= recommended.RecommendedOn);
            c.Events.ToList().IndexOf(recommended).ShouldBeGreaterThan(c.Events.ToList().IndexOf(reviews[^1]));
        }
    }

    [Fact]
    public void the_same_seed_gives_the_same_province()
    {
        string Of(int seed) => JsonSerializer.Serialize(Generate(seed, 200) is var (p, cs) ? new { p.Wards, p.Organisations, Users = p.Users.Select(u => (u.Id, u.Username, u.DisplayName)), cs } : null, Json.Options);
        Of(11).ShouldBe(Of(11));
        Of(11).ShouldNotBe(Of(12));
    }
}
