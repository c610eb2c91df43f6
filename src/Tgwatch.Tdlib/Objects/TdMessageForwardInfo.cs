namespace Tgwatch.Tdlib.Objects;

/// <summary>TDLib <c>messageForwardInfo</c> (origin and date; <c>source</c> skipped).</summary>
internal sealed class TdMessageForwardInfo
{
    public required TdMessageOrigin Origin { get; init; }

    /// <summary>Unix seconds when the original message was sent.</summary>
    public required int Date { get; init; }
}

/// <summary>TDLib <c>MessageOrigin</c>.</summary>
internal abstract class TdMessageOrigin;

/// <summary><c>messageOriginUser</c>.</summary>
internal sealed class TdMessageOriginUser : TdMessageOrigin
{
    public required long SenderUserId { get; init; }
}

/// <summary><c>messageOriginHiddenUser</c>.</summary>
internal sealed class TdMessageOriginHiddenUser : TdMessageOrigin
{
    public required string SenderName { get; init; }
}

/// <summary><c>messageOriginChat</c>: an anonymous group administrator.</summary>
internal sealed class TdMessageOriginChat : TdMessageOrigin
{
    public required long SenderChatId { get; init; }

    public string? AuthorSignature { get; init; }
}

/// <summary><c>messageOriginChannel</c>.</summary>
internal sealed class TdMessageOriginChannel : TdMessageOrigin
{
    public required long ChatId { get; init; }

    /// <summary>TDLib's id of the original message.</summary>
    public required long MessageId { get; init; }

    public string? AuthorSignature { get; init; }
}

/// <summary>An origin of a constructor newer than this code.</summary>
internal sealed class TdUnknownOrigin(string type) : TdMessageOrigin
{
    public string Type { get; } = type;
}
