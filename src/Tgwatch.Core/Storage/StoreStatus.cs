namespace Tgwatch.Storage;

/// <summary>What <c>tgwatch status</c> shows of the store.</summary>
/// <param name="Checkpoints">Every stream's committed position.</param>
/// <param name="Chats">Last message per chat.</param>
/// <param name="Processed">Processed keys held.</param>
/// <param name="DeadLetters">Dead letters.</param>
/// <param name="PendingReplies">Replies waiting to be resolved.</param>
/// <param name="Outbox">Records waiting per outbox sink.</param>
public sealed record StoreStatus(
    IReadOnlyList<CheckpointRow> Checkpoints,
    IReadOnlyList<ChatActivity> Chats,
    long Processed,
    long DeadLetters,
    long PendingReplies,
    IReadOnlyDictionary<string, long> Outbox)
{
    /// <summary>The link of each connector and account, as its run last recorded it.</summary>
    public IReadOnlyList<LinkRecord> Links { get; init; } = [];

    /// <summary>The sinks the store has recorded processed keys for (empty for a store that has not told sinks apart yet).</summary>
    public IReadOnlyList<string> Sinks { get; init; } = [];
}

/// <summary>A stored checkpoint.</summary>
/// <param name="Account">Account.</param>
/// <param name="Connector">Connector.</param>
/// <param name="Stream">Stream.</param>
/// <param name="Position">Position.</param>
/// <param name="UpdatedAt">When it last moved.</param>
public sealed record CheckpointRow(string Account, string Connector, string Stream, long Position, DateTimeOffset UpdatedAt);

/// <summary>A chat's last processed message.</summary>
/// <param name="ChatId">Chat id.</param>
/// <param name="Title">Chat title, if known.</param>
/// <param name="LastMessageId">Last message id.</param>
/// <param name="LastDate">Its date.</param>
/// <param name="LastSeenAt">When it was processed.</param>
/// <param name="Count">Messages processed in this chat.</param>
public sealed record ChatActivity(long ChatId, string? Title, long LastMessageId, DateTimeOffset LastDate, DateTimeOffset LastSeenAt, long Count);
