using System.Text.Json.Serialization;

namespace Tgwatch.Noise.Rules;

/// <summary>The JSON form of a rule pack file (one file per library).</summary>
internal sealed class RulePackFile
{
    [JsonPropertyName("pack")] public string? Pack { get; set; }
    [JsonPropertyName("about")] public string? About { get; set; }
    [JsonPropertyName("continuationPrefixes")] public List<string>? ContinuationPrefixes { get; set; }
    [JsonPropertyName("tracebackPreambles")] public List<string>? TracebackPreambles { get; set; }
    [JsonPropertyName("wrappers")] public List<string>? Wrappers { get; set; }
    [JsonPropertyName("rules")] public List<RuleFile>? Rules { get; set; }
}

/// <summary>The JSON form of one rule.</summary>
internal sealed class RuleFile
{
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("label")] public string? Label { get; set; }
    [JsonPropertyName("kind")] public string? Kind { get; set; }
    [JsonPropertyName("shape")] public string? Shape { get; set; }
    [JsonPropertyName("literal")] public string? Literal { get; set; }
    [JsonPropertyName("head")] public string? Head { get; set; }
    [JsonPropertyName("exceptions")] public List<string>? Exceptions { get; set; }
    [JsonPropertyName("errno")] public List<string>? Errno { get; set; }
    [JsonPropertyName("frame")] public string? Frame { get; set; }
}

[JsonSourceGenerationOptions(ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(RulePackFile))]
internal sealed partial class RulePackJsonContext : JsonSerializerContext;
