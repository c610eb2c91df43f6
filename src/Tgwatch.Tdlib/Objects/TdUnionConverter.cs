using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tgwatch.Tdlib.Objects;

/// <summary>
/// Reads one of TDLib's abstract types (<c>MessageContent</c>, <c>MessageSender</c>, ...): finds the object's
/// <c>@type</c> wherever it stands among the properties, then reads the few fields Tgwatch needs of that
/// constructor in one pass, skipping the rest (no nested serializer call: this is the hot path of every
/// message). Constructors without a case become <see cref="Unknown"/>; only reading is supported.
/// </summary>
/// <typeparam name="TBase">The abstract type.</typeparam>
/// <typeparam name="TFields">The fields read so far.</typeparam>
internal abstract class TdUnionConverter<TBase, TFields> : JsonConverter<TBase> where TBase : class where TFields : struct
{
    /// <summary>The TDLib name of the abstract type, for reasons.</summary>
    protected abstract string Name { get; }

    /// <summary>The case of the constructor named at <paramref name="type"/> (a string token), or -1.</summary>
    protected abstract int Match(ref Utf8JsonReader type);

    /// <summary>Reads the value of the property at <paramref name="reader"/> when <paramref name="constructor"/> needs it; false to skip it.</summary>
    protected abstract bool ReadField(int constructor, ref Utf8JsonReader reader, ref TFields fields);

    /// <summary>The object of <paramref name="constructor"/> from its fields; a <see cref="JsonException"/> when a required one is missing.</summary>
    protected abstract TBase Create(int constructor, in TFields fields);

    /// <summary>The value for a constructor without a case; throw a <see cref="JsonException"/> to reject it.</summary>
    protected abstract TBase Unknown(string type);

    /// <inheritdoc />
    public override TBase Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new JsonException($"a {Name} must be an object, not {reader.TokenType}");
        var type = TdTypeField.Find(reader, Name);
        var constructor = Match(ref type);
        if (constructor < 0)
        {
            var name = type.GetString()!;
            reader.Skip();
            return Unknown(name);
        }
        var fields = default(TFields);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (!ReadField(constructor, ref reader, ref fields)) reader.Skip();
        }
        return Create(constructor, fields);
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, TBase value, JsonSerializerOptions options) =>
        throw new NotSupportedException("TDLib objects are only read");

    /// <summary>A required field's value, or a <see cref="JsonException"/> naming it.</summary>
    protected static T Required<T>(T? value, string constructor, string field) where T : struct =>
        value ?? throw new JsonException($"{constructor}: missing '{field}'");

    /// <summary>A required field's value, or a <see cref="JsonException"/> naming it.</summary>
    protected static string Required(string? value, string constructor, string field) =>
        value ?? throw new JsonException($"{constructor}: missing '{field}'");
}

/// <summary>The <c>@type</c> field of a TDLib object.</summary>
internal static class TdTypeField
{
    /// <summary>A copy of <paramref name="reader"/> (at the start of an object) moved to the value of the object's <c>@type</c>.</summary>
    /// <exception cref="JsonException">The object has no <c>@type</c>, or it is not a string.</exception>
    public static Utf8JsonReader Find(Utf8JsonReader reader, string objectName)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("@type"u8))
            {
                reader.Read();
                return reader.TokenType == JsonTokenType.String ? reader
                    : throw new JsonException($"the @type of a {objectName} must be a string, not {reader.TokenType}");
            }
            reader.Skip();
        }
        throw new JsonException($"a {objectName} has no @type");
    }
}

/// <summary>
/// Reads field values in TDLib's JSON with the model's rules: int53 and int32 are JSON numbers, Bool is
/// true/false, null means absent; anything else is a <see cref="JsonException"/> naming the field. Each
/// method is called at the property name and leaves the reader at the end of the value.
/// </summary>
internal static class TdValue
{
    public static long? Int53(ref Utf8JsonReader reader, string field)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null) return null;
        return reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value) ? value
            : throw new JsonException($"'{field}' must be an integer");
    }

    public static int? Int32(ref Utf8JsonReader reader, string field)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null) return null;
        return reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var value) ? value
            : throw new JsonException($"'{field}' must be a 32-bit integer");
    }

    public static bool? Bool(ref Utf8JsonReader reader, string field)
    {
        reader.Read();
        return reader.TokenType switch
        {
            JsonTokenType.Null => null,
            JsonTokenType.True => true,
            JsonTokenType.False => false,
            _ => throw new JsonException($"'{field}' must be true or false"),
        };
    }

    public static string? String(ref Utf8JsonReader reader, string field)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null) return null;
        return reader.TokenType == JsonTokenType.String ? reader.GetString() : throw new JsonException($"'{field}' must be a string");
    }

    /// <summary>The text of a <c>formattedText</c> (entities skipped); null when the field is null.</summary>
    public static string? FormattedText(ref Utf8JsonReader reader, string field)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException($"'{field}' must be a formattedText object");
        string? text = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("text"u8)) text = String(ref reader, field + ".text");
            else reader.Skip();
        }
        return text ?? throw new JsonException($"'{field}' has no text");
    }
}
