using System.Text.RegularExpressions;
using Shouldly;

namespace CaseTracking.Tests.Infrastructure;

/// <summary>Signing in as a browser does: the /login form, its antiforgery token and cookies.</summary>
public static partial class FormSignIn
{
    public static string AntiforgeryTokenOf(string html) => AntiforgeryToken().Match(html).Groups[1].Value;

    /// <summary>The cookies a response sets, as one Cookie header ("name=value; …").</summary>
    public static string CookiesOf(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var cookies) ? string.Join("; ", cookies.Select(c => c.Split(';')[0])) : "";

    /// <summary>A cookie jar in one line: later values of the same name win.</summary>
    public static string Merge(string earlier, string later)
    {
        var jar = new Dictionary<string, string>();
        foreach (var pair in (earlier + "; " + later).Split("; ", StringSplitOptions.RemoveEmptyEntries))
            jar[pair.Split('=')[0]] = pair;
        return string.Join("; ", jar.Values);
    }

    /// <summary>Signs in through the form; the cookies returned (antiforgery and session) serve the pages' own forms.</summary>
    public static async Task<string> SignInAsync(HttpClient client, string username, string password)
    {
        var form = await client.GetAsync("/login");
        using var post = new HttpRequestMessage(HttpMethod.Post, "/login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["username"] = username, ["password"] = password,
                ["__RequestVerificationToken"] = AntiforgeryTokenOf(await form.Content.ReadAsStringAsync())
            })
        };
        post.Headers.Add("Cookie", CookiesOf(form));
        var signedIn = await client.SendAsync(post);
        ((int)signedIn.StatusCode).ShouldBe(302, await signedIn.Content.ReadAsStringAsync());
        return Merge(CookiesOf(form), CookiesOf(signedIn));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}
