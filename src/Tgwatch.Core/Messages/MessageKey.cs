using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Tgwatch.Messages;

/// <summary>The one place the idempotency key of a message is made (ARCHITECTURE §4).</summary>
public static class MessageKey
{
    /// <summary>
    /// <c>account:chat_id:message_id:kind:edit_date</c>; an edit adds <c>:content</c>, 8 hex digits of a hash of its text and
    /// media (two edits of one second with different content are two records, the same edit delivered twice is one);
    /// a reply update adds <c>:reply</c>, a media update <c>:media</c>.
    /// </summary>
    public static string Of(TgMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var edit = message.EditDate is { } e ? e.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) : "";
        var key = string.Create(CultureInfo.InvariantCulture,
            $"{message.Account}:{message.Chat.Id}:{message.MessageId}:{KindName(message.Kind)}:{edit}");
        if (message.Kind == MessageKind.Edit) key = key + ":" + ContentHash(message);
        return Suffixed(message, key);
    }

    /// <summary>
    /// The key an edit had before its content was part of it (<c>account:chat_id:message_id:edit:edit_date</c>), or null for
    /// other kinds. Stores written before keep such keys until they age out; a look-up of an edit asks for both.
    /// </summary>
    public static string? LegacyOf(TgMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Kind != MessageKind.Edit || message.EditDate is not { } e) return null;
        var key = string.Create(CultureInfo.InvariantCulture,
            $"{message.Account}:{message.Chat.Id}:{message.MessageId}:edit:{e.ToUnixTimeSeconds()}");
        return Suffixed(message, key);
    }

    private static string Suffixed(TgMessage message, string key) =>
        message.IsReplyUpdate ? key + ":reply" : message.IsMediaUpdate ? key + ":media" : key;

    /// <summary>The JSON name of a kind: new, edit, delete.</summary>
    public static string KindName(MessageKind kind) => kind switch
    {
        MessageKind.New => "new",
        MessageKind.Edit => "edit",
        MessageKind.Delete => "delete",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>8 hex digits of SHA-256 over what an edit changes: the text, the media type and the caption (each marked present or absent).</summary>
    private static string ContentHash(TgMessage message)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Append(hash, message.Text);
        Append(hash, message.Media?.Type);
        Append(hash, message.Media?.Caption);
        Span<byte> digest = stackalloc byte[32];
        hash.GetHashAndReset(digest);
        return Convert.ToHexStringLower(digest[..4]);
    }

    private static void Append(IncrementalHash hash, string? part)
    {
        // A length prefix keeps ("ab", "c") apart from ("a", "bc"); -1 keeps null apart from "".
        var bytes = part is null ? null : Encoding.UTF8.GetBytes(part);
        Span<byte> length = stackalloc byte[4];
        BitConverter.TryWriteBytes(length, bytes?.Length ?? -1);
        hash.AppendData(length);
        if (bytes is not null) hash.AppendData(bytes);
    }
}
