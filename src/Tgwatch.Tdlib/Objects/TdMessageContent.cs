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
}

/// <summary>Any other content (service messages, stories, invoices, ...): its constructor name.</summary>
internal sealed class TdOtherContent(string type) : TdMessageContent
{
    public string Type { get; } = type;
}
