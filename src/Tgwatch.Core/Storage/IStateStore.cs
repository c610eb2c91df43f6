using Tgwatch.Connectors;

namespace Tgwatch.Storage;

/// <summary>
/// Tgwatch's durable state: checkpoints, processed keys (dedup), dead letters, pending reply
/// resolutions, and what sinks need to stay idempotent (a ledger of written keys, an outbox).
/// Implementations are safe for concurrent use.
/// </summary>
public interface IStateStore : IAsyncDisposable
{
    /// <summary>The last committed position of each stream of a connector and account.</summary>
    ValueTask<IReadOnlyDictionary<string, long>> LoadCheckpointsAsync(string account, string connector, CancellationToken ct);

    /// <summary>Removes the checkpoint of one stream: it is read again from its beginning (what was processed stays processed).</summary>
    ValueTask ForgetCheckpointAsync(string account, string connector, string stream, CancellationToken ct);

    /// <summary>
    /// Those of <paramref name="keys"/> that were processed (and are still within retention), each with those of
    /// <paramref name="sinks"/> that do not have it yet (empty when every one has it). A key recorded before the store
    /// told sinks apart counts as had by every sink.
    /// </summary>
    ValueTask<IReadOnlyDictionary<string, IReadOnlyList<string>>> FindProcessedAsync(IReadOnlyCollection<string> keys, IReadOnlyList<string> sinks, CancellationToken ct);

    /// <summary>
    /// In one transaction: marks the batch's keys processed, records the last message per chat, advances
    /// checkpoints (a checkpoint never moves back), stores the batch's new pending replies and removes the
    /// resolved ones (and so for pending media downloads) (so a stop right after the commit cannot lose a reply's background resolution).
    /// </summary>
    ValueTask CommitAsync(StoreCommit commit, CancellationToken ct);

    /// <summary>Drops processed keys older than <paramref name="olderThan"/>, and beyond the newest <paramref name="keepAtMost"/>.</summary>
    ValueTask<int> PruneProcessedAsync(DateTimeOffset olderThan, int keepAtMost, CancellationToken ct);

    /// <summary>Messages whose handler or sink kept failing.</summary>
    IDeadLetterStore DeadLetters { get; }

    /// <summary>Replies delivered unresolved, waiting to be resolved in the background.</summary>
    IPendingReplyStore PendingReplies { get; }

    /// <summary>
    /// Media downloads not ended yet, kept across restarts: the same shape as a pending reply (the message, full form, with
    /// <c>media.state = "pending"</c>; attempts; when to try next); once the download ended, the media update to write.
    /// </summary>
    IPendingReplyStore PendingDownloads { get; }

    /// <summary>Per-sink record of the keys a sink has written (for sinks that cannot deduplicate on their own, such as JSONL).</summary>
    ISinkLedger SinkLedger { get; }

    /// <summary>Per-sink queue of records waiting to be sent (webhook).</summary>
    IOutbox Outbox { get; }

    /// <summary>Replaces the link record of the connector and account of <paramref name="link"/>.</summary>
    ValueTask RecordLinkAsync(LinkRecord link, CancellationToken ct);

    /// <summary>Counts and last messages, for <c>tgwatch status</c>.</summary>
    ValueTask<StoreStatus> GetStatusAsync(CancellationToken ct);
}

/// <summary>What a committed batch changes in the store.</summary>
/// <param name="Account">Account of the connector.</param>
/// <param name="Connector">Connector name.</param>
/// <param name="Checkpoints">New low watermarks, at most one per stream.</param>
/// <param name="Processed">The messages now in every sink.</param>
/// <param name="At">When the batch was committed.</param>
public sealed record StoreCommit(string Account, string Connector, IReadOnlyList<Checkpoint> Checkpoints, IReadOnlyList<ProcessedMessage> Processed, DateTimeOffset At)
{
    /// <summary>Replies delivered unresolved in this batch, to be resolved in the background (added or replaced).</summary>
    public IReadOnlyList<PendingReply> NewPendingReplies { get; init; } = [];

    /// <summary>Keys of pending replies this batch resolved (removed).</summary>
    public IReadOnlyList<string> ResolvedPendingReplies { get; init; } = [];

    /// <summary>Media downloads of messages in this batch written with <c>media.state = "pending"</c> (added or replaced).</summary>
    public IReadOnlyList<PendingReply> NewPendingDownloads { get; init; } = [];

    /// <summary>Keys of pending downloads whose media update this batch wrote (removed).</summary>
    public IReadOnlyList<string> EndedPendingDownloads { get; init; } = [];

    /// <summary>True when the commit changes nothing.</summary>
    public bool IsEmpty => Checkpoints.Count == 0 && Processed.Count == 0 && NewPendingReplies.Count == 0 && ResolvedPendingReplies.Count == 0
        && NewPendingDownloads.Count == 0 && EndedPendingDownloads.Count == 0;
}

/// <summary>A processed message, as the store remembers it.</summary>
/// <param name="Key">Idempotency key.</param>
/// <param name="ChatId">Chat id.</param>
/// <param name="ChatTitle">Chat title, for status.</param>
/// <param name="MessageId">Message id.</param>
/// <param name="Date">Message date.</param>
public readonly record struct ProcessedMessage(string Key, long ChatId, string? ChatTitle, long MessageId, DateTimeOffset Date)
{
    /// <summary>
    /// The sinks that wrote it in this commit (added to those that had it before); null for every sink, whichever they are.
    /// </summary>
    public IReadOnlyList<string>? Sinks { get; init; }
}
