using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tgwatch.Tdlib.Objects;

/// <summary>
/// Reads one of TDLib's abstract types (<c>MessageContent</c>, <c>MessageSender</c>, ...): finds the object's
/// <c>@type</c> wherever it stands among the properties, then reads the object as the class for that
/// constructor. Constructors without a class become <see cref="Unknown"/>; only reading is supported.
/// </summary>
internal abstract class TdUnionConverter<TBase> : JsonConverter<TBase> where TBase : class
{
    private const int MaxKnownNameLength = 96;

    /// <summary>The TDLib name of the abstract type (the class name without <c>Td</c>).</summary>
    private static readonly string Name = typeof(TBase).Name.StartsWith("Td", StringComparison.Ordinal) ? typeof(TBase).Name[2..] : typeof(TBase).Name;
    private readonly Dictionary<string, Type> _cases;
    private readonly Dictionary<string, Type>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    /// <param name="cases">TDLib constructor name and the class that reads it.</param>
    protected TdUnionConverter(params (string Type, Type Class)[] cases)
    {
        _cases = cases.ToDictionary(c => c.Type, c => c.Class, StringComparer.Ordinal);
        _lookup = _cases.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The value for a constructor this union has no class for; throw a <see cref="JsonException"/> to reject it.</summary>
    protected abstract TBase Unknown(string type);

    /// <inheritdoc />
    public override TBase Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new JsonException($"a {Name} must be an object, not {reader.TokenType}");
        var type = TdTypeField.Find(reader, Name);
        string? name = null;
        Type? clr;
        if (!type.ValueIsEscaped && type.ValueSpan.Length <= MaxKnownNameLength)
        {
            Span<char> chars = stackalloc char[MaxKnownNameLength];
            _lookup.TryGetValue(chars[..type.CopyString(chars)], out clr);
        }
        else
        {
            name = type.GetString()!;
            _cases.TryGetValue(name, out clr);
        }
        if (clr is not null)
        {
            return (TBase)(JsonSerializer.Deserialize(ref reader, options.GetTypeInfo(clr))
                ?? throw new JsonException($"a {Name} is null"));
        }
        name ??= type.GetString()!;
        reader.Skip();
        return Unknown(name);
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, TBase value, JsonSerializerOptions options) =>
        throw new NotSupportedException("TDLib objects are only read");
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
