using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CaseTracking.Tests.Infrastructure;

namespace CaseTracking.Tests.Hardening;

/// <summary>
/// Every route the OpenAPI document lists, driven with what a stranger would send: NUL, long strings, dates at
/// year 1 and 9999, the zero id, huge numbers, wrong types, deep nesting. Nothing may answer 5xx.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class hostile_input_on_every_route(AppFixture app) : IAsyncLifetime
{
    private TestProvince p = null!;
    private Guid caseId;

    public async Task InitializeAsync()
    {
        p = await TestProvince.CreateAsync(app);
        caseId = await p.OpenAssignedCaseAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static readonly string[] HostileTexts =
    [
        "\u0000", "a\u0000b", "\u0007", new('x', 200_000), "9999-12-31", "0001-01-01", "9999-12", "0001-05", "00000000-0000-0000-0000-000000000000",
        "2147483647", "-2147483648", "99", "99999999999999999999", "-1", "0", "NaN", "not-a-value", "'; drop table x; --", "\ud800"
    ];

    private static readonly JsonNode?[] HostileValues =
    [
        JsonValue.Create("\u0000"), JsonValue.Create(new string('x', 200_000)), JsonValue.Create("9999-12-31"), JsonValue.Create("0001-01-01"),
        JsonValue.Create("00000000-0000-0000-0000-000000000000"), JsonValue.Create(2147483648L), JsonValue.Create(-1), JsonValue.Create(1e308),
        JsonValue.Create(true), null, new JsonArray(), new JsonObject(), JsonValue.Create("x"), JsonValue.Create(99)
    ];

    private static readonly string[] HostileBodies =
    [
        "", "null", "[]", "\"x\"", "42", "{", "{\"a\":" + new string('[', 5000) + new string(']', 5000) + "}",
        new string('[', 100_000), "{\"x\":\"" + new string('y', 1_100_000) + "\"}", "\u0000"
    ];

    [Fact]
    public async Task no_route_answers_5xx_to_hostile_input()
    {
        var document = await OpenApiAsync();
        var failures = new List<string>();
        var requests = 0;

        foreach (var (path, methods) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in methods!.AsObject())
            {
                var api = ApiFor(path);
                var parameters = operation!["parameters"]?.AsArray().Select(x => x!).ToList() ?? [];
                var queryNames = parameters.Where(x => (string?)x["in"] == "query").Select(x => (string)x["name"]!).ToList();
                var baseUrl = Fill(path, caseId.ToString());

                async Task Try(string url, string? body = null, byte[]? raw = null)
                {
                    requests++;
                    var response = await Send(api, method, url, body, raw);
                    if (response.Status >= 500) failures.Add($"{method.ToUpperInvariant()} {Short(url)} body={Short(body ?? "")} -> {response.Status} {Short(response.Text)}");
                }

                // Path values: the zero id, not an id, encoded NUL, very long.
                if (path.Contains('{'))
                    foreach (var value in new[] { "00000000-0000-0000-0000-000000000000", "not-an-id", "%2500", new string('9', 2000), Guid.NewGuid().ToString() })
                        await Try(Fill(path, value), method == "post" ? BaseBody(path)?.ToJsonString() ?? "{}" : null);

                // Query values, one at a time.
                foreach (var name in queryNames)
                    foreach (var value in HostileTexts)
                        await Try($"{baseUrl}?{name}={Uri.EscapeDataString(value)}");

                if (method != "post") continue;
                var body = BaseBody(path) ?? new JsonObject();
                var properties = operation["requestBody"]?["content"]?["application/json"]?["schema"] is { } schema
                    ? PropertyNames(document, schema)
                    : [];
                foreach (var name in properties.Union(body.AsObject().Select(x => x.Key)).Distinct())
                    foreach (var value in HostileValues)
                    {
                        var mutated = body.DeepClone().AsObject();
                        mutated[name] = value?.DeepClone();
                        await Try(baseUrl, mutated.ToJsonString());
                    }

                foreach (var raw in HostileBodies) await Try(baseUrl, raw);
                await Try(baseUrl, raw: [0xff, 0xfe, 0x00, 0x7b]); // not UTF-8
            }
        }

        requests.ShouldBeGreaterThan(1000, "the document lists the routes, and each gets many hostile requests");
        failures.ShouldBeEmpty($"{failures.Count} of {requests} requests answered 5xx:\n{string.Join("\n", failures.Take(40))}");
    }

    [Fact]
    public async Task the_openapi_document_describes_the_body_of_every_write()
    {
        var document = await OpenApiAsync();
        var missing = new List<string>();
        foreach (var (path, methods) in document["paths"]!.AsObject())
            // Deactivation, approval and a reset take no body: the route says it all.
            if (methods!["post"] is { } post && post["requestBody"] is null
                && !(path.EndsWith("/deactivate", StringComparison.Ordinal) || path.EndsWith("/approve", StringComparison.Ordinal) && path.Contains("/admin/", StringComparison.Ordinal)
                     || path.EndsWith("{userId}/password", StringComparison.Ordinal)))
                missing.Add(path);
        missing.ShouldBeEmpty();
        document["paths"]!["/api/cases/{caseId}/reviews"]!["post"]!["requestBody"]!["content"]!["application/json"].ShouldNotBeNull();
    }

    [Fact]
    public async Task a_body_over_the_limit_is_refused_with_413_and_appends_nothing()
    {
        var response = await p.ReviewerA.Api.PostRaw($"/api/cases/{caseId}/reviews",
            $$"""{"period":"2026-05","heldOn":"2026-05-20","rating":"Good","summary":"{{new string('x', 400_000)}}"}""");
        response.Status.ShouldBe(413, response.ToString());
        response.Code.ShouldBe("request.too-large");
        (await app.EventsOf(caseId)).Count.ShouldBe(2);
    }

    [Fact]
    public async Task a_nul_character_is_a_400_naming_the_field()
    {
        var response = await p.ReviewerA.Api.PostRaw($"/api/cases/{caseId}/reviews",
            """{"period":"2026-05","heldOn":"2026-05-20","rating":"Good","summary":"a\u0000b"}""");
        response.Status.ShouldBe(400, response.ToString());
        response.ErrorFields.ShouldBe(["summary"]);

        var signIn = await new Api(app.Host, null).PostRaw("/api/auth/token", """{"username":"a\u0000","password":"x"}""");
        signIn.Status.ShouldBe(400, signIn.ToString());

        var search = await p.SupervisorA.Api.Get("/api/people?q=ab%00");
        search.Status.ShouldBe(400, search.ToString());
        search.ErrorFields.ShouldBe(["q"]);
    }

    [Theory]
    [InlineData("/api/statistics?to=9999-12", "to")]
    [InlineData("/api/statistics?to=0001-05", "to")]
    [InlineData("/api/statistics.csv?from=0001-01&to=2026-01", "from")]
    [InlineData("/api/cases?page=2147483647", "page")]
    [InlineData("/api/audit/access?page=2147483647", "page")]
    [InlineData("/api/caseload?groupBy=99", "groupBy")]
    [InlineData("/api/cases?kind=99", "kind")]
    public async Task a_query_value_beyond_any_sense_is_a_400_naming_it(string url, string field)
    {
        var api = url.StartsWith("/api/audit", StringComparison.Ordinal) ? p.Auditor.Api : p.SupervisorA.Api;
        var response = await api.Get(url);
        response.Status.ShouldBe(400, response.ToString());
        response.ErrorFields.ShouldContain(field);
    }

    [Fact]
    public async Task the_zero_id_is_not_found_on_every_case_write()
    {
        foreach (var route in new[] { "assignment", "violations", "term", "release/recommend", "release/approve", "release/reject", "release/withdraw", "transfer", "revoke", "close" })
        {
            var response = await p.SupervisorA.Api.Post($"/api/cases/{Guid.Empty}/{route}", BaseBody("/api/cases/{caseId}/" + route));
            response.Status.ShouldBe(404, $"{route}: {response}");
        }
    }

    private Api ApiFor(string path) =>
        path.StartsWith("/api/admin", StringComparison.Ordinal) ? p.Admin
        : path.StartsWith("/api/audit", StringComparison.Ordinal) || path.EndsWith("/export", StringComparison.Ordinal) ? p.Auditor.Api
        : path.EndsWith("/reviews", StringComparison.Ordinal) || path.EndsWith("/progress", StringComparison.Ordinal) ? p.ReviewerA.Api
        : p.SupervisorA.Api;

    /// <summary>A body that would be accepted, so that each hostile field reaches the decision behind the validator.</summary>
    private JsonObject? BaseBody(string path)
    {
        object? body = path switch
        {
            "/api/cases" => p.OpenCaseBody(Guid.NewGuid(), new DateOnly(2025, 6, 1), new DateOnly(2027, 5, 31)),
            "/api/people" => new { fullName = "Nguyễn Văn An", dateOfBirth = "1990-01-01", nationalId = "001090012345", address = "1 Lê Lợi", wardId = p.WardA },
            "/api/auth/token" => new { username = "nobody", password = "wrong-password" },
            _ when path.EndsWith("/reviews", StringComparison.Ordinal) => TestProvince.Review("2026-05"),
            _ when path.EndsWith("/assignment", StringComparison.Ordinal) => p.AssignBody(),
            _ when path.EndsWith("/progress", StringComparison.Ordinal) => new { area = "Employment", direction = "Improved", note = "x", recordedOn = "2026-06-01" },
            _ when path.EndsWith("/violations", StringComparison.Ordinal) => new { severity = "Minor", description = "x", occurredOn = "2026-06-01" },
            _ when path.EndsWith("/term", StringComparison.Ordinal) => new { newEndsOn = "2027-08-31", decisionNumber = "1/QĐ", reason = "Extended" },
            _ when path.EndsWith("/recommend", StringComparison.Ordinal) => new { grounds = "EarlyForProgress", note = "x" },
            _ when path.EndsWith("/approve", StringComparison.Ordinal) => new { decisionNumber = "1/QĐ", effectiveOn = "2026-06-15" },
            _ when path.EndsWith("/transfer", StringComparison.Ordinal) => new { toWardId = p.WardB, reason = "x" },
            _ when path.EndsWith("/revoke", StringComparison.Ordinal) => new { decisionNumber = "1/QĐ", reason = "x" },
            _ when path.EndsWith("/close", StringComparison.Ordinal) => new { reason = "Other", note = "x" },
            _ when path.EndsWith("/reject", StringComparison.Ordinal) || path.EndsWith("/withdraw", StringComparison.Ordinal) => new { reason = "x" },
            _ => null
        };
        return body is null ? null : JsonSerializer.SerializeToNode(body, CaseTracking.Infrastructure.Json.Options)!.AsObject();
    }

    private static IEnumerable<string> PropertyNames(JsonNode document, JsonNode schema)
    {
        if (schema["$ref"] is { } reference)
        {
            var name = ((string)reference!).Split('/').Last();
            schema = document["components"]!["schemas"]![name]!;
        }

        return schema["properties"]?.AsObject().Select(x => x.Key) ?? [];
    }

    private static string Fill(string path, string value) =>
        System.Text.RegularExpressions.Regex.Replace(path, "{[^}]+}", value);

    private async Task<JsonNode> OpenApiAsync()
    {
        var response = await new Api(app.Host, null).Get("/openapi/v1.json");
        response.Status.ShouldBe(200);
        return JsonNode.Parse(response.Text)!;
    }

    private async Task<ApiResponse> Send(Api api, string method, string url, string? body, byte[]? raw)
    {
        using var client = app.Host.Server.CreateClient();
        using var request = new HttpRequestMessage(new HttpMethod(method.ToUpperInvariant()), url);
        request.Headers.Authorization = api.Authorization;
        if (raw is not null) request.Content = new ByteArrayContent(raw) { Headers = { ContentType = new("application/json") } };
        else if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new ApiResponse((int)response.StatusCode, default, response) { Text = text };
    }

    private static string Short(string s) => s.Length > 120 ? s[..120] + "…" : s.Replace("\u0000", "\\0", StringComparison.Ordinal);
}
