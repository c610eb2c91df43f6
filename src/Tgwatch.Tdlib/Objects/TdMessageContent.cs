namespace Tgwatch.Tdlib.Objects;

/// <summary>TDLib <c>MessageContent</c>: the text, the captions, and which kind of media; media details are skipped.</summary>
internal abstract class TdMessageContent;

/// <summary><c>messageText</c> (the text of its formattedText).</summary>
internal sealed class TdMessageText : TdMessageContent
{
    public required string Text { get; init; }
}

/// <summary><c>messageAnimatedEmoji</c>: a message of one emoji, which the Bot API shows as text.</summary>
internal sealed class TdMessageAnimatedEmoji : TdMessageContent
{
    public required string Emoji { get; init; }
}

/// <summary>
/// A media content (<c>messagePhoto</c>, <c>messageSticker</c>, <c>messageLocation</c>, ...): the media type name the Bot
/// API connector writes for it, and its caption for the kinds that have one (<c>caption:formattedText</c>; its text).
/// </summary>
internal sealed class TdMediaContent(string mediaType, string? caption = null) : TdMessageContent
{
    public string MediaType { get; } = mediaType;

    public string? Caption { get; } = caption;

    /// <summary>Its file (a photo's largest size), when it has one.</summary>
    public TdFileRef? File { get; init; }
}

/// <summary>A media's TDLib <c>file</c>: its id (for <c>downloadFile</c>), <c>remote.unique_id</c>, its size, and the media's <c>file_name</c>.</summary>
internal sealed record TdFileRef(int Id, string UniqueId, long Size, string? FileName)
{
    /// <summary>The <c>file</c> in field <paramref name="fileField"/> of a media object (<c>document.document</c>…); a photo's largest size.</summary>
    public static TdFileRef? Of(System.Text.Json.JsonElement media, string fileField)
    {
        if (fileField == "sizes")
        {
            if (!media.TryGetProperty("sizes", out var sizes) || sizes.GetArrayLength() == 0) return null;
            return Of(sizes[sizes.GetArrayLength() - 1], "photo");
        }
        if (!media.TryGetProperty(fileField, out var file) || file.ValueKind != System.Text.Json.JsonValueKind.Object) return null;
        var name = media.TryGetProperty("file_name", out var n) && n.ValueKind == System.Text.Json.JsonValueKind.String ? n.GetString() : null;
        var unique = file.TryGetProperty("remote", out var remote) && remote.TryGetProperty("unique_id", out var u) ? u.GetString() : null;
        if (string.IsNullOrEmpty(unique) || !file.TryGetProperty("id", out var id)) return null;
        var size = file.TryGetProperty("size", out var s) && s.GetInt64() > 0 ? s.GetInt64()
            : file.TryGetProperty("expected_size", out var e) ? e.GetInt64() : 0;
        return new TdFileRef(id.GetInt32(), unique, size, string.IsNullOrEmpty(name) ? null : name);
    }
}

/// <summary>Any other content (service messages, stories, invoices, ...): its constructor name.</summary>
internal sealed class TdOtherContent(string type) : TdMessageContent
{
    public string Type { get; } = type;
}
