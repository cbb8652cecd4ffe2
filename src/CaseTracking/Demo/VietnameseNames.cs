using System.Text;
using Bogus;

namespace CaseTracking.Demo;

/// <summary>
/// Names as a Vietnamese reader writes them, from Bogus' <c>vi</c> locale: family name first ("Đoàn Phương Nhi";
/// Bogus puts it last), ward names like real ones ("Phường 3", "Xã An Bình"), and only the letter Đ (U+0110):
/// the locale's data mixes in the Icelandic look-alike Ð (U+00D0), which sorts, searches and prints differently.
/// </summary>
public static class VietnameseNames
{
    /// <summary>Family name, then the given names (Bogus' first name is already the two given syllables).</summary>
    public static string FullName(Faker f) => Clean($"{f.Name.LastName()} {f.Name.FirstName()}");

    /// <summary>The letter Đ/đ wherever its look-alike Ð/ð slipped in, in NFC (as the importer stores names).</summary>
    public static string Clean(string text) =>
        text.Replace('\u00D0', '\u0110').Replace('\u00F0', '\u0111').Normalize(NormalizationForm.FormC);

    // Syllables that commune and ward names are made of (An Bình, Tân Phú, Hòa Lợi, Vĩnh Thạnh ...).
    private static readonly string[] First =
        ["An", "Bình", "Tân", "Phú", "Hòa", "Long", "Mỹ", "Vĩnh", "Phước", "Thạnh", "Xuân", "Đông", "Tây", "Hưng", "Thuận", "Quảng", "Đức", "Nghĩa", "Thanh", "Hiệp"];

    private static readonly string[] Second =
        ["Bình", "Phú", "Hòa", "Lợi", "Thạnh", "Hưng", "Lộc", "Thành", "Sơn", "Hải", "An", "Long", "Mỹ", "Thọ", "Trung", "Tiến", "Lập", "Định", "Phong", "Khánh"];

    /// <summary>
    /// <paramref name="count"/> distinct ward names: two wards in three urban (the first ones numbered, "Phường 1".."Phường 12",
    /// the rest named), one in three a commune ("Xã An Bình").
    /// </summary>
    public static List<string> Wards(Faker f, int count)
    {
        var places = First.SelectMany(a => Second.Where(b => b != a).Select(b => $"{a} {b}")).ToList();
        var shuffled = f.Random.Shuffle(places).ToList();
        var names = new List<string>(count);
        var numbered = 0;
        var next = 0;
        for (var w = 1; w <= count; w++)
        {
            if (w % 3 == 0) names.Add("Xã " + shuffled[next++ % shuffled.Count]);
            else if (numbered < 12) names.Add($"Phường {++numbered}");
            else names.Add("Phường " + shuffled[next++ % shuffled.Count]);
        }

        return names;
    }

    /// <summary>A ward's name inside a longer name, as Vietnamese writes it: "Hội Nông dân xã An Bình".</summary>
    public static string Inside(string wardName) => wardName.Length == 0 ? wardName : char.ToLowerInvariant(wardName[0]) + wardName[1..];

    /// <summary>A street address: house number and a street named after a person ("Số 45 đường Trần Quốc Hoài").</summary>
    public static string Street(Faker f, bool commune) => commune
        ? $"Thôn {f.Random.Int(1, 12)}"
        : Clean($"Số {f.Random.Int(1, 250)} đường {f.Name.LastName()} {f.Name.FirstName()}");
}
