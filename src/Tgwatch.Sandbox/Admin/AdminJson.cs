using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tgwatch.Sandbox.Admin;

/// <summary>JSON of the admin API: snake_case names and enum values; unknown fields in a request are an error.</summary>
internal static class AdminJson
{
    /// <summary>For reading requests: a misspelt field is refused rather than silently ignored.</summary>
    public static JsonSerializerOptions Strict { get; } = Create(JsonUnmappedMemberHandling.Disallow);

    /// <summary>For everything else (answers, and the client reading them).</summary>
    public static JsonSerializerOptions Lenient { get; } = Create(JsonUnmappedMemberHandling.Skip);

    private static JsonSerializerOptions Create(JsonUnmappedMemberHandling unmapped)
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            UnmappedMemberHandling = unmapped,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            NumberHandling = JsonNumberHandling.AllowReadingFromString,
            TypeInfoResolver = SandboxJsonContext.Default,
        };
        options.Converters.Add(new JsonStringEnumConverter<Faults.SandboxFaultKind>(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
        options.Converters.Add(new JsonStringEnumConverter<Faults.MalformedShape>(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
