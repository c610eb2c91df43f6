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

/// <summary>A content with a caption (<c>caption:formattedText</c>; its text).</summary>
internal abstract class TdCaptionedContent : TdMessageContent
{
    public string? Caption { get; init; }
}

/// <summary><c>messagePhoto</c>.</summary>
internal sealed class TdMessagePhoto : TdCaptionedContent;

/// <summary><c>messageVideo</c>.</summary>
internal sealed class TdMessageVideo : TdCaptionedContent;

/// <summary><c>messageDocument</c>.</summary>
internal sealed class TdMessageDocument : TdCaptionedContent;

/// <summary><c>messageAudio</c>.</summary>
internal sealed class TdMessageAudio : TdCaptionedContent;

/// <summary><c>messageVoiceNote</c>.</summary>
internal sealed class TdMessageVoiceNote : TdCaptionedContent;

/// <summary><c>messageAnimation</c>.</summary>
internal sealed class TdMessageAnimation : TdCaptionedContent;

/// <summary><c>messagePaidMedia</c>.</summary>
internal sealed class TdMessagePaidMedia : TdCaptionedContent;

/// <summary>A content without caption: <c>messageSticker</c>, <c>messageVideoNote</c>, <c>messageLocation</c>, ...</summary>
internal abstract class TdPlainContent : TdMessageContent;

/// <summary><c>messageSticker</c>.</summary>
internal sealed class TdMessageSticker : TdPlainContent
{
    public static readonly TdMessageSticker Instance = new();

    private TdMessageSticker()
    {
    }
}

/// <summary><c>messageVideoNote</c>.</summary>
internal sealed class TdMessageVideoNote : TdPlainContent
{
    public static readonly TdMessageVideoNote Instance = new();

    private TdMessageVideoNote()
    {
    }
}

/// <summary><c>messageLocation</c>.</summary>
internal sealed class TdMessageLocation : TdPlainContent
{
    public static readonly TdMessageLocation Instance = new();

    private TdMessageLocation()
    {
    }
}

/// <summary><c>messageLiveLocation</c>.</summary>
internal sealed class TdMessageLiveLocation : TdPlainContent
{
    public static readonly TdMessageLiveLocation Instance = new();

    private TdMessageLiveLocation()
    {
    }
}

/// <summary><c>messageVenue</c>.</summary>
internal sealed class TdMessageVenue : TdPlainContent
{
    public static readonly TdMessageVenue Instance = new();

    private TdMessageVenue()
    {
    }
}

/// <summary><c>messageContact</c>.</summary>
internal sealed class TdMessageContact : TdPlainContent
{
    public static readonly TdMessageContact Instance = new();

    private TdMessageContact()
    {
    }
}

/// <summary><c>messagePoll</c>.</summary>
internal sealed class TdMessagePoll : TdPlainContent
{
    public static readonly TdMessagePoll Instance = new();

    private TdMessagePoll()
    {
    }
}

/// <summary><c>messageDice</c>.</summary>
internal sealed class TdMessageDice : TdPlainContent
{
    public static readonly TdMessageDice Instance = new();

    private TdMessageDice()
    {
    }
}

/// <summary><c>messageGame</c>.</summary>
internal sealed class TdMessageGame : TdPlainContent
{
    public static readonly TdMessageGame Instance = new();

    private TdMessageGame()
    {
    }
}

/// <summary>Any other content (service messages, stories, invoices, ...): its constructor name.</summary>
internal sealed class TdOtherContent(string type) : TdMessageContent
{
    public string Type { get; } = type;
}
