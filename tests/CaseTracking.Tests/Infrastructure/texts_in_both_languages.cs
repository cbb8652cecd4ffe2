using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using CaseTracking.Cases;
using CaseTracking.Infrastructure;
using FluentValidation;
using Microsoft.Extensions.DependencyInjection;

namespace CaseTracking.Tests.Infrastructure;

/// <summary>
/// The resources (<c>Web/SharedResource.resx</c> Vietnamese, <c>.en.resx</c> English) are the one source of the text users
/// read: both languages hold the same keys, every rejection code and every validation message has Vietnamese words.
/// </summary>
public sealed partial class texts_in_both_languages
{
    private static readonly CultureInfo Vietnamese = new("vi-VN");
    private static readonly CultureInfo English = new("en-GB");

    private static Dictionary<string, string> Resx(string file) =>
        XDocument.Load(Path.Combine(Repository.Root, "src/CaseTracking/Web", file)).Root!.Elements("data")
            .ToDictionary(d => (string)d.Attribute("name")!, d => (string)d.Element("value")!);

    private static readonly Dictionary<string, string> Vi = Resx("SharedResource.resx");
    private static readonly Dictionary<string, string> En = Resx("SharedResource.en.resx");

    /// <summary>Vietnamese words carry diacritics; a sentence of plain ASCII letters is English left untranslated.</summary>
    private static bool ReadsAsVietnamese(string text) => Regex.Replace(text, "'[^']*'|\\{[^}]*\\}", "").Any(c => c > '\u007f');

    /// <summary>Our own source: not build output, not Wolverine's generated handlers (whose tags look like codes).</summary>
    private static IEnumerable<string> SourceFiles() =>
        Directory.EnumerateFiles(Path.Combine(Repository.Root, "src/CaseTracking"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !Path.GetRelativePath(Repository.Root, f).Split(Path.DirectorySeparatorChar)
                .Any(folder => folder is "obj" or "bin" or "Generated"));

    [GeneratedRegex("\"([a-z]+(?:-[a-z]+)*\\.[a-z]+(?:-[a-z]+)*)\"")]
    private static partial Regex CodeLiteral();

    [GeneratedRegex("NotInFuture\\([^;]*?\"([a-z-]+)\"\\)")]
    private static partial Regex InFuture();

    [GeneratedRegex("NotFound\\(\"([a-z-]+)\"\\)")]
    private static partial Regex NotFoundOf();

    [GeneratedRegex("Messages\\.(?:Text|Format)\\(\"([A-Za-z.]+)\"")]
    private static partial Regex MessageKey();

    /// <summary>Every code a refusal can carry: "area.rule" literals, and the codes built from a word.</summary>
    public static SortedSet<string> RejectionCodes()
    {
        var codes = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var text in SourceFiles().Select(File.ReadAllText))
        {
            codes.UnionWith(CodeLiteral().Matches(text).Select(m => m.Groups[1].Value));
            codes.UnionWith(InFuture().Matches(text).Select(m => m.Groups[1].Value + ".in-future"));
            codes.UnionWith(NotFoundOf().Matches(text).Select(m => m.Groups[1].Value + ".not-found"));
            if (text.Contains("Problems.NotFound()", StringComparison.Ordinal)) codes.Add("case.not-found");
        }

        // The one dotted literal of that shape that is not a code: the file name of the JWT signing key.
        codes.Remove("jwt-signing.key");
        codes.Remove("seal-digests.txt");
        return codes;
    }

    [Fact]
    public void the_vietnamese_and_english_resources_have_the_same_keys()
    {
        Vi.Keys.Except(En.Keys).ShouldBeEmpty("keys only in SharedResource.resx");
        En.Keys.Except(Vi.Keys).ShouldBeEmpty("keys only in SharedResource.en.resx");
        Vi.Where(kv => string.IsNullOrWhiteSpace(kv.Value)).Select(kv => kv.Key).ShouldBeEmpty("empty Vietnamese texts");
        En.Where(kv => string.IsNullOrWhiteSpace(kv.Value)).Select(kv => kv.Key).ShouldBeEmpty("empty English texts");
    }

    [Fact]
    public void every_rejection_code_has_a_text_in_both_languages()
    {
        var codes = RejectionCodes();
        codes.Count.ShouldBeGreaterThan(50, "the scan finds the codes");
        codes.ShouldContain("term.not-extended");
        codes.ShouldContain("review.in-future");
        codes.ShouldContain("user.not-found");
        codes.Where(c => !Vi.ContainsKey("Code." + c) && !Vi.ContainsKey("Import.Code." + c)).ShouldBeEmpty("codes without Vietnamese text");
        codes.Where(c => !En.ContainsKey("Code." + c) && !En.ContainsKey("Import.Code." + c)).ShouldBeEmpty("codes without English text");
        // The importer's codes read from "Import.Code.<code>" (their texts take the cell's value).
        string Key(string c) => Vi.ContainsKey("Code." + c) ? "Code." + c : "Import.Code." + c;
        codes.Where(c => !ReadsAsVietnamese(Vi[Key(c)]) || Vi[Key(c)] == En[Key(c)])
            .ShouldBeEmpty("codes whose Vietnamese text is not Vietnamese");
    }

    [Fact]
    public void every_message_of_our_own_rules_has_a_text_in_both_languages()
    {
        var keys = SourceFiles().SelectMany(f => MessageKey().Matches(File.ReadAllText(f)).Select(m => "Validation." + m.Groups[1].Value))
            .ToHashSet(StringComparer.Ordinal);
        keys.ShouldContain("Validation.NationalId.Digits");
        keys.Where(k => !Vi.ContainsKey(k) || !En.ContainsKey(k)).ShouldBeEmpty("message keys missing from a resource file");
        keys.Where(k => !ReadsAsVietnamese(Vi[k])).ShouldBeEmpty("message keys whose Vietnamese text is not Vietnamese");
    }

    [Fact]
    public void vietnamese_texts_are_worded_once()
    {
        Vi.Where(kv => kv.Value.Contains("kí tự", StringComparison.Ordinal)).Select(kv => kv.Key).ShouldBeEmpty("spelt “ký tự”");
        Vi.Where(kv => kv.Value.Contains('«') || kv.Value.Contains('»')).Select(kv => kv.Key).ShouldBeEmpty("quoted “ ”");
        // FluentValidation's own Vietnamese is replaced for every rule the app uses.
        foreach (var rule in new[] { "NotEmptyValidator", "NotNullValidator", "MaximumLengthValidator", "MinimumLengthValidator",
                     "RegularExpressionValidator", "EnumValidator", "EmptyValidator", "NotEqualValidator", "PredicateValidator" })
            Vi.ShouldContainKey("Validation.Rule." + rule);
    }

    /// <summary>The validators of every command, as the app registers them (FluentValidation's scan).</summary>
    private static (IServiceProvider Services, List<Type> Commands) Validators()
    {
        Messages.ConfigureValidation();
        var services = new ServiceCollection();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(new SupervisionKinds());
        services.AddSingleton(new AlertSettings());
        services.AddSingleton<CaseClock>();
        services.AddSingleton(new DateWindowSettings());
        services.AddSingleton<DateWindow>();
        services.AddValidatorsFromAssemblyContaining<Program>(ServiceLifetime.Singleton, includeInternalTypes: true);
        var commands = services.Where(d => d.ServiceType.IsGenericType && d.ServiceType.GetGenericTypeDefinition() == typeof(IValidator<>))
            .Select(d => d.ServiceType.GetGenericArguments()[0]).Distinct().ToList();
        return (services.BuildServiceProvider(), commands);
    }

    private static List<string> ErrorsOf(IServiceProvider services, Type command, object instance, CultureInfo culture)
    {
        var (ui, current) = (CultureInfo.CurrentUICulture, CultureInfo.CurrentCulture);
        CultureInfo.CurrentUICulture = CultureInfo.CurrentCulture = culture;
        try
        {
            var validator = (IValidator)services.GetRequiredService(typeof(IValidator<>).MakeGenericType(command));
            var context = (IValidationContext)Activator.CreateInstance(typeof(ValidationContext<>).MakeGenericType(command), instance)!;
            return [.. validator.Validate(context).Errors.Select(e => $"{e.PropertyName}: {e.ErrorMessage}")];
        }
        finally
        {
            (CultureInfo.CurrentUICulture, CultureInfo.CurrentCulture) = (ui, current);
        }
    }

    /// <summary>Every field wrong at once: text too long with a control character, dates at year 1, too many ids, empty ids.</summary>
    private static object Hostile(Type type)
    {
        if (type == typeof(string)) return "\u0001" + new string('x', 5000);
        if (type == typeof(DateOnly) || type == typeof(DateOnly?)) return DateOnly.MinValue;
        if (type == typeof(Guid) || type == typeof(Guid?)) return Guid.Empty;
        if (type == typeof(List<Guid>)) return Enumerable.Repeat(Guid.Empty, 501).ToList();
        var ctor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First();
        return ctor.Invoke([.. ctor.GetParameters().Select(p => IsOurs(p.ParameterType) ? Hostile(p.ParameterType) : Default(p.ParameterType))]);
    }

    private static bool IsOurs(Type type) =>
        type == typeof(string) || type == typeof(DateOnly) || type == typeof(DateOnly?) || type == typeof(Guid) || type == typeof(Guid?)
        || type == typeof(List<Guid>) || (type.IsClass && type.Namespace?.StartsWith("CaseTracking", StringComparison.Ordinal) == true);

    private static object? Default(Type type) => type.IsValueType ? Activator.CreateInstance(type) : null;

    [Fact]
    public void validation_of_every_command_speaks_vietnamese()
    {
        var (services, commands) = Validators();
        commands.Count.ShouldBeGreaterThan(15, "the scan finds the commands");
        var english = new List<string>();
        var checkedMessages = 0;
        foreach (var command in commands)
        {
            // An empty body as the API reads it, and a body with every field wrong.
            foreach (var instance in new[] { JsonSerializer.Deserialize("{}", command, Json.Options)!, Hostile(command) })
            {
                var vi = ErrorsOf(services, command, instance, Vietnamese);
                var en = ErrorsOf(services, command, instance, English);
                vi.Count.ShouldBe(en.Count, command.Name);
                checkedMessages += vi.Count;
                english.AddRange(vi.Where((m, i) => !ReadsAsVietnamese(m) || m == en[i]).Select(m => $"{command.Name} {m}"));
            }
        }

        checkedMessages.ShouldBeGreaterThan(100);
        english.ShouldBeEmpty();
    }
}

/// <summary>The repository, found from the test's output folder upwards.</summary>
public static class Repository
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "CaseTracking.sln"))) return dir.FullName;
        throw new InvalidOperationException("CaseTracking.sln not found above " + AppContext.BaseDirectory);
    }
}
