using System.Globalization;
using System.Resources;
using System.Text;

namespace CaseTracking.Imports;

/// <summary>The template's columns (DESIGN §6). Their headers live in the resources as <c>Import.Col.&lt;name&gt;</c>.</summary>
public enum Col
{
    ExternalRef, FullName, DateOfBirth, NationalId, Address, Phone, WardCode, Kind, DecisionNumber, IssuedBy, IssuedOn,
    StartsOn, EndsOn, Organisation, Mentor, Supervisor, Period, HeldOn, Rating, Summary,
    Area, Direction, RecordedOn, Note, Severity, OccurredOn, Description
}

public enum SheetKind { Cases, Reviews, Progress, Violations }

/// <summary>Headers and texts of the template in both languages; an upload is read with either.</summary>
public static class ImportColumns
{
    public static readonly Col[] CaseColumns =
    [
        Col.ExternalRef, Col.FullName, Col.DateOfBirth, Col.NationalId, Col.Address, Col.Phone, Col.WardCode, Col.Kind, Col.DecisionNumber,
        Col.IssuedBy, Col.IssuedOn, Col.StartsOn, Col.EndsOn, Col.Organisation, Col.Mentor, Col.Supervisor
    ];

    public static readonly Col[] ReviewColumns = [Col.ExternalRef, Col.Period, Col.HeldOn, Col.Rating, Col.Summary];

    /// <summary>The progress sheet: one row a progress note of a case (<c>ProgressRecorded</c>).</summary>
    public static readonly Col[] ProgressColumns = [Col.ExternalRef, Col.Area, Col.Direction, Col.RecordedOn, Col.Note];

    /// <summary>The violations sheet: one row a violation of a case (<c>ViolationRecorded</c>).</summary>
    public static readonly Col[] ViolationColumns = [Col.ExternalRef, Col.Severity, Col.OccurredOn, Col.Description];

    public static Col[] ColumnsOf(SheetKind sheet) => sheet switch
    {
        SheetKind.Cases => CaseColumns,
        SheetKind.Reviews => ReviewColumns,
        SheetKind.Progress => ProgressColumns,
        _ => ViolationColumns
    };

    /// <summary>Columns a row of the sheet cannot do without (the assignment's three are all or none).</summary>
    public static readonly Col[] RequiredCaseColumns =
    [
        Col.ExternalRef, Col.FullName, Col.DateOfBirth, Col.NationalId, Col.Address, Col.WardCode, Col.Kind, Col.DecisionNumber, Col.IssuedBy,
        Col.IssuedOn, Col.StartsOn, Col.EndsOn
    ];

    public static readonly Col[] DateColumns = [Col.DateOfBirth, Col.IssuedOn, Col.StartsOn, Col.EndsOn, Col.HeldOn, Col.RecordedOn, Col.OccurredOn];

    public static readonly CultureInfo Vietnamese = new("vi-VN");
    public static readonly CultureInfo English = new("en-GB");

    private static readonly ResourceManager Resources = new("CaseTracking.Web.SharedResource", typeof(ImportColumns).Assembly);

    public static string Text(string key, CultureInfo? culture = null) =>
        Resources.GetString(key, culture ?? CultureInfo.CurrentUICulture) ?? key;

    public static string Format(string key, params object?[] args) =>
        string.Format(CultureInfo.CurrentCulture, Text(key), args);

    public static string Header(Col col, CultureInfo? culture = null) => Text("Import.Col." + col, culture);

    public static string SheetName(SheetKind sheet, CultureInfo? culture = null) => Text("Import.Sheet." + sheet, culture);

    /// <summary>The column a header names, in Vietnamese or English, ignoring case, spacing and Unicode form.</summary>
    public static Col? ColumnOf(string? header)
    {
        if (string.IsNullOrWhiteSpace(header)) return null;
        var key = Key(header);
        return HeaderIndex.TryGetValue(key, out var col) ? col : null;
    }

    private static readonly Dictionary<string, Col> HeaderIndex = BuildIndex();

    private static Dictionary<string, Col> BuildIndex()
    {
        var index = new Dictionary<string, Col>(StringComparer.Ordinal);
        foreach (var col in Enum.GetValues<Col>())
        {
            index[Key(col.ToString())] = col;
            index[Key(Header(col, Vietnamese))] = col;
            index[Key(Header(col, English))] = col;
        }

        return index;
    }

    /// <summary>Comparable form of a header or a label: NFC, "Ð" read as "Đ", spaces collapsed, lower case.</summary>
    public static string Key(string text) =>
        string.Join(' ', ImportText.Clean(text).Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToLowerInvariant();

    /// <summary>An enum value as written in a cell: its name, or its label in either language ("Án treo", "Suspended sentence").</summary>
    public static bool TryEnum<T>(string value, out T result) where T : struct, Enum
    {
        var key = Key(value);
        foreach (var candidate in Enum.GetValues<T>())
        {
            var name = $"{typeof(T).Name}.{candidate}";
            if (Key(candidate.ToString()) == key || Key(Text(name, Vietnamese)) == key || Key(Text(name, English)) == key)
            {
                result = candidate;
                return true;
            }
        }

        result = default;
        return false;
    }
}

/// <summary>Text as it is stored: Unicode NFC, the look-alike "Ð" (U+00D0, Icelandic eth) as the Vietnamese "Đ".</summary>
public static class ImportText
{
    public static string Clean(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.Length == 0) return trimmed;
        var normal = trimmed.IsNormalized(NormalizationForm.FormC) ? trimmed : trimmed.Normalize(NormalizationForm.FormC);
        return normal.Contains('\u00D0', StringComparison.Ordinal) || normal.Contains('\u00F0', StringComparison.Ordinal)
            ? normal.Replace('\u00D0', '\u0110').Replace('\u00F0', '\u0111')
            : normal;
    }

    /// <summary>
    /// A cell an export wrote with a leading apostrophe (so that a spreadsheet never runs it as a formula) reads back
    /// as the text it was.
    /// </summary>
    public static string Unneutralise(string text) =>
        text.Length > 1 && text[0] == '\'' && text[1] is '=' or '+' or '-' or '@' ? text[1..] : text;

    /// <summary>Text that a spreadsheet would run as a formula gets a leading apostrophe (OWASP "CSV injection").</summary>
    public static string Neutralise(string text) =>
        text.Length > 0 && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + text : text;
}
