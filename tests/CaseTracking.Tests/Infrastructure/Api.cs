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

    /// <summary>Replaces a (one-time) password, as a user must after a new account or a reset; returns the new token.</summary>
    public static async Task<string> ChangePasswordAsync(IAlbaHost host, string username, string current, string next)
    {
        var response = await new Api(host, null).Post("/api/auth/password", new { username, currentPassword = current, newPassword = next });
        if (response.Status != 200) throw new InvalidOperationException($"password change of {username} failed: {response}");
        return response.Body.GetProperty("accessToken").GetString()!;
    }

    /// <summary>
    /// A user as the admin API makes one under separation of duties: <paramref name="admin"/> asks, the second
    /// admin approves and gets the one-time password, and the user replaces it with <paramref name="password"/>.
    /// </summary>
    public static async Task<(Guid UserId, Api Api)> CreateUserAsync(IAlbaHost host, Api admin, Api approver, object body, string password)
    {
        var asked = await admin.Post("/api/admin/users", body);
        if (asked.Status != 202) throw new InvalidOperationException($"user request: {asked}");
        var approved = await approver.Post($"/api/admin/requests/{asked.Id("requestId")}/approve", null);
        if (approved.Status != 200) throw new InvalidOperationException($"approval: {approved}");
        var username = approved.Body.GetProperty("username").GetString()!;
        var token = await ChangePasswordAsync(host, username, approved.Body.GetProperty("oneTimePassword").GetString()!, password);
        return (approved.Id("userId"), new Api(host, token));
    }
}
