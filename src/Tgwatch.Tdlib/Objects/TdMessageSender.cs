namespace Tgwatch.Tdlib.Objects;

/// <summary>TDLib <c>MessageSender</c>.</summary>
internal abstract class TdMessageSender;

/// <summary><c>messageSenderUser</c>.</summary>
internal sealed class TdMessageSenderUser : TdMessageSender
{
    public required long UserId { get; init; }
}

/// <summary><c>messageSenderChat</c>: a channel, or an anonymous group administrator posting as the group.</summary>
internal sealed class TdMessageSenderChat : TdMessageSender
{
    public required long ChatId { get; init; }
}

/// <summary>A sender of a constructor newer than this code.</summary>
internal sealed class TdUnknownSender(string type) : TdMessageSender
{
    public string Type { get; } = type;
}
