using System.Globalization;
using System.Resources;

namespace CaseTracking.Infrastructure;

/// <summary>
/// Validation messages of our own rules, from the UI's resources (<c>Web/SharedResource*.resx</c>), in the request's
/// language: FluentValidation's built-in messages come translated, ours must too.
/// </summary>
public static class Messages
{
    private static readonly ResourceManager Resources = new("CaseTracking.Web.SharedResource", typeof(Messages).Assembly);

    public static string Text(string key) =>
        Resources.GetString("Validation." + key, CultureInfo.CurrentUICulture) ?? throw new InvalidOperationException($"No text Validation.{key}");

    /// <summary>Our arguments filled in; FluentValidation's own placeholders ({PropertyName}) are left for it.</summary>
    public static string Format(string key, params object[] args) =>
        string.Format(CultureInfo.CurrentCulture, Text(key).Replace("{PropertyName}", "{{PropertyName}}", StringComparison.Ordinal), args);
}
