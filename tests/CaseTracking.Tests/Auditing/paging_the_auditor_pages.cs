using System.Text.RegularExpressions;
using CaseTracking.Tests.Infrastructure;

namespace CaseTracking.Tests.Auditing;

/// <summary>
/// The auditor's case list and the admin trail are paged with <c>?p=</c>: Razor Pages keeps "page" as its own route
/// value, so a property bound to "page" never saw the number and every "next" link showed the first page again.
/// </summary>
[Collection(AppCollection.Name)]
public sealed partial class paging_the_auditor_pages(AppFixture app) : IAsyncLifetime
{
    private TestProvince p = null!;

    public async Task InitializeAsync() => p = await TestProvince.CreateAsync(app);

    public Task DisposeAsync() => Task.CompletedTask;

    [GeneratedRegex("<a href=\"/cases/([0-9a-f-]{36})\"")]
    private static partial Regex CaseLink();

    [GeneratedRegex("data-testid=\"pager-next\"")]
    private static partial Regex NextLink();

    /// <summary>The rows of the table's body.</summary>
    private static int Rows(string html) => html[html.IndexOf("<tbody>", StringComparison.Ordinal)..html.IndexOf("</tbody>", StringComparison.Ordinal)]
        .Split("<tr", StringSplitOptions.None).Length - 1;

    private async Task<string> Html(string url)
    {
        var response = await p.Auditor.Api.Get(url);
        response.Status.ShouldBe(200, $"{url}: {response.Text[..Math.Min(300, response.Text.Length)]}");
        return response.Text;
    }

    [Fact]
    public async Task page_two_of_the_case_list_shows_the_cases_after_the_first_fifty()
    {
        // The province holds other tests' cases too: open enough for a second page whatever is there.
        var cases = CaseLink().Matches(await Html("/audit")).Count;
        for (var i = cases; i <= 50; i++) await p.OpenCaseAsync();

        var first = await Html("/audit");
        var second = await Html("/audit?p=2");
        var onFirst = CaseLink().Matches(first).Select(m => m.Groups[1].Value).ToHashSet();
        var onSecond = CaseLink().Matches(second).Select(m => m.Groups[1].Value).ToHashSet();
        onFirst.Count.ShouldBe(50);
        NextLink().IsMatch(first).ShouldBeTrue("page 1 links to page 2");
        onSecond.ShouldNotBeEmpty();
        onSecond.Overlaps(onFirst).ShouldBeFalse("page 2 shows other cases than page 1");
        second.ShouldContain("data-testid=\"pager-prev\"");
        first.ShouldContain("/audit?p=2", Case.Sensitive, "the next link carries the page as p");
    }

    [Fact]
    public async Task page_two_of_the_admin_trail_shows_the_older_entries()
    {
        // A reset asked and withdrawn: two lines each, enough for more than one page of 100.
        for (var i = 0; i < 51; i++)
        {
            var asked = await p.Admin.Post($"/api/admin/users/{p.ReviewerA.Id}/password", null);
            asked.Status.ShouldBe(202, asked.ToString());
            (await p.Admin.Post($"/api/admin/requests/{asked.Id("requestId")}/reject", new { reason = "Thử phân trang" })).Status.ShouldBe(200);
        }

        var first = await Html("/audit/admin");
        var second = await Html("/audit/admin?p=2");
        Rows(first).ShouldBe(100);
        first.ShouldContain("/audit/admin?p=2");
        var rowsOnSecond = Rows(second);
        rowsOnSecond.ShouldBeGreaterThan(0);
        // The entries differ: the second page starts where the first ended (newest first, so older times or ids).
        first.ShouldNotBe(second);
        second.ShouldContain("data-testid=\"pager-prev\"");
    }

    [Theory]
    [InlineData("/audit?p=0")]
    [InlineData("/audit?p=-1")]
    [InlineData("/audit?p=2147483647")]
    [InlineData("/audit?p=99999999999")]
    [InlineData("/audit?p=abc")]
    [InlineData("/audit?q=%00")]
    [InlineData("/audit/admin?p=0")]
    [InlineData("/audit/admin?p=2147483647")]
    [InlineData("/audit/admin?p=zwei")]
    [InlineData("/audit/admin?alerts=maybe")]
    public async Task impossible_pages_are_refused_not_failed(string url)
    {
        var response = await p.Auditor.Api.Get(url);
        response.Status.ShouldBeOneOf(400, 404);
    }
}
