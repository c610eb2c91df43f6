using System.Text.Json;

namespace Tgwatch.Bench.Peers;

/// <summary>A message as every peer's JSON line names it: the top-level <c>chat_id</c> and <c>message_id</c>.</summary>
internal readonly record struct RecordKey(long ChatId, long MessageId)
{
    /// <summary>The key of one JSON line (without its line end); null unless the line is one whole JSON object with both numbers at its top level.</summary>
    public static RecordKey? Parse(ReadOnlySpan<byte> line)
    {
        try
        {
            var reader = new Utf8JsonReader(line);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
            long? chat = null, message = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isChat = reader.ValueTextEquals("chat_id"u8);
                var isMessage = !isChat && reader.ValueTextEquals("message_id"u8);
                reader.Read();
                if (isChat && reader.TokenType == JsonTokenType.Number) chat = reader.GetInt64();
                else if (isMessage && reader.TokenType == JsonTokenType.Number) message = reader.GetInt64();
                else reader.Skip();
            }
            // The object closed, and nothing after it: a line cut short, or two run together, is no record.
            if (reader.TokenType != JsonTokenType.EndObject || reader.Read()) return null;
            return chat is { } c && message is { } m ? new RecordKey(c, m) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>What a JSONL file holds: lines, distinct messages, lines that are no record.</summary>
internal sealed record JsonlCount(int Lines, int Distinct, int Corrupt)
{
    public int Duplicated => Lines - Corrupt - Distinct;

    /// <summary>Counts the complete lines of <paramref name="path"/> (a last line without its line end is not counted).</summary>
    public static JsonlCount Read(string path)
    {
        if (!File.Exists(path)) return new JsonlCount(0, 0, 0);
        byte[] bytes;
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        {
            bytes = new byte[file.Length];
            file.ReadExactly(bytes);
        }
        return Of(bytes);
    }

    public static JsonlCount Of(ReadOnlySpan<byte> bytes)
    {
        var keys = new HashSet<RecordKey>();
        int lines = 0, corrupt = 0;
        for (var end = bytes.IndexOf((byte)'\n'); end >= 0; end = bytes.IndexOf((byte)'\n'))
        {
            lines++;
            if (RecordKey.Parse(bytes[..end]) is { } key) keys.Add(key);
            else corrupt++;
            bytes = bytes[(end + 1)..];
        }
        return new JsonlCount(lines, keys.Count, corrupt);
    }
}
