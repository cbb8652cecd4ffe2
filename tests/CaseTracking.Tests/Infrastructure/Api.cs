using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Alba;
using CaseTracking.Infrastructure;

namespace CaseTracking.Tests.Infrastructure;

/// <summary>A response as tests look at it: status, JSON body, headers.</summary>
public sealed record ApiResponse(int Status, JsonElement Body, HttpResponseMessage Raw)
{
    public string Text { get; init; } = "";

    public string? ETag => Raw.Headers.ETag?.Tag;

    public string Code => Body.TryGetProperty("code", out var c) ? c.GetString() ?? "" : "";

    public IReadOnlyCollection<string> ErrorFields =>
        Body.TryGetProperty("errors", out var e) ? [.. e.EnumerateObject().Select(p => p.Name)] : [];

    public Guid Id(string property) => Body.GetProperty(property).GetGuid();

    public long Version => Body.GetProperty("version").GetInt64();

    public T As<T>() => Body.Deserialize<T>(Json.Options)!;

    public override string ToString() => $"{Status} {(Body.ValueKind == JsonValueKind.Undefined ? Text : Body.ToString())}";
}

/// <summary>Real HTTP through the in-memory server of the Alba host, as a given user.</summary>
public sealed class Api(IAlbaHost host, string? token)
{
    public AuthenticationHeaderValue? Authorization => token is null ? null : new("Bearer", token);

    public async Task<ApiResponse> Send(HttpMethod method, string url, object? body = null, string? rawJson = null,
        IDictionary<string, string>? headers = null)
    {
        using var client = host.Server.CreateClient();
        using var request = new HttpRequestMessage(method, url);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        foreach (var (k, v) in headers ?? new Dictionary<string, string>()) request.Headers.TryAddWithoutValidation(k, v);
        if (rawJson is not null) request.Content = new StringContent(rawJson, Encoding.UTF8, "application/json");
        else if (body is not null) request.Content = JsonContent.Create(body, options: Json.Options);
        var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var isJson = response.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.Ordinal) == true;
        var json = string.IsNullOrWhiteSpace(text) || !isJson ? default : JsonDocument.Parse(text).RootElement.Clone();
        return new ApiResponse((int)response.StatusCode, json, response) { Text = text };
    }

    public Task<ApiResponse> Get(string url) => Send(HttpMethod.Get, url);

    public Task<ApiResponse> Post(string url, object? body, IDictionary<string, string>? headers = null) =>
        Send(HttpMethod.Post, url, body, headers: headers);

    public Task<ApiResponse> PostRaw(string url, string json) => Send(HttpMethod.Post, url, rawJson: json);

    public static async Task<string> TokenAsync(IAlbaHost host, string username, string password)
    {
        var response = await new Api(host, null).Post("/api/auth/token", new { username, password });
        if (response.Status != 200) throw new InvalidOperationException($"login of {username} failed: {response}");
        return response.Body.GetProperty("accessToken").GetString()!;
    }
}
