using System.IO.Compression;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CaseTracking.Browser.Infrastructure;
using CaseTracking.Tests.Infrastructure;
using Microsoft.Playwright;
using Npgsql;

namespace CaseTracking.Browser;

/// <summary>
/// Issue 17, the volunteer whose connection comes and goes: drafts, the outbox, conflicts and the wipe, with Playwright's
/// offline mode (<c>SetOfflineAsync</c>). Each test opens its own case so that no other test's review gets in the way.
/// </summary>
[Collection(UiCollection.Name)]
public sealed class offline_reviews(UiFixture ui)
{
    private const string Colleague = "giupdo2"; // the second reviewer of organisation A (UiFixture)

    [Fact]
    public async Task a_review_typed_offline_survives_reload_and_reopen_and_is_sent_once_with_both_times()
    {
        var caseId = await OpenAssignedCaseAsync();
        var (context, page) = await ReviewerOnCaseAsync(caseId);

        await context.SetOfflineAsync(true);
        await page.ReloadAsync();
        await page.Locator("[data-testid=offline]").WaitForAsync();
        (await page.Locator("#review-summary").CountAsync()).ShouldBe(1, "the case page comes from the phone's copy");

        // Typed with no connection: a draft, back after a reload.
        const string summary = "Gặp tại nhà, anh ấy đã đi làm phụ hồ được hai tuần.";
        await page.ClickAsync("[data-testid=rating-Good]");
        await page.FillAsync("#review-summary", summary);
        await page.Locator("[data-testid=draft-review]").WaitForAsync();
        await DraftKeptAsync(page, summary);
        await page.ReloadAsync();
        await page.Locator("[data-testid=draft-review]").WaitForAsync();
        (await page.InputValueAsync("#review-summary")).ShouldBe(summary, "the draft is put back after a reload");
        (await page.IsCheckedAsync("#rating-Good")).ShouldBeTrue();
        (await page.Locator("[data-testid=draft-review]").InnerTextAsync()).ShouldContain("Bản nháp");

        // Saved offline: waiting in the outbox, on the case and on "Hồ sơ của tôi", also after the tab is closed.
        await page.ClickAsync("[data-testid=review-submit]");
        var item = page.Locator("[data-testid=outbox-item]");
        (await item.InnerTextAsync()).ShouldContain("Chờ gửi");
        await page.CloseAsync();
        page = await context.NewPageAsync();
        await page.GotoAsync("/my-cases");
        (await page.Locator($"[data-case-id='{caseId}'] [data-testid=queued-badge]").InnerTextAsync()).ShouldBe("Chờ gửi");
        (await page.Locator("[data-testid=outbox] [data-testid=outbox-item]").CountAsync()).ShouldBe(1);
        await page.GotoAsync($"/cases/{caseId}");
        await page.Locator("[data-testid=outbox-item]").WaitForAsync();
        (await page.Locator("[data-testid=outbox-item]").CountAsync()).ShouldBe(1);
        (await ReviewsAsync(caseId)).ShouldBeEmpty("nothing reached the server while offline");

        // The connection returns: sent by itself, once, with the time it was captured and the time it was received.
        await context.SetOfflineAsync(false);
        await page.Locator("[data-testid=outbox-item]").WaitForAsync(new() { State = WaitForSelectorState.Detached });
        var reviews = await ReviewsAsync(caseId);
        reviews.Count.ShouldBe(1);
        reviews[0].Summary.ShouldBe(summary);
        reviews[0].CapturedAt.ShouldNotBeNull("the event keeps when it was saved on the phone");
        reviews[0].CapturedAt!.Value.ShouldBeLessThan(reviews[0].ReceivedAt, "captured before it was received");

        await page.GotoAsync($"/cases/{caseId}");
        (await page.Locator("[data-testid=captured-at]").InnerTextAsync()).ShouldContain("ghi trên điện thoại lúc");
        (await page.Locator("[data-testid=draft-review]").IsVisibleAsync()).ShouldBeFalse("sent: no longer a draft");
        await ui.ScreenshotAsync(page, "offline-review-sent-360");
        await context.CloseAsync();
    }

    [Fact]
    public async Task a_review_whose_answer_was_lost_after_the_server_saved_it_is_sent_again_and_logged_once()
    {
        var caseId = await OpenAssignedCaseAsync();
        var (context, page) = await ReviewerOnCaseAsync(caseId);

        // The first answer never arrives: the server saved the review, the phone saw the connection drop.
        var posts = 0;
        var answerLost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await context.RouteAsync("**/api/cases/*/reviews", async route =>
        {
            Interlocked.Increment(ref posts);
            var saved = await route.FetchAsync();
            Console.WriteLine($"lost answer: {saved.Status} {await saved.TextAsync()}");
            await route.AbortAsync("connectionreset");
            answerLost.TrySetResult();
        });
        const string summary = "Đã gặp, gia đình cho biết chấp hành tốt.";
        await page.ClickAsync("[data-testid=rating-Fair]");
        await page.FillAsync("#review-summary", summary);
        await page.ClickAsync("[data-testid=review-submit]");
        await page.Locator("[data-testid=outbox-item][data-state=queued]").WaitForAsync();
        for (var i = 0; i < 50 && (await ReviewsAsync(caseId)).Count == 0; i++) await Task.Delay(100);
        (await ReviewsAsync(caseId)).Count.ShouldBe(1, "the server did save it");
        posts.ShouldBeGreaterThanOrEqualTo(1);
        (await page.Locator("[data-testid=outbox-item]").CountAsync()).ShouldBe(1, "the phone never heard so: still waiting");

        // The next visit, with answers getting through, sends it again with the same Idempotency-Key: the first answer
        // is replayed, nothing appended.
        // The page has heard of the lost answer before the next visit (a reload racing the aborted answer's handler
        // was itself aborted now and then: net::ERR_ABORTED in CI).
        await answerLost.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await context.UnrouteAllAsync(new() { Behavior = UnrouteBehavior.Wait });
        await page.ReloadAsync();
        await page.Locator("[data-testid=outbox-item]").WaitForAsync(new() { State = WaitForSelectorState.Detached });
        var reviews = await ReviewsAsync(caseId);
        reviews.Count.ShouldBe(1);
        reviews[0].Summary.ShouldBe(summary);
        await context.CloseAsync();
    }

    [Fact]
    public async Task a_month_a_colleague_logged_while_offline_is_shown_as_a_conflict_that_keeps_the_text()
    {
        var caseId = await OpenAssignedCaseAsync();
        var (context, page) = await ReviewerOnCaseAsync(caseId);
        var period = await page.InputValueAsync("#review-period");

        await context.SetOfflineAsync(true);
        const string summary = "Tôi gặp chị ấy ở chợ, chị nói đã xin được việc may.";
        await page.ClickAsync("[data-testid=rating-Good]");
        await page.FillAsync("#review-summary", summary);
        await page.ClickAsync("[data-testid=review-submit]");
        await page.Locator("[data-testid=outbox-item][data-state=queued]").WaitForAsync();

        // Meanwhile a colleague of the same organisation logs that month.
        var colleague = await TokenAsync(Colleague);
        await PostAsync(colleague, $"/api/cases/{caseId}/reviews",
            new { period, heldOn = DateOnly.FromDateTime(DateTime.Now), rating = "Fair", summary = "Đồng nghiệp ghi trước." }, 201);

        await context.SetOfflineAsync(false);
        var conflict = page.Locator("[data-testid=outbox-item][data-state=conflict]");
        await conflict.WaitForAsync();
        var problem = await conflict.Locator("[data-testid=outbox-problem]").InnerTextAsync();
        problem.ShouldContain("Tháng này đã có đánh giá");
        (await conflict.Locator("[data-testid=outbox-text]").InputValueAsync()).ShouldBe(summary, "the text is kept");
        (await conflict.Locator("[data-testid=outbox-copy]").CountAsync()).ShouldBe(1);
        (await conflict.Locator("[data-testid=outbox-discard]").CountAsync()).ShouldBe(1);
        await ui.ScreenshotAsync(page, "offline-review-conflict-360");
        (await ReviewsAsync(caseId)).Select(r => r.Summary).ShouldBe(["Đồng nghiệp ghi trước."], "the colleague's review is not overwritten");
        // Refused, it waits for the user: "Chưa gửi được", not "Chờ gửi" (which goes by itself), here and on the list.
        (await conflict.Locator("[data-testid=outbox-badge]").InnerTextAsync()).ShouldBe("Chưa gửi được");
        await page.GotoAsync("/my-cases");
        var badge = page.Locator($"[data-case-id='{caseId}'] [data-testid=queued-badge]");
        (await badge.InnerTextAsync()).ShouldBe("Chưa gửi được");
        (await badge.GetAttributeAsync("data-state")).ShouldBe("refused");
        await ui.ScreenshotAsync(page, "offline-my-cases-not-sent-360");
        await page.GotoAsync($"/cases/{caseId}");
        await conflict.WaitForAsync();

        // "Edit / pick another month": the text goes back into the form as a draft.
        await conflict.Locator("[data-testid=outbox-edit]").ClickAsync();
        await page.WaitForURLAsync($"**/cases/{caseId}#review-h");
        await page.Locator("[data-testid=draft-review]").WaitForAsync();
        (await page.InputValueAsync("#review-summary")).ShouldBe(summary);
        (await page.InputValueAsync("#review-period")).ShouldNotBe(period, "the form opens on a month that can still be saved");
        (await page.Locator("[data-testid=outbox-item]").CountAsync()).ShouldBe(0);
        await context.CloseAsync();
    }

    [Fact]
    public async Task signing_out_wipes_the_copy_kept_on_the_phone()
    {
        var caseId = await OpenAssignedCaseAsync();
        var (context, page) = await ReviewerOnCaseAsync(caseId);
        await page.FillAsync("#review-summary", "Nháp chưa gửi.");
        await page.Locator("[data-testid=draft-review]").WaitForAsync();
        (await StorageAsync(page)).ShouldNotBe("caches=0 idb=0 sw=0", "something is kept before signing out");

        await page.ClickAsync("header form[action='/logout'] button");
        await page.WaitForURLAsync("**/login");
        (await StorageAsync(page)).ShouldBe("caches=0 idb=0 sw=0");
        (await page.Locator("[data-testid=device-copy]").InnerTextAsync()).ShouldContain("giữ một bản sao");
        await context.CloseAsync();
    }

    [Fact]
    public async Task after_keep_days_without_the_server_the_phone_drops_its_pages_drafts_and_outbox_and_says_so()
    {
        var caseId = await OpenAssignedCaseAsync();
        var (context, page) = await ReviewerOnCaseAsync(caseId);
        await context.SetOfflineAsync(true);
        const string summary = "Bài viết lúc mất mạng, quá hạn giữ trên máy.";
        await page.ClickAsync("[data-testid=rating-Good]");
        await page.FillAsync("#review-summary", summary);
        await page.ClickAsync("[data-testid=review-submit]");
        await page.Locator("[data-testid=outbox-item][data-state=queued]").WaitForAsync();
        // And a second review begun: a draft.
        await page.FillAsync("#review-summary", "Nháp bài thứ hai.");
        await DraftKeptAsync(page, "Nháp bài thứ hai.");

        // The phone last had a page from the server eight days ago (KeepDays is 7).
        await page.EvaluateAsync("""
            () => new Promise(done => {
              const open = indexedDB.open('casetracking-offline');
              open.onsuccess = () => {
                const tx = open.result.transaction('meta', 'readwrite');
                tx.objectStore('meta').put(Date.now() - 8 * 864e5, 'lastOnline');
                tx.oncomplete = () => { open.result.close(); done(true); };
              };
            })
            """);
        await page.ReloadAsync();
        var expired = page.Locator("[data-testid=expired]");
        await expired.WaitForAsync();
        (await expired.InnerTextAsync()).ShouldContain("Đã quá 7 ngày");
        (await expired.InnerTextAsync()).ShouldContain("Có 2 bài chưa gửi đã bị xoá");
        (await page.Locator("[data-testid=outbox-item]").CountAsync()).ShouldBe(0);
        (await page.EvaluateAsync<string>("""
            () => new Promise(done => {
              const open = indexedDB.open('casetracking-offline');
              open.onsuccess = () => {
                const tx = open.result.transaction(['drafts', 'outbox']);
                const d = tx.objectStore('drafts').count(), o = tx.objectStore('outbox').count();
                tx.oncomplete = () => { open.result.close(); done(`drafts=${d.result} outbox=${o.result}`); };
              };
            })
            """)).ShouldBe("drafts=0 outbox=0");
        (await page.EvaluateAsync<int>("caches.open('ct-pages').then(c => c.keys()).then(k => k.length)")).ShouldBe(0);
        await ui.ScreenshotAsync(page, "offline-expired-360");

        // Back online: nothing old is sent.
        await context.SetOfflineAsync(false);
        await page.GotoAsync("/my-cases");
        await Task.Delay(1000);
        (await ReviewsAsync(caseId)).ShouldBeEmpty();
        await context.CloseAsync();
    }

    [Fact]
    public async Task a_captured_time_in_the_future_or_before_the_case_started_is_refused()
    {
        var caseId = await OpenAssignedCaseAsync();
        var reviewer = await TokenAsync(ui.ReviewerA.Username);
        var body = new { period = DateTime.Now.ToString("yyyy-MM"), heldOn = DateOnly.FromDateTime(DateTime.Now), rating = "Fair", summary = "Thử." };
        foreach (var at in new[] { DateTimeOffset.Now.AddHours(2), DateTimeOffset.Now.AddYears(-1), })
        {
            var problem = await PostAsync(reviewer, $"/api/cases/{caseId}/reviews", body, 400, ("X-Captured-At", at.ToString("O")));
            problem.GetProperty("errors").TryGetProperty("X-Captured-At", out _).ShouldBeTrue(problem.ToString());
        }

        (await ReviewsAsync(caseId)).ShouldBeEmpty();
    }

    [Fact]
    public async Task the_first_visit_of_a_reviewer_transfers_under_100_KB_compressed()
    {
        var context = await ui.Browser.NewContextAsync(new() { BaseURL = ui.BaseUrl, Locale = "vi-VN", ViewportSize = new() { Width = 360, Height = 740 } });
        // Bodies are read as they arrive (after the next navigation they are gone); the service worker's downloads included.
        var responses = new List<(string Url, Task<byte[]> Body)>();
        context.Response += (_, r) => { lock (responses) responses.Add((r.Url, r.Status is >= 300 and < 400 ? Task.FromResult(Array.Empty<byte>()) : r.BodyAsync())); };
        var page = await context.NewPageAsync();
        await page.GotoAsync("/login");
        await page.FillAsync("#username", ui.ReviewerA.Username);
        await page.FillAsync("#password", UiFixture.Password);
        await page.ClickAsync("main button[type=submit]");
        await page.WaitForURLAsync("**/my-cases");
        await page.EvaluateAsync("navigator.serviceWorker.ready");
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);

        var bodies = new List<(string Url, byte[] Body)>();
        foreach (var (url, body) in responses.ToList())
        {
            try { bodies.Add((url, await body)); }
            catch (PlaywrightException) { bodies.Add((url, [])); }
        }

        // The service worker's own downloads show up among the context's responses only sometimes: count them either way.
        using var http = new HttpClient { BaseAddress = new Uri(ui.BaseUrl) };
        foreach (var file in new[] { "/sw.js?days=7", "/lib/workbox/workbox-sw.js", "/lib/workbox/workbox-core.prod.js", "/lib/workbox/workbox-routing.prod.js", "/lib/workbox/workbox-strategies.prod.js" })
            if (!bodies.Any(b => b.Url.EndsWith(file, StringComparison.Ordinal) && b.Body.Length > 0)) bodies.Add((ui.BaseUrl + file, await http.GetByteArrayAsync(file)));
        // A file asked for again (the login page and "Hồ sơ của tôi" share css and scripts) comes from the browser's cache.
        var sizes = bodies.GroupBy(b => b.Url).Select(g => (Url: g.Key, Gzipped: g.Max(b => b.Body.Length == 0 ? 0 : Gzip(b.Body)))).ToList();
        sizes.Where(s => s.Gzipped == 0 && !s.Url.EndsWith('/') && !s.Url.EndsWith("/login", StringComparison.Ordinal) || s.Url.EndsWith("/my-cases", StringComparison.Ordinal) && s.Gzipped == 0)
            .ShouldBeEmpty("every body was read");
        var total = sizes.Sum(s => s.Gzipped);
        Console.WriteLine($"first visit: {total} bytes gzip in {sizes.Count} responses: " + string.Join(", ", sizes.Select(s => $"{s.Url.Replace(ui.BaseUrl, "")}={s.Gzipped}")));
        total.ShouldBeLessThan(100 * 1024);
        await context.CloseAsync();
    }

    private static int Gzip(byte[] body)
    {
        using var buffer = new MemoryStream();
        using (var gz = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true)) gz.Write(body);
        return (int)buffer.Length;
    }

    /// <summary>The reviewer on a phone-sized screen, with the case page in the phone's copy (the service worker controls it).</summary>
    private async Task<(IBrowserContext, IPage)> ReviewerOnCaseAsync(Guid caseId)
    {
        var page = await ui.SignInAsync(ui.ReviewerA.Username, width: 360, height: 740);
        page.Context.Console += (_, m) => Console.WriteLine($"console {m.Type}: {m.Text}");
        page.Context.WebError += (_, e) => Console.WriteLine($"page error: {e.Error}");
        await page.EvaluateAsync("navigator.serviceWorker.ready");
        await page.GotoAsync($"/cases/{caseId}");
        await page.WaitForFunctionAsync($"caches.open('ct-pages').then(c => c.match('/cases/{caseId}')).then(r => !!r)", null,
            new() { PollingInterval = 200 });
        return (page.Context, page);
    }

    /// <summary>Waits until the phone's IndexedDB holds a draft with <paramref name="text"/> (it is written as the user types).</summary>
    private static Task DraftKeptAsync(IPage page, string text) => page.WaitForFunctionAsync("""
        text => new Promise(done => {
          const open = indexedDB.open('casetracking-offline');
          open.onsuccess = () => {
            const all = open.result.transaction('drafts').objectStore('drafts').getAll();
            all.onsuccess = () => { open.result.close(); done(JSON.stringify(all.result).includes(text)); };
          };
        })
        """, text, new() { PollingInterval = 100 });

    /// <summary>What the page's origin keeps: Cache Storage names, IndexedDB databases, service workers.</summary>
    private static Task<string> StorageAsync(IPage page) => page.EvaluateAsync<string>("""
        (async () => `caches=${(await caches.keys()).length} idb=${(await indexedDB.databases()).length} sw=${(await navigator.serviceWorker.getRegistrations()).length}`)()
        """);

    private sealed record Review(string Summary, DateTimeOffset ReceivedAt, DateTimeOffset? CapturedAt);

    /// <summary>The case's ReviewLogged events as stored, with Marten's timestamp and the capturedAt header.</summary>
    private async Task<List<Review>> ReviewsAsync(Guid caseId)
    {
        await using var db = new NpgsqlConnection(TestDatabase.ConnectionString);
        await db.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            $"select data->>'summary', timestamp, headers->>'capturedAt' from {ui.Schema}.mt_events where stream_id = @id and type = 'review_logged' order by version", db);
        cmd.Parameters.AddWithValue("id", caseId);
        var list = new List<Review>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            list.Add(new Review(reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1),
                reader.IsDBNull(2) ? null : DateTimeOffset.Parse(reader.GetString(2), System.Globalization.CultureInfo.InvariantCulture)));
        return list;
    }

    /// <summary>A case of its own: opened three months ago in ward A, assigned to organisation A and reviewer A.</summary>
    private async Task<Guid> OpenAssignedCaseAsync()
    {
        var sup = await TokenAsync(ui.SupervisorA.Username);
        var today = DateOnly.FromDateTime(DateTime.Now);
        var person = (await PostAsync(sup, "/api/people", new
        {
            fullName = "Nguyễn Văn " + Guid.NewGuid().ToString("N")[..6], dateOfBirth = new DateOnly(1990, 5, 1),
            nationalId = "0" + Random.Shared.NextInt64(10_000_000_000, 99_999_999_999), address = "Thôn Đông, xã Đông Anh", wardId = ui.WardA
        }, 201)).GetProperty("personId").GetGuid();
        var caseId = (await PostAsync(sup, "/api/cases", new
        {
            personId = person, kind = "SuspendedSentence",
            legalBasis = new { decisionNumber = "12/2026/HS-ST", issuedBy = "Tòa án nhân dân huyện Đông Anh", issuedOn = today.AddMonths(-3).AddDays(-10) },
            startsOn = today.AddMonths(-3), endsOn = today.AddMonths(-3).AddYears(2), wardId = ui.WardA
        }, 201)).GetProperty("caseId").GetGuid();
        await PostAsync(sup, $"/api/cases/{caseId}/assignment",
            new { organisationId = ui.OrgA, mentorUserId = ui.ReviewerA.Id, supervisorUserId = ui.SupervisorA.Id, reason = "Phân công" }, 200);
        return caseId;
    }

    private async Task<string> TokenAsync(string username) =>
        (await PostAsync(null, "/api/auth/token", new { username, password = UiFixture.Password }, 200)).GetProperty("accessToken").GetString()!;

    private async Task<JsonElement> PostAsync(string? token, string url, object body, int expected, params (string, string)[] headers)
    {
        using var http = new HttpClient { BaseAddress = new Uri(ui.BaseUrl) };
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body) };
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        foreach (var (name, value) in headers) request.Headers.Add(name, value);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        ((int)response.StatusCode).ShouldBe(expected, $"POST {url}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
