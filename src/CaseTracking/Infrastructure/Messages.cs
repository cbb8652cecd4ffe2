using System.Globalization;
using System.Resources;
using FluentValidation;
using FluentValidation.Resources;

namespace CaseTracking.Infrastructure;

/// <summary>
/// Validation messages in the request's language, from the UI's resources (<c>Web/SharedResource*.resx</c>): our
/// own rules' texts (<c>Validation.&lt;key&gt;</c>) and our wording of FluentValidation's built-in rules
/// (<c>Validation.Rule.&lt;validator&gt;</c>), which replaces its stiff Vietnamese.
/// </summary>
public static class Messages
{
    private static readonly ResourceManager Resources = new("CaseTracking.Web.SharedResource", typeof(Messages).Assembly);

    public static string Text(string key) =>
        Resources.GetString("Validation." + key, CultureInfo.CurrentUICulture) ?? throw new InvalidOperationException($"No text Validation.{key}");

    /// <summary>Our arguments filled in; FluentValidation's own placeholders ({PropertyName}) are left for it.</summary>
    public static string Format(string key, params object[] args) =>
        string.Format(CultureInfo.CurrentCulture, Text(key).Replace("{PropertyName}", "{{PropertyName}}", StringComparison.Ordinal), args);

    /// <summary>
    /// FluentValidation speaks through these texts, and names a field as the client sends it (camelCase). Global, as
    /// FluentValidation's options are: set once at start-up (and by tests that validate without the app).
    /// </summary>
    public static void ConfigureValidation()
    {
        if (ValidatorOptions.Global.LanguageManager is not ResourceLanguageManager)
            ValidatorOptions.Global.LanguageManager = new ResourceLanguageManager();
        ValidatorOptions.Global.DisplayNameResolver = (_, member, _) =>
            member is null ? null : char.ToLowerInvariant(member.Name[0]) + member.Name[1..];
    }

    /// <summary>Built-in rules' messages from the resources first; FluentValidation's own for a rule we have not worded.</summary>
    private sealed class ResourceLanguageManager : LanguageManager
    {
        public override string GetString(string key, CultureInfo? culture = null) =>
            Resources.GetString("Validation.Rule." + key, culture ?? CultureInfo.CurrentUICulture) ?? base.GetString(key, culture);
    }
}
