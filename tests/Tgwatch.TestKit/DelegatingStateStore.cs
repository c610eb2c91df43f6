using Tgwatch.Storage;

namespace Tgwatch.TestKit;

/// <summary>An <see cref="IStateStore"/> that hands every call to an <see cref="InMemoryStateStore"/>; override a part to fail or slow it.</summary>
public class DelegatingStateStore(InMemoryStateStore inner) : IStateStore
{
    /// <summary>The store the calls go to.</summary>
    protected InMemoryStateStore Inner { get; } = inner;

    /// <inheritdoc />
    public virtual IDeadLetterStore DeadLetters => Inner.DeadLetters;

    /// <inheritdoc />
    public virtual IPendingReplyStore PendingReplies => Inner.PendingReplies;

    /// <inheritdoc />
    public virtual IPendingReplyStore PendingDownloads => Inner.PendingDownloads;

    /// <inheritdoc />
    public ISinkLedger SinkLedger => Inner.SinkLedger;

    /// <inheritdoc />
    public virtual IOutbox Outbox => Inner.Outbox;

    /// <inheritdoc />
    public ValueTask<IReadOnlyDictionary<string, long>> LoadCheckpointsAsync(string account, string connector, CancellationToken ct) => Inner.LoadCheckpointsAsync(account, connector, ct);

    /// <inheritdoc />
    public ValueTask ForgetCheckpointAsync(string account, string connector, string stream, CancellationToken ct) => Inner.ForgetCheckpointAsync(account, connector, stream, ct);

    /// <inheritdoc />
    public ValueTask<IReadOnlyDictionary<string, IReadOnlyList<string>>> FindProcessedAsync(IReadOnlyCollection<string> keys, IReadOnlyList<string> sinks, CancellationToken ct) =>
        Inner.FindProcessedAsync(keys, sinks, ct);

    /// <inheritdoc />
    public virtual ValueTask CommitAsync(StoreCommit commit, CancellationToken ct) => Inner.CommitAsync(commit, ct);

    /// <inheritdoc />
    public ValueTask<int> PruneProcessedAsync(DateTimeOffset olderThan, int keepAtMost, CancellationToken ct) => Inner.PruneProcessedAsync(olderThan, keepAtMost, ct);

    /// <inheritdoc />
    public ValueTask<StoreStatus> GetStatusAsync(CancellationToken ct) => Inner.GetStatusAsync(ct);

    /// <inheritdoc />
    public virtual ValueTask RecordLinkAsync(LinkRecord link, CancellationToken ct) => Inner.RecordLinkAsync(link, ct);

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return Inner.DisposeAsync();
    }
}
