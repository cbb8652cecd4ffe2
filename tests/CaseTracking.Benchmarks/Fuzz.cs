using System.Text;
using Spectre.Console;

namespace CaseTracking.Benchmarks;

/// <summary>
/// A burst of hostile requests like the issue-13 probe (20 MB bodies, 1 MB strings, NUL, deep nesting, bodies with no
/// length), then the app's resident set measured again once the burst is over: <c>fuzz_rss_growth_mb</c>.
/// </summary>
public static class Fuzz
{
    public static async Task BurstAsync(AppProcess app, Figures results)
    {
        AnsiConsole.MarkupLine("[bold]fuzz[/] burst of hostile requests");
        await Task.Delay(2000);
        var before = app.RssMb();
        var big = new string('x', 20 * 1024 * 1024);
        var megaString = $$"""{"username":"{{new string('a', 1024 * 1024)}}","password":"x"}""";
        string[] bodies =
        [
            big, megaString, """{"username":"a\u0000b","password":"x"}""", new string('[', 100_000),
            "{\"a\":" + new string('[', 5000) + new string(']', 5000) + "}"
        ];
        string[] routes = ["/api/auth/token", "/api/cases", "/api/people", $"/api/cases/{Guid.Empty}/reviews"];
        var statuses = new Dictionary<int, int>();
        var sent = 0;
        var failures = 0;
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 16 }) { BaseAddress = app.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        await Parallel.ForAsync(0, 800, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            var body = bodies[i % bodies.Length];
            using var request = new HttpRequestMessage(HttpMethod.Post, routes[i / bodies.Length % routes.Length]);
            // Every other one without Content-Length (chunked): the limit must hold while reading, not only from the header.
            HttpContent content = i % 2 == 0
                ? new StringContent(body, Encoding.UTF8, "application/json")
                : new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(body)));
            content.Headers.ContentType = new("application/json");
            request.Content = content;
            if (i % 2 == 1) request.Headers.TransferEncodingChunked = true;
            try
            {
                using var response = await http.SendAsync(request, ct);
                lock (statuses) statuses[(int)response.StatusCode] = statuses.GetValueOrDefault((int)response.StatusCode) + 1;
            }
            catch (HttpRequestException)
            {
                // The server may close a connection after refusing an over-long body: that is an answer, not a failure.
                Interlocked.Increment(ref failures);
            }

            Interlocked.Increment(ref sent);
        });
        await Task.Delay(5000);
        var after = app.RssMb();
        AnsiConsole.MarkupLine($"  {sent} requests; statuses {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}"))}; {failures} closed");
        results.Set("fuzz_5xx", statuses.Where(s => s.Key >= 500).Sum(s => s.Value));
        results.Set("fuzz_rss_before_mb", before);
        results.Set("fuzz_rss_after_mb", after);
        results.Set("fuzz_rss_growth_mb", after - before);
    }
}
