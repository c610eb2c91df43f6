using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Tgwatch.Messages;
using Tgwatch.Storage;

namespace Tgwatch.Sinks.Webhook;

/// <summary>
/// Builds request bodies, <c>{"messages":[record,…],"keys":[key,…]}</c>, into one reused buffer, their
/// signature and their idempotency key. Not thread-safe: one sender uses it.
/// </summary>
internal sealed class WebhookBody(string? secret)
{
    private const int KeepBytes = 1024 * 1024;
    private readonly byte[]? _key = secret is null ? null : Encoding.UTF8.GetBytes(secret);
    private ArrayBufferWriter<byte> _buffer = new(16 * 1024);
    private Utf8JsonWriter? _writer;

    /// <summary>The body built last; valid until the next <see cref="Build"/>.</summary>
    public ReadOnlyMemory<byte> Bytes => _buffer.WrittenMemory;

    /// <summary>
    /// The <c>Idempotency-Key</c> of the body built last: the lower-case hex SHA-256 of its keys, each followed by a
    /// line feed, so the same records sent again carry the same key.
    /// </summary>
    public string IdempotencyKey { get; private set; } = "";

    /// <summary>
    /// Builds the body of <paramref name="entries"/>; entries whose payload is not one JSON value are left out
    /// and returned in <paramref name="invalid"/>.
    /// </summary>
    public void Build(IReadOnlyList<OutboxEntry> entries, List<OutboxEntry> invalid)
    {
        if (_buffer.Capacity > KeepBytes) _buffer = new ArrayBufferWriter<byte>(16 * 1024);
        _buffer.ResetWrittenCount();
        var writer = _writer ??= new Utf8JsonWriter(_buffer, TgMessageJson.WriterOptions);
        writer.Reset(_buffer);
        writer.WriteStartObject();
        writer.WriteStartArray("messages");
        foreach (var entry in entries)
        {
            if (IsOneJsonValue(entry.Payload)) writer.WriteRawValue(entry.Payload, skipInputValidation: true);
            else invalid.Add(entry);
        }
        writer.WriteEndArray();
        writer.WriteStartArray("keys");
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var entry in entries)
        {
            if (invalid.Count > 0 && invalid.Contains(entry)) continue;
            writer.WriteStringValue(entry.Key);
            hash.AppendData(Encoding.UTF8.GetBytes(entry.Key + "\n"));
        }
        writer.WriteEndArray();
        IdempotencyKey = Convert.ToHexStringLower(hash.GetHashAndReset());
        writer.WriteEndObject();
        writer.Flush();
    }

    /// <summary><c>sha256=&lt;lower-case hex HMAC-SHA256 of the body&gt;</c>, or null without a secret.</summary>
    public string? Signature() => _key is null ? null : "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(_key, _buffer.WrittenSpan));

    private static bool IsOneJsonValue(byte[] payload)
    {
        try
        {
            var reader = new Utf8JsonReader(payload);
            if (!reader.Read()) return false;
            reader.Skip();
            return !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
