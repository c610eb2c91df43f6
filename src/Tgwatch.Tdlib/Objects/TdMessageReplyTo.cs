namespace Tgwatch.Tdlib.Objects;

/// <summary>TDLib <c>MessageReplyTo</c>.</summary>
internal abstract class TdMessageReplyTo;

/// <summary><c>messageReplyToMessage</c> (quote, origin and content of replies to other chats skipped).</summary>
internal sealed class TdMessageReplyToMessage : TdMessageReplyTo
{
    /// <summary>The chat of the replied message; 0 when it is in an unknown chat.</summary>
    public long ChatId { get; init; }

    /// <summary>TDLib's id of the replied message; 0 when it is in an unknown chat.</summary>
    public required long MessageId { get; init; }
}

/// <summary><c>messageReplyToStory</c>.</summary>
internal sealed class TdMessageReplyToStory : TdMessageReplyTo
{
    public long StoryPosterChatId { get; init; }

    public int StoryId { get; init; }
}

/// <summary>A reply target of a constructor newer than this code.</summary>
internal sealed class TdUnknownReplyTo(string type) : TdMessageReplyTo
{
    public string Type { get; } = type;
}
