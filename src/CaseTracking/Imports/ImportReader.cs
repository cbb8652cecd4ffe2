using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Xml;
using CsvHelper;
using CsvHelper.Configuration;
using MiniExcelLibs;

namespace CaseTracking.Imports;

/// <summary>One row of a sheet as read: its number as the spreadsheet shows it, and its cells by column.</summary>
public sealed record RawRow(SheetKind Sheet, int Number, IReadOnlyDictionary<Col, string> Cells, IReadOnlySet<Col> Formulas)
{
    public string? this[Col col] => Cells.TryGetValue(col, out var v) && v.Length > 0 ? v : null;

    public bool IsEmpty => Cells.Values.All(string.IsNullOrWhiteSpace) && Formulas.Count == 0;
}

public sealed record ReadFile(string Format, IReadOnlyList<RawRow> Cases, IReadOnlyList<RawRow> Reviews,
    IReadOnlyList<string> UnknownHeaders, string CasesSheetName, string ReviewsSheetName)
{
    public IReadOnlyList<RawRow> Progress { get; init; } = [];
    public IReadOnlyList<RawRow> Violations { get; init; } = [];
    public string ProgressSheetName { get; init; } = "";
    public string ViolationsSheetName { get; init; } = "";

    public string SheetName(SheetKind sheet) => sheet switch
    {
        SheetKind.Cases => CasesSheetName,
        SheetKind.Reviews => ReviewsSheetName,
        SheetKind.Progress => ProgressSheetName,
        _ => ViolationsSheetName
    };
}

/// <summary>A file that cannot be read at all: answered with its own status and code, and nothing is imported.</summary>
public sealed class ImportFileException(int status, string code, string message) : Exception(message)
{
    public int Status { get; } = status;

    public string Code { get; } = code;
}

/// <summary>
/// Reads an upload into rows: XLSX through MiniExcel (plus a look at the sheets' XML for formulas, which MiniExcel
/// reads as their cached values), CSV through CsvHelper. Tells what the file is from its first bytes, not its name.
/// </summary>
public static class ImportReader
{
    private static readonly byte[] Zip = [0x50, 0x4B, 0x03, 0x04];

    // An encrypted (password-protected) XLSX, and the old binary .xls, are OLE compound files.
    private static readonly byte[] Ole = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

    public static ReadFile Read(byte[] content, string? fileName)
    {
        if (content.Length == 0) throw Refuse(StatusCodes.Status400BadRequest, "import.empty-file");
        if (content.AsSpan().StartsWith(Ole)) throw Refuse(StatusCodes.Status400BadRequest, "import.protected-file");
        if (content.AsSpan().StartsWith(Zip)) return ReadXlsx(content);
        if (LooksLikeText(content)) return ReadCsv(content);
        throw Refuse(StatusCodes.Status415UnsupportedMediaType, "import.unsupported-file");
    }

    private static ImportFileException Refuse(int status, string code) => new(status, code, ImportColumns.Text("Import.Code." + code));

    private static bool LooksLikeText(byte[] content)
    {
        var sample = content.AsSpan(0, Math.Min(content.Length, 64 * 1024));
        if (sample.Contains((byte)0)) return false;
        var strict = new UTF8Encoding(false, true);
        // A multi-byte character cut at the end of the sample is not a fault of the file.
        for (var cut = 0; cut <= (content.Length > sample.Length ? 3 : 0); cut++)
        {
            try
            {
                strict.GetCharCount(sample[..^cut]);
                return true;
            }
            catch (DecoderFallbackException)
            {
            }
        }

        return false;
    }

    private static ReadFile ReadXlsx(byte[] content)
    {
        Dictionary<string, HashSet<string>> formulas;
        List<string> sheetNames;
        try
        {
            (sheetNames, formulas) = InspectWorkbook(content);
        }
        catch (Exception e) when (e is InvalidDataException or XmlException or IOException or KeyNotFoundException or NotSupportedException)
        {
            throw Refuse(StatusCodes.Status400BadRequest, "import.broken-file");
        }

        var cases = new List<RawRow>();
        var reviews = new List<RawRow>();
        var progress = new List<RawRow>();
        var violations = new List<RawRow>();
        var unknown = new List<string>();
        string casesSheet = "", reviewsSheet = "", progressSheet = "", violationsSheet = "";
        try
        {
            foreach (var name in sheetNames)
            {
                using var stream = new MemoryStream(content, false);
                var rows = MiniExcel.Query(stream, useHeaderRow: false, sheetName: name, excelType: ExcelType.XLSX)
                    .Cast<IDictionary<string, object?>>();
                var sheetFormulas = formulas.GetValueOrDefault(name) ?? [];
                var sheet = ReadSheet(rows, sheetFormulas, unknown);
                if (sheet is null) continue;
                if (sheet.Value.Kind == SheetKind.Cases && casesSheet.Length == 0)
                {
                    casesSheet = name;
                    cases.AddRange(sheet.Value.Rows);
                }
                else if (sheet.Value.Kind == SheetKind.Reviews && reviewsSheet.Length == 0)
                {
                    reviewsSheet = name;
                    reviews.AddRange(sheet.Value.Rows);
                }
                else if (sheet.Value.Kind == SheetKind.Progress && progressSheet.Length == 0)
                {
                    progressSheet = name;
                    progress.AddRange(sheet.Value.Rows);
                }
                else if (sheet.Value.Kind == SheetKind.Violations && violationsSheet.Length == 0)
                {
                    violationsSheet = name;
                    violations.AddRange(sheet.Value.Rows);
                }
            }
        }
        catch (Exception e) when (e is InvalidDataException or XmlException or IOException or InvalidCastException or FormatException
                                      or InvalidOperationException or NotSupportedException or KeyNotFoundException or IndexOutOfRangeException)
        {
            throw Refuse(StatusCodes.Status400BadRequest, "import.broken-file");
        }

        if (casesSheet.Length == 0) throw Refuse(StatusCodes.Status400BadRequest, "import.no-cases-sheet");
        return new ReadFile("xlsx", cases, reviews, unknown, casesSheet, reviewsSheet)
        {
            Progress = progress, Violations = violations, ProgressSheetName = progressSheet, ViolationsSheetName = violationsSheet
        };
    }

    /// <summary>
    /// The header row decides what a sheet is: the cases sheet has "full name", the reviews sheet "period", the progress
    /// sheet "area", the violations sheet "severity".
    /// A sheet with neither (the instructions) is passed over.
    /// </summary>
    private static (SheetKind Kind, List<RawRow> Rows)? ReadSheet(IEnumerable<IDictionary<string, object?>> rows,
        HashSet<string> formulaCells, List<string> unknown)
    {
        Dictionary<string, Col>? columns = null;
        SheetKind kind = default;
        var result = new List<RawRow>();
        var number = 0;
        foreach (var row in rows)
        {
            number++;
            if (columns is null)
            {
                var found = new Dictionary<string, Col>(StringComparer.Ordinal);
                var unknownHere = new List<string>();
                foreach (var (letter, value) in row)
                {
                    var header = CellText(value, false);
                    if (string.IsNullOrWhiteSpace(header)) continue;
                    if (ImportColumns.ColumnOf(header) is { } col) found[letter] = col;
                    else unknownHere.Add(header);
                }

                if (found.ContainsValue(Col.FullName)) kind = SheetKind.Cases;
                else if (found.ContainsValue(Col.Period)) kind = SheetKind.Reviews;
                else if (found.ContainsValue(Col.Area)) kind = SheetKind.Progress;
                else if (found.ContainsValue(Col.Severity)) kind = SheetKind.Violations;
                else if (number >= 5) return null;
                else continue;
                columns = found;
                unknown.AddRange(unknownHere);
                continue;
            }

            var cells = new Dictionary<Col, string>();
            var rowFormulas = new HashSet<Col>();
            foreach (var (letter, col) in columns)
            {
                row.TryGetValue(letter, out var value);
                cells[col] = CellText(value, ImportColumns.DateColumns.Contains(col));
                if (formulaCells.Contains(letter + number.ToString(CultureInfo.InvariantCulture))) rowFormulas.Add(col);
            }

            var raw = new RawRow(kind, number, cells, rowFormulas);
            if (!raw.IsEmpty) result.Add(raw);
        }

        return columns is null ? null : (kind, result);
    }

    /// <summary>A cell as text: dates as yyyy-MM-dd, whole numbers without a decimal point or exponent.</summary>
    public static string CellText(object? value, bool isDate) => value switch
    {
        null => "",
        string s => s,
        DateTime d => d.TimeOfDay == TimeSpan.Zero || isDate
            ? d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
            : d.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
        DateTimeOffset d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        double n when isDate && n is > 0 and < 2958466 => DateTime.FromOADate(n).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        double n when n == Math.Floor(n) && Math.Abs(n) < 1e15 => ((long)n).ToString(CultureInfo.InvariantCulture),
        double n => n.ToString(CultureInfo.InvariantCulture),
        decimal n => n.ToString(CultureInfo.InvariantCulture),
        bool b => b ? "TRUE" : "FALSE",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? ""
    };

    /// <summary>The workbook's sheet names in order, and the cells (e.g. "B5") of each sheet that hold a formula.</summary>
    private static (List<string> Names, Dictionary<string, HashSet<string>> Formulas) InspectWorkbook(byte[] content)
    {
        using var zip = new ZipArchive(new MemoryStream(content, false), ZipArchiveMode.Read);
        var workbook = zip.GetEntry("xl/workbook.xml") ?? throw new InvalidDataException("no workbook");
        var rels = zip.GetEntry("xl/_rels/workbook.xml.rels") ?? throw new InvalidDataException("no workbook relations");

        var targets = new Dictionary<string, string>(StringComparer.Ordinal);
        using (var reader = XmlReader.Create(rels.Open(), Settings))
            while (reader.Read())
                if (reader is { NodeType: XmlNodeType.Element, LocalName: "Relationship" } && reader.GetAttribute("Id") is { } id
                    && reader.GetAttribute("Target") is { } target)
                    targets[id] = target.TrimStart('/').StartsWith("xl/", StringComparison.Ordinal) ? target.TrimStart('/') : "xl/" + target;

        var names = new List<string>();
        var formulas = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var sheets = new List<(string Name, string Path)>();
        using (var reader = XmlReader.Create(workbook.Open(), Settings))
            while (reader.Read())
                if (reader is { NodeType: XmlNodeType.Element, LocalName: "sheet" } && reader.GetAttribute("name") is { } name)
                {
                    var rid = reader.GetAttribute("id", "http://schemas.openxmlformats.org/officeDocument/2006/relationships");
                    names.Add(name);
                    if (rid is not null && targets.TryGetValue(rid, out var path)) sheets.Add((name, path));
                }

        foreach (var (name, path) in sheets)
        {
            var entry = zip.GetEntry(path);
            if (entry is null) continue;
            var cells = new HashSet<string>(StringComparer.Ordinal);
            using var reader = XmlReader.Create(entry.Open(), Settings);
            string? cell = null;
            while (reader.Read())
            {
                if (reader.NodeType != XmlNodeType.Element) continue;
                if (reader.LocalName == "c") cell = reader.GetAttribute("r");
                else if (reader.LocalName == "f" && cell is not null) cells.Add(cell);
            }

            formulas[name] = cells;
        }

        return (names, formulas);
    }

    private static readonly XmlReaderSettings Settings = new() { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, IgnoreWhitespace = true };

    private static ReadFile ReadCsv(byte[] content)
    {
        using var reader = new StreamReader(new MemoryStream(content, false), new UTF8Encoding(false, true), detectEncodingFromByteOrderMarks: true);
        var sample = content.AsSpan(0, Math.Min(content.Length, 4096));
        var delimiter = sample.Count((byte)';') > sample.Count((byte)',') ? ";" : ",";
        using var csv = new CsvReader(reader, new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            HasHeaderRecord = false, Delimiter = delimiter, BadDataFound = null, MissingFieldFound = null, DetectColumnCountChanges = false
        });
        var rows = new List<RawRow>();
        var unknown = new List<string>();
        Col?[]? columns = null;
        try
        {
            while (csv.Read())
            {
                var record = csv.Parser.Record ?? [];
                // The spreadsheet's row number: a quoted field may span lines.
                var number = csv.Parser.Row;
                if (columns is null)
                {
                    columns = [.. record.Select(h => ImportColumns.ColumnOf(h))];
                    unknown.AddRange(record.Where((h, i) => columns[i] is null && !string.IsNullOrWhiteSpace(h)));
                    if (!columns.Contains(Col.FullName)) throw Refuse(StatusCodes.Status400BadRequest, "import.no-cases-sheet");
                    continue;
                }

                var cells = new Dictionary<Col, string>();
                var rowFormulas = new HashSet<Col>();
                for (var i = 0; i < columns.Length; i++)
                {
                    if (columns[i] is not { } col) continue;
                    var value = i < record.Length ? record[i] : "";
                    // A CSV has no formulas, but a spreadsheet opening it would run one.
                    if (value.TrimStart().StartsWith('=')) rowFormulas.Add(col);
                    cells[col] = value;
                }

                var raw = new RawRow(SheetKind.Cases, number, cells, rowFormulas);
                if (!raw.IsEmpty) rows.Add(raw);
            }
        }
        catch (DecoderFallbackException)
        {
            throw Refuse(StatusCodes.Status415UnsupportedMediaType, "import.unsupported-file");
        }
        catch (CsvHelperException)
        {
            throw Refuse(StatusCodes.Status400BadRequest, "import.broken-file");
        }

        if (columns is null) throw Refuse(StatusCodes.Status400BadRequest, "import.no-cases-sheet");
        return new ReadFile("csv", rows, [], unknown, "CSV", "");
    }
}
