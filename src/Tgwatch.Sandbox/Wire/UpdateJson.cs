using System.Buffers;
using System.Text.Json;

namespace Tgwatch.Sandbox.Wire;

/// <summary>An <c>Update</c>'s JSON: <c>{"update_id":N,"&lt;kind&gt;":{…}}</c>, written once when the update is created.</summary>
internal static class UpdateJson
{
    public static byte[] Of(int updateId, string kind, WireMessage message)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = WireJson.Options.Encoder }))
        {
            w.WriteStartObject();
            w.WriteNumber("update_id", updateId);
            w.WritePropertyName(kind);
            JsonSerializer.Serialize(w, message, WireJson.Options);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
