using System.Text;

namespace CaseTracking.Pages.Shared;

/// <summary>
/// CSV for a spreadsheet: UTF-8 with a byte order mark (Excel then reads Vietnamese letters right), headers in the
/// user's language, and every cell that a spreadsheet would run as a formula (=, +, -, @, tab, carriage return)
/// neutralised with a leading apostrophe (OWASP "CSV injection").
/// </summary>
public static class Csv
{
    public static string Cell(string? value)
    {
        var text = value ?? "";
        if (text.Length > 0 && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r') text = "'" + text;
        return text.IndexOfAny(['"', ',', ';', '\n', '\r']) >= 0 || text != text.Trim() ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
    }

    public static string Line(IEnumerable<string?> cells) => string.Join(',', cells.Select(Cell)) + "\r\n";

    /// <summary>Writes the rows as they come (a long log is not held in memory twice), as an attachment named <paramref name="fileName"/>.</summary>
    public static async Task WriteAsync(HttpResponse response, string fileName, IEnumerable<string> headers,
        IAsyncEnumerable<IEnumerable<string?>> rows, CancellationToken ct)
    {
        response.ContentType = "text/csv; charset=utf-8";
        response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}\"";
        await using var writer = new StreamWriter(response.Body, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true), 16 * 1024);
        await writer.WriteAsync(Line(headers).AsMemory(), ct);
        await foreach (var row in rows.WithCancellation(ct)) await writer.WriteAsync(Line(row).AsMemory(), ct);
    }
}
