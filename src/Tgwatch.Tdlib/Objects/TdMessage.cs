using System.Text.Json.Serialization;

namespace Tgwatch.Tdlib.Objects;

/// <summary>TDLib <c>message</c>: the fields Tgwatch reads (the others are skipped).</summary>
internal sealed class TdMessage
{
    /// <summary>TDLib's message id: server id &lt;&lt; 20 for a message the server has.</summary>
    public required long Id { get; init; }

    public required TdMessageSender SenderId { get; init; }

    public required long ChatId { get; init; }

    /// <summary>Present while the message is being sent or after sending failed.</summary>
    public TdMessageSendingState? SendingState { get; init; }

    /// <summary>Present for a scheduled message.</summary>
    public TdAny? SchedulingState { get; init; }

    public bool IsOutgoing { get; init; }

    public bool IsChannelPost { get; init; }

    /// <summary>Unix seconds; 0 for scheduled messages.</summary>
    public required int Date { get; init; }

    /// <summary>Unix seconds of the last edit; 0 when never edited.</summary>
    public int EditDate { get; init; }

    public TdMessageForwardInfo? ForwardInfo { get; init; }

    public TdMessageReplyTo? ReplyTo { get; init; }

    public string? AuthorSignature { get; init; }

    /// <summary>An int64: a JSON string in TDLib's JSON.</summary>
    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
    public long MediaAlbumId { get; init; }

    public required TdMessageContent Content { get; init; }
}

/// <summary>Any TDLib object whose presence is all that matters: its <c>@type</c> is kept, the rest skipped.</summary>
internal sealed record TdAny(string Type);

/// <summary>TDLib <c>MessageSendingState</c>.</summary>
internal abstract class TdMessageSendingState;

/// <summary><c>messageSendingStatePending</c>.</summary>
internal sealed class TdMessageSendingStatePending : TdMessageSendingState
{
    public static readonly TdMessageSendingStatePending Instance = new();

    private TdMessageSendingStatePending()
    {
    }
}

/// <summary><c>messageSendingStateFailed</c>.</summary>
internal sealed class TdMessageSendingStateFailed : TdMessageSendingState
{
    public static readonly TdMessageSendingStateFailed Instance = new();

    private TdMessageSendingStateFailed()
    {
    }
}

/// <summary>A sending state of a constructor newer than this code.</summary>
internal sealed class TdUnknownSendingState(string type) : TdMessageSendingState
{
    public string Type { get; } = type;
}
