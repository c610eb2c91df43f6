using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tgwatch.Sandbox.Wire;

/// <summary>How the sandbox writes Bot API objects: snake_case names, absent fields left out.</summary>
internal static class WireJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        TypeInfoResolver = SandboxJsonContext.Default,
    };
}
