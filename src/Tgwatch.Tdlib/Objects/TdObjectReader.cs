using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Tgwatch.Formatting;

namespace Tgwatch.Tdlib.Objects;

/// <summary>Reads one TDLib object of a known constructor from a parsed element, never throwing for bad input.</summary>
internal static class TdObjectReader
{
    /// <summary>The <c>@type</c> of <paramref name="element"/>: false unless it is an object whose <c>@type</c> is a string.</summary>
    public static bool TryGetType(JsonElement element, out JsonElement type)
    {
        type = default;
        return element.ValueKind == JsonValueKind.Object && element.TryGetProperty("@type"u8, out type) && type.ValueKind == JsonValueKind.String;
    }

    /// <summary>Reads <paramref name="element"/> as a <paramref name="type"/> object; its <c>@type</c>, when present, must say so.</summary>
    /// <param name="element">The object.</param>
    /// <param name="info">The reader of the model.</param>
    /// <param name="type">The TDLib constructor expected (<c>message</c>, <c>chat</c>, ...).</param>
    /// <param name="value">The object read.</param>
    /// <param name="malformed">Why it could not be read, in one line.</param>
    public static bool TryRead<T>(JsonElement element, JsonTypeInfo<T> info, string type,
        [NotNullWhen(true)] out T? value, [NotNullWhen(false)] out string? malformed) where T : class
    {
        value = null;
        try
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                malformed = $"a {type} must be a JSON object, not {element.ValueKind}";
                return false;
            }
            if (element.TryGetProperty("@type"u8, out var t) && !(t.ValueKind == JsonValueKind.String && t.ValueEquals(type)))
            {
                malformed = t.ValueKind == JsonValueKind.String && t.ValueEquals("error"u8) ? ErrorText(element)
                    : $"a {type} was expected, not {Describe(t)}";
                return false;
            }
            value = element.Deserialize(info);
            malformed = value is null ? $"a {type} is null" : null;
            return value is not null;
        }
        catch (Exception e) when (IsReadFailure(e))
        {
            malformed = $"{type}: {Reason(e)}";
            return false;
        }
    }

    /// <summary>A one-line reason for a read failure, naming the JSON path rather than our classes when it can.</summary>
    public static string Reason(Exception e)
    {
        var text = TextLines.FirstLine(e.Message);
        if (e is not JsonException json) return text;
        var cut = text.IndexOf(" Path: ", StringComparison.Ordinal);
        if (cut >= 0) text = text[..cut];
        const string Missing = "missing required properties including: ";
        var missing = text.IndexOf(Missing, StringComparison.Ordinal);
        if (missing >= 0) text = "missing " + text[(missing + Missing.Length)..].TrimEnd('.');
        else if (text.StartsWith("The JSON value could not be converted to ", StringComparison.Ordinal)) text = "a value of the wrong JSON kind or range";
        return json.Path is null or "$" ? text : $"{text} at {json.Path}";
    }

    /// <summary>The exceptions reading bad JSON into the models can give (and nothing else).</summary>
    public static bool IsReadFailure(Exception e) =>
        e is JsonException or InvalidOperationException or FormatException or OverflowException or NotSupportedException or ArgumentException;

    /// <summary>A short description of a value for a one-line reason: a string in quotes (cut at 64 characters), else its kind.</summary>
    public static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String when value.GetString() is { } s => s.Length <= 64 ? $"\"{s}\"" : $"\"{s[..64]}…\"",
        var kind => $"a JSON {kind}",
    };

    private static string ErrorText(JsonElement error)
    {
        var code = error.TryGetProperty("code"u8, out var c) && c.TryGetInt32(out var n) ? n : 0;
        var message = error.TryGetProperty("message"u8, out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
        return $"TDLib error {code}: {TextLines.FirstLine(message ?? "")}";
    }
}
