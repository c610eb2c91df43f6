namespace Tgwatch.Storage;

/// <summary>
/// Per-sink queue of records to send (webhook). Enqueueing is idempotent on (sink, key): a key
/// enqueued once is never enqueued again, even after it was sent and deleted.
/// </summary>
public interface IOutbox
{
    /// <summary>Enqueues the items whose keys this sink never had; returns how many were new.</summary>
    ValueTask<int> EnqueueAsync(string sink, IReadOnlyList<OutboxItem> items, CancellationToken ct);

    /// <summary>Enqueues the items again even if the sink had their keys before (a dead letter's replay); a key already waiting is not doubled. Returns how many were queued.</summary>
    ValueTask<int> RequeueAsync(string sink, IReadOnlyList<OutboxItem> items, CancellationToken ct);

    /// <summary>The oldest waiting entries.</summary>
    ValueTask<IReadOnlyList<OutboxEntry>> PeekAsync(string sink, int max, CancellationToken ct);

    /// <summary>The oldest waiting entries queued after the one with id <paramref name="afterId"/>.</summary>
    ValueTask<IReadOnlyList<OutboxEntry>> PeekAfterAsync(string sink, long afterId, int max, CancellationToken ct);

    /// <summary>Deletes sent entries.</summary>
    ValueTask DeleteAsync(string sink, IReadOnlyList<long> ids, CancellationToken ct);

    /// <summary>Number waiting.</summary>
    ValueTask<long> CountAsync(string sink, CancellationToken ct);

    /// <summary>Every sink with entries waiting, and how many.</summary>
    ValueTask<IReadOnlyDictionary<string, long>> WaitingAsync(CancellationToken ct);

    /// <summary>
    /// Hands every entry waiting for <paramref name="from"/> to <paramref name="to"/> (a webhook whose address changed), in one
    /// transaction, keeping their queue order; an entry whose key <paramref name="to"/> had before (sent, waiting or
    /// dead-lettered) is dropped instead, so it is not sent twice.
    /// </summary>
    ValueTask<OutboxMove> MoveAsync(string from, string to, CancellationToken ct);

    /// <summary>Deletes every entry waiting for <paramref name="sink"/>; returns how many.</summary>
    ValueTask<long> DropAsync(string sink, CancellationToken ct);
}

/// <summary>What <see cref="IOutbox.MoveAsync"/> did.</summary>
/// <param name="Moved">Entries now waiting for the new sink.</param>
/// <param name="AlreadyThere">Entries dropped because the new sink had their keys already.</param>
public sealed record OutboxMove(long Moved, long AlreadyThere);

/// <summary>A record to send.</summary>
/// <param name="Key">Idempotency key of the message.</param>
/// <param name="Payload">The record (contract JSON, UTF-8).</param>
public sealed record OutboxItem(string Key, byte[] Payload);

/// <summary>A waiting record.</summary>
/// <param name="Id">Queue id (rising).</param>
/// <param name="Key">Idempotency key.</param>
/// <param name="Payload">The record.</param>
public sealed record OutboxEntry(long Id, string Key, byte[] Payload);
