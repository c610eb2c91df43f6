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

    /// <summary>Deletes sent entries.</summary>
    ValueTask DeleteAsync(string sink, IReadOnlyList<long> ids, CancellationToken ct);

    /// <summary>Number waiting.</summary>
    ValueTask<long> CountAsync(string sink, CancellationToken ct);
}

/// <summary>A record to send.</summary>
/// <param name="Key">Idempotency key of the message.</param>
/// <param name="Payload">The record (contract JSON, UTF-8).</param>
public sealed record OutboxItem(string Key, byte[] Payload);

/// <summary>A waiting record.</summary>
/// <param name="Id">Queue id (rising).</param>
/// <param name="Key">Idempotency key.</param>
/// <param name="Payload">The record.</param>
public sealed record OutboxEntry(long Id, string Key, byte[] Payload);
