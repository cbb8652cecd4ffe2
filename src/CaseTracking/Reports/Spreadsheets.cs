using System.Globalization;
using System.Text;
using CaseTracking.Imports;
using CsvHelper;
using CsvHelper.Configuration;
using MiniExcelLibs;
using MiniExcelLibs.OpenXml;

namespace CaseTracking.Reports;

/// <summary>One sheet of a file to download: a title row set (headers) and rows of cells in that order.</summary>
public sealed record Sheet(string Name, IReadOnlyList<string> Headers, IEnumerable<IReadOnlyList<object?>> Rows);

/// <summary>
/// Files as users open them: XLSX through MiniExcel, CSV through CsvHelper in UTF-8 with a BOM (so Excel shows
/// Vietnamese letters), and every text cell that a spreadsheet would run as a formula neutralised.
/// </summary>
public static class Spreadsheets
{
    public const string XlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    public const string CsvType = "text/csv; charset=utf-8";

    public static byte[] Xlsx(IEnumerable<Sheet> sheets)
    {
        var workbook = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var sheet in sheets)
        {
            // Headers must be unique keys of each row's dictionary; they are, by construction of our sheets.
            workbook[SheetName(sheet.Name)] = sheet.Rows.Select(row =>
            {
                var cells = new Dictionary<string, object?>(StringComparer.Ordinal);
                for (var i = 0; i < sheet.Headers.Count; i++) cells[sheet.Headers[i]] = Cell(i < row.Count ? row[i] : null);
                return cells;
            }).ToList() is { Count: > 0 } rows
                ? rows
                : [sheet.Headers.ToDictionary(h => h, _ => (object?)null, StringComparer.Ordinal)];
        }

        using var stream = new MemoryStream();
        MiniExcel.SaveAs(stream, workbook, printHeader: true, excelType: ExcelType.XLSX,
            configuration: new OpenXmlConfiguration { TableStyles = TableStyles.None, AutoFilter = false, FastMode = true });
        return stream.ToArray();
    }

    /// <summary>Excel allows at most 31 characters in a sheet name and none of []:*?/\.</summary>
    private static string SheetName(string name)
    {
        var clean = new string([.. name.Where(c => c is not ('[' or ']' or ':' or '*' or '?' or '/' or '\\'))]);
        return clean.Length > 31 ? clean[..31] : clean;
    }

    public static byte[] Csv(Sheet sheet)
    {
        using var stream = new MemoryStream();
        using (var writer = new StreamWriter(stream, new UTF8Encoding(true), leaveOpen: true))
        using (var csv = new CsvWriter(writer, new CsvConfiguration(CultureInfo.InvariantCulture)))
        {
            foreach (var header in sheet.Headers) csv.WriteField(ImportText.Neutralise(header));
            csv.NextRecord();
            foreach (var row in sheet.Rows)
            {
                foreach (var cell in row) csv.WriteField(Cell(cell) is var value && value is string s ? s : Convert.ToString(value, CultureInfo.InvariantCulture));
                csv.NextRecord();
            }
        }

        return stream.ToArray();
    }

    /// <summary>Numbers stay numbers; dates become ISO text; text is neutralised.</summary>
    private static object? Cell(object? value) => value switch
    {
        null => null,
        string s => ImportText.Neutralise(s),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTimeOffset d => d.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
        int or long or double or decimal => value,
        _ => ImportText.Neutralise(Convert.ToString(value, CultureInfo.InvariantCulture) ?? "")
    };

    /// <summary>A download's file name: ASCII, with the filters and period in it.</summary>
    public static string FileName(params string?[] parts)
    {
        var text = string.Join('_', parts.Where(p => !string.IsNullOrWhiteSpace(p)));
        var folded = new StringBuilder();
        foreach (var c in text.Replace('đ', 'd').Replace('Đ', 'D').Normalize(NormalizationForm.FormD))
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark) continue;
            folded.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' ? c : '-');
        }

        return folded.ToString();
    }

    public static IResult File(byte[] content, string contentType, string fileName) =>
        Results.File(content, contentType, fileName);
}
