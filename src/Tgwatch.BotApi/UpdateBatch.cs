using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tgwatch.BotApi;

/// <summary>
/// The updates of a <c>getUpdates</c> answer, each read on its own (<see cref="UpdateMapper.Read(ref Utf8JsonReader, JsonSerializerOptions)"/>) as the answer is read:
/// one that cannot be read costs only itself, and no update is held twice (as a JSON tree, then as an update).
/// </summary>
[JsonConverter(typeof(UpdateBatchConverter))]
internal sealed class UpdateBatch(List<UpdateMapper.RawUpdate> updates)
{
    /// <summary>An answer with none.</summary>
    public static UpdateBatch Empty { get; } = new([]);

    /// <summary>The updates, in the answer's order.</summary>
    public IReadOnlyList<UpdateMapper.RawUpdate> Updates => updates;

    /// <summary>The updates of a whole <c>getUpdates</c> answer (<c>{"ok":true,"result":[…]}</c>), read as the connector reads them.</summary>
    /// <exception cref="JsonException">The answer is not one.</exception>
    public static UpdateBatch ReadAnswer(ReadOnlySpan<byte> answer)
    {
        var reader = new Utf8JsonReader(answer);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) throw new JsonException("not a getUpdates answer");
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var result = reader.ValueTextEquals("result"u8);
            if (!reader.Read()) break;
            if (result) return UpdateBatchConverter.ReadList(ref reader, Telegram.Bot.JsonBotAPI.Options);
            reader.Skip();
        }
        throw new JsonException("a getUpdates answer without its result");
    }
}

/// <summary>Reads <c>result</c>'s list element by element (the whole list is in the reader's buffer by then).</summary>
internal sealed class UpdateBatchConverter : JsonConverter<UpdateBatch>
{
    public override UpdateBatch Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => ReadList(ref reader, options);

    /// <summary>The list at the reader, update by update.</summary>
    internal static UpdateBatch ReadList(ref Utf8JsonReader reader, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartArray) throw new JsonException("getUpdates' result is not a list");
        var updates = new List<UpdateMapper.RawUpdate>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray) updates.Add(UpdateMapper.Read(ref reader, options));
        return new UpdateBatch(updates);
    }

    public override void Write(Utf8JsonWriter writer, UpdateBatch value, JsonSerializerOptions options) =>
        throw new NotSupportedException("updates are only read");
}
