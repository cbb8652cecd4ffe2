using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using System.Text.Json.Serialization;

namespace CaseTracking.Infrastructure;

/// <summary>The one JSON shape of the API: camelCase, enums as names (numbers refused), nulls omitted.</summary>
public static class Json
{
    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        // Vietnamese text stays readable in responses instead of \u escapes.
        options.Encoder = JavaScriptEncoder.Create(UnicodeRanges.All);
        if (!options.Converters.OfType<PlainTextConverter>().Any()) options.Converters.Add(new PlainTextConverter());
        if (!options.Converters.OfType<JsonStringEnumConverter>().Any())
        {
            options.Converters.Add(new JsonStringEnumConverter(namingPolicy: null, allowIntegerValues: false));
        }

        return options;
    }
}

/// <summary>The PostgreSQL connection string, for the few places that speak SQL directly.</summary>
public sealed record PostgresConnection(string Value);
