using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Alba;
using Bogus;
using CaseTracking.Access;
using CaseTracking.Imports;
using CaseTracking.Tests.Infrastructure;
using Marten;
using MiniExcelLibs;

namespace CaseTracking.Tests.Imports;

/// <summary>Files as a province would fill them in: built with MiniExcel (the test side), in Vietnamese or English headers.</summary>
public static class ImportFiles
{
    private static readonly Faker Faker = new("vi");

    public static string H(Col col, bool english = false) =>
        ImportColumns.Header(col, english ? ImportColumns.English : ImportColumns.Vietnamese);

    /// <summary>One case row with sensible values; override cells by column.</summary>
    public static Dictionary<Col, object?> Case(string reference, string wardCode, Action<Dictionary<Col, object?>>? change = null)
    {
        var row = new Dictionary<Col, object?>
        {
            [Col.ExternalRef] = reference, [Col.FullName] = Faker.Name.FullName(), [Col.DateOfBirth] = "1990-03-15",
            [Col.NationalId] = NationalId(), [Col.Address] = Faker.Address.FullAddress(), [Col.Phone] = "0912345678",
            [Col.WardCode] = wardCode, [Col.Kind] = "Án treo", [Col.DecisionNumber] = $"{Faker.Random.Number(10, 999)}/2025/HS-ST",
            [Col.IssuedBy] = "Tòa án nhân dân huyện Đông Anh", [Col.IssuedOn] = "20/05/2025", [Col.StartsOn] = "2025-06-01",
            [Col.EndsOn] = "2027-05-31", [Col.Organisation] = null, [Col.Mentor] = null, [Col.Supervisor] = null
        };
        change?.Invoke(row);
        return row;
    }

    public static Dictionary<Col, object?> Review(string reference, string period, string rating = "Tốt", string? heldOn = null) => new()
    {
        [Col.ExternalRef] = reference, [Col.Period] = period, [Col.HeldOn] = heldOn ?? period + "-20", [Col.Rating] = rating,
        [Col.Summary] = Faker.Lorem.Sentence()
    };

    public static Dictionary<Col, object?> ProgressNote(string reference, string recordedOn, string area = "Việc làm", string direction = "Tiến bộ",
        string? note = null) => new()
    {
        [Col.ExternalRef] = reference, [Col.Area] = area, [Col.Direction] = direction, [Col.RecordedOn] = recordedOn,
        [Col.Note] = note ?? Faker.Lorem.Sentence()
    };

    public static Dictionary<Col, object?> Violation(string reference, string occurredOn, string severity = "Nhẹ", string? description = null) => new()
    {
        [Col.ExternalRef] = reference, [Col.Severity] = severity, [Col.OccurredOn] = occurredOn, [Col.Description] = description ?? Faker.Lorem.Sentence()
    };

    public static string NationalId() => "0" + Random.Shared.NextInt64(10_000_000_000, 99_999_999_999);

    public static byte[] Xlsx(IEnumerable<Dictionary<Col, object?>> cases, IEnumerable<Dictionary<Col, object?>>? reviews = null, bool english = false,
        IEnumerable<Dictionary<Col, object?>>? progress = null, IEnumerable<Dictionary<Col, object?>>? violations = null)
    {
        var sheets = new Dictionary<string, object>
        {
            [english ? "Cases" : "Hồ sơ"] = Rows(cases, ImportColumns.CaseColumns, english),
            [english ? "Reviews" : "Đánh giá"] = Rows(reviews ?? [], ImportColumns.ReviewColumns, english)
        };
        if (progress is not null) sheets[english ? "Progress" : "Tiến bộ"] = Rows(progress, ImportColumns.ProgressColumns, english);
        if (violations is not null) sheets[english ? "Violations" : "Vi phạm"] = Rows(violations, ImportColumns.ViolationColumns, english);
        using var stream = new MemoryStream();
        MiniExcel.SaveAs(stream, sheets);
        return stream.ToArray();
    }

    private static List<Dictionary<string, object?>> Rows(IEnumerable<Dictionary<Col, object?>> rows, Col[] columns, bool english)
    {
        var list = rows.Select(r => columns.ToDictionary(c => H(c, english), c => r.GetValueOrDefault(c))).ToList();
        return list.Count > 0 ? list : [columns.ToDictionary(c => H(c, english), _ => (object?)null)];
    }

    public static byte[] Csv(IEnumerable<Dictionary<Col, object?>> cases)
    {
        var text = new StringBuilder();
        text.AppendLine(string.Join(',', ImportColumns.CaseColumns.Select(c => Quote(H(c)))));
        foreach (var row in cases) text.AppendLine(string.Join(',', ImportColumns.CaseColumns.Select(c => Quote(row.GetValueOrDefault(c)?.ToString() ?? ""))));
        return [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(text.ToString())];
    }

    private static string Quote(string s) => "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>Puts a formula into one cell of the first sheet (MiniExcel writes values only).</summary>
    public static byte[] WithFormula(byte[] xlsx, string cell)
    {
        using var stream = new MemoryStream();
        stream.Write(xlsx);
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Update, leaveOpen: true))
        {
            var entry = zip.GetEntry("xl/worksheets/sheet1.xml")!;
            string xml;
            using (var reader = new StreamReader(entry.Open())) xml = reader.ReadToEnd();
            var at = xml.IndexOf($"r=\"{cell}\"", StringComparison.Ordinal);
            at.ShouldBeGreaterThan(0, $"cell {cell} in the sheet");
            var close = xml.IndexOf('>', at);
            var prefix = xml.Contains("<x:c ", StringComparison.Ordinal) ? "x:" : "";
            xml = xml[..(close + 1)] + $"<{prefix}f>1+1</{prefix}f>" + xml[(close + 1)..];
            entry.Delete();
            var fresh = zip.CreateEntry("xl/worksheets/sheet1.xml");
            using var writer = new StreamWriter(fresh.Open());
            writer.Write(xml);
        }

        return stream.ToArray();
    }

    public static async Task<ApiResponse> Upload(IAlbaHost host, Api api, byte[] content, string fileName, bool dryRun, string? cookie = null)
    {
        using var client = host.Server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/imports?dryRun={(dryRun ? "true" : "false")}");
        request.Headers.Authorization = api.Authorization;
        if (cookie is not null) request.Headers.Add("Cookie", cookie);
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(content);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "file", fileName);
        request.Content = form;
        var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var json = response.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.Ordinal) == true && text.Length > 0
            ? JsonDocument.Parse(text).RootElement.Clone()
            : default;
        return new ApiResponse((int)response.StatusCode, json, response) { Text = text };
    }

    public const string EnglishCookie = ".AspNetCore.Culture=c%3Den-GB%7Cuic%3Den-GB";

    public static async Task<string> WardCodeAsync(AppFixture app, Guid wardId, string tenant = "demo")
    {
        await using var session = app.Store.QuerySession(tenant);
        return (await session.LoadAsync<Ward>(wardId))!.Code;
    }

    public static async Task<string> OrganisationNameAsync(AppFixture app, Guid id, string tenant = "demo")
    {
        await using var session = app.Store.QuerySession(tenant);
        return (await session.LoadAsync<Organisation>(id))!.Name;
    }
}
