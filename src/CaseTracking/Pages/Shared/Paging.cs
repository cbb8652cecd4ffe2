using System.Globalization;
using CaseTracking.Infrastructure;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.WebUtilities;

namespace CaseTracking.Pages.Shared;

/// <summary>
/// One page of a long list (a province has thousands of users and access records): its number, size and the total,
/// and the links to the neighbouring pages that keep every other query value (the filters).
/// </summary>
public sealed record Paging(int Number, int Size, long Total, string Path, IReadOnlyDictionary<string, string?> Query)
{
    public const int DefaultSize = 50;

    public long Pages => Math.Max(1, (Total + Size - 1) / Size);

    public int Skip => (Number - 1) * Size;

    public long First => Total == 0 ? 0 : (long)Skip + 1;

    public long Last => Math.Min(Total, (long)Skip + Size);

    /// <summary>A page number the list cannot have: 1 … <see cref="QueryValues.MaxPage"/>, so the offset cannot overflow.</summary>
    public static bool Valid(int? page) => page is null or (>= 1 and <= QueryValues.MaxPage);

    /// <summary>The page number's query name: "page" is taken by Razor Pages' own route value.</summary>
    public const string Key = "p";

    public string Link(long page) => page > 1 ? With([Key], (Key, page.ToString(CultureInfo.InvariantCulture))) : With([Key]);

    /// <summary>This list's address with its filters, less the <paramref name="drop"/>ped values, plus <paramref name="add"/>.</summary>
    public string With(string[] drop, params (string Key, string Value)[] add)
    {
        var query = new QueryBuilder();
        foreach (var (key, value) in Query)
            if (!string.IsNullOrEmpty(value) && !drop.Contains(key, StringComparer.OrdinalIgnoreCase) && key != "handler") query.Add(key, value);
        foreach (var (key, value) in add) query.Add(key, value);
        return Path + query.ToQueryString();
    }

    /// <summary>The request's own query values, for the page links.</summary>
    public static Dictionary<string, string?> QueryOf(HttpRequest request) =>
        QueryHelpers.ParseQuery(request.QueryString.Value).ToDictionary(kv => kv.Key, kv => (string?)kv.Value.ToString());
}
