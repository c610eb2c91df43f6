using System.Diagnostics;
using System.Runtime.CompilerServices;
using Tgwatch.Connectors;
using Tgwatch.Messages;
using Tgwatch.Pipeline;
using Tgwatch.Storage;

namespace Tgwatch.Bench;

/// <summary>
/// A Bot API-like connector that makes its deliveries as they are read (nothing held in memory): message
/// i of <c>count</c>, chats taking turns, on the one stream <c>updates</c> at position i + 1. With
/// <c>recycle</c> &gt; 0 it cycles through that many messages made beforehand (a key comes back only after
/// <c>recycle</c> deliveries, far more than the pipeline holds in flight), so that a run allocates only the
/// <see cref="Delivery"/> records and what the pipeline itself makes.
/// </summary>
internal sealed class GeneratedConnector(int count, int chats, int recycle = 0) : IConnector
{
    private readonly TgMessage[] _made = [.. Enumerable.Range(0, recycle).Select(i => SqliteSinkThroughput.Message(i, chats))];

    public const string Stream = "updates";

    public string Name => "botapi";

    public string Account => "bot123456";

    public ConnectionStatus Status { get; } = new(ConnectionState.Ready, null, DateTimeOffset.UnixEpoch);

    public event Action<ConnectionStatus>? StatusChanged { add { } remove { } }

    /// <summary>Last position confirmed by the pipeline.</summary>
    public long Committed { get; private set; }

    public async IAsyncEnumerable<Delivery> ReadAsync(IReadOnlyDictionary<string, long> committed, [EnumeratorCancellation] CancellationToken ct)
    {
        var from = committed.TryGetValue(Stream, out var c) ? (int)c : 0;
        for (var i = from; i < count; i++)
            yield return new Delivery(recycle > 0 ? _made[i % recycle] : SqliteSinkThroughput.Message(i, chats), new Checkpoint(Stream, i + 1));
        await Task.CompletedTask.ConfigureAwait(false);
    }

    public ValueTask CommitAsync(Checkpoint upTo, CancellationToken ct)
    {
        Committed = upTo.Position;
        return ValueTask.CompletedTask;
    }

    public ValueTask<ReplyResult> ResolveReplyAsync(MessageRef reply, CancellationToken ct) => ValueTask.FromResult(ReplyResult.Gone);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>A sink that keeps nothing; counts what it is given and may look at the count after each batch.</summary>
internal sealed class NullSink(Action<long>? afterBatch = null) : IMessageSink
{
    private long _written;

    public string Name => "null";

    public long Written => Interlocked.Read(ref _written);

    public ValueTask WriteAsync(IReadOnlyList<TgMessage> batch, CancellationToken ct)
    {
        var total = Interlocked.Add(ref _written, batch.Count);
        afterBatch?.Invoke(total);
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>A state store that keeps nothing: no key was ever processed, commits vanish. The pipeline's own cost, alone.</summary>
internal sealed class NullStateStore : IStateStore, IDeadLetterStore, IPendingReplyStore, ISinkLedger, IOutbox
{
    private static readonly IReadOnlySet<string> NoKeys = new HashSet<string>(StringComparer.Ordinal);
    private static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> NoneProcessed = new Dictionary<string, IReadOnlyList<string>>();
    private static readonly IReadOnlyDictionary<string, long> NoCheckpoints = new Dictionary<string, long>(StringComparer.Ordinal);

    public IDeadLetterStore DeadLetters => this;

    public IPendingReplyStore PendingReplies => this;
    public IPendingReplyStore PendingDownloads => this;

    public ISinkLedger SinkLedger => this;

    public IOutbox Outbox => this;

    public ValueTask<IReadOnlyDictionary<string, long>> LoadCheckpointsAsync(string account, string connector, CancellationToken ct) => ValueTask.FromResult(NoCheckpoints);

    public ValueTask<IReadOnlyDictionary<string, IReadOnlyList<string>>> FindProcessedAsync(IReadOnlyCollection<string> keys, IReadOnlyList<string> sinks, CancellationToken ct) => ValueTask.FromResult(NoneProcessed);

    public ValueTask ForgetCheckpointAsync(string account, string connector, string stream, CancellationToken ct) => ValueTask.CompletedTask;

    public ValueTask CommitAsync(StoreCommit commit, CancellationToken ct) => ValueTask.CompletedTask;

    public ValueTask<int> PruneProcessedAsync(DateTimeOffset olderThan, int keepAtMost, CancellationToken ct) => ValueTask.FromResult(0);

    public ValueTask RecordLinkAsync(LinkRecord link, CancellationToken ct) => ValueTask.CompletedTask;

    public ValueTask<StoreStatus> GetStatusAsync(CancellationToken ct) =>
        ValueTask.FromResult(new StoreStatus([], [], 0, 0, 0, new Dictionary<string, long>(StringComparer.Ordinal)));

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    ValueTask<long> IDeadLetterStore.AddAsync(NewDeadLetter letter, CancellationToken ct) => ValueTask.FromResult(0L);

    ValueTask<IReadOnlyList<DeadLetter>> IDeadLetterStore.ListAsync(int limit, long afterId, CancellationToken ct) => ValueTask.FromResult<IReadOnlyList<DeadLetter>>([]);

    ValueTask<bool> IDeadLetterStore.RemoveAsync(long id, CancellationToken ct) => ValueTask.FromResult(false);

    ValueTask<long> IDeadLetterStore.CountAsync(CancellationToken ct) => ValueTask.FromResult(0L);

    ValueTask IPendingReplyStore.AddAsync(PendingReply pending, CancellationToken ct) => ValueTask.CompletedTask;

    ValueTask<IReadOnlyList<PendingReply>> IPendingReplyStore.DueAsync(DateTimeOffset now, int limit, CancellationToken ct) => ValueTask.FromResult<IReadOnlyList<PendingReply>>([]);

    ValueTask<DateTimeOffset?> IPendingReplyStore.NextDueAsync(CancellationToken ct) => ValueTask.FromResult<DateTimeOffset?>(null);

    ValueTask IPendingReplyStore.RescheduleAsync(string key, int attempts, DateTimeOffset next, CancellationToken ct) => ValueTask.CompletedTask;

    ValueTask IPendingReplyStore.RemoveAsync(string key, CancellationToken ct) => ValueTask.CompletedTask;

    ValueTask<long> IPendingReplyStore.CountAsync(CancellationToken ct) => ValueTask.FromResult(0L);

    ValueTask<long?> ISinkLedger.GetOffsetAsync(string sink, CancellationToken ct) => ValueTask.FromResult<long?>(0L);

    ValueTask<IReadOnlySet<string>> ISinkLedger.FindWrittenAsync(string sink, IReadOnlyCollection<string> keys, CancellationToken ct) => ValueTask.FromResult(NoKeys);

    ValueTask ISinkLedger.RecordAsync(string sink, IReadOnlyCollection<string> keys, long offset, CancellationToken ct) => ValueTask.CompletedTask;

    ValueTask<int> IOutbox.EnqueueAsync(string sink, IReadOnlyList<OutboxItem> items, CancellationToken ct) => ValueTask.FromResult(items.Count);

    ValueTask<int> IOutbox.RequeueAsync(string sink, IReadOnlyList<OutboxItem> items, CancellationToken ct) => ValueTask.FromResult(items.Count);

    ValueTask<IReadOnlyList<OutboxEntry>> IOutbox.PeekAsync(string sink, int max, CancellationToken ct) => ValueTask.FromResult<IReadOnlyList<OutboxEntry>>([]);

    ValueTask IOutbox.DeleteAsync(string sink, IReadOnlyList<long> ids, CancellationToken ct) => ValueTask.CompletedTask;

    ValueTask<long> IOutbox.CountAsync(string sink, CancellationToken ct) => ValueTask.FromResult(0L);

    ValueTask<IReadOnlyList<OutboxEntry>> IOutbox.PeekAfterAsync(string sink, long afterId, int max, CancellationToken ct) => ValueTask.FromResult<IReadOnlyList<OutboxEntry>>([]);

    ValueTask<IReadOnlyDictionary<string, long>> IOutbox.WaitingAsync(CancellationToken ct) => ValueTask.FromResult<IReadOnlyDictionary<string, long>>(new Dictionary<string, long>());

    ValueTask<OutboxMove> IOutbox.MoveAsync(string from, string to, CancellationToken ct) => ValueTask.FromResult(new OutboxMove(0, 0));

    ValueTask<long> IOutbox.DropAsync(string sink, CancellationToken ct) => ValueTask.FromResult(0L);
}

/// <summary>
/// A proposal tried in the bench: a state store behind an in-memory Bloom filter of the keys it committed, so a
/// dedup lookup asks SQLite only about keys the filter may hold (a new message's key almost never: the filter says
/// "certainly not processed"). Complete only when every processed key went through <see cref="CommitAsync"/>, as
/// with the empty store of the bench; a store would fill it from its processed keys when it opens.
/// </summary>
internal sealed class BloomFilteredStore(IStateStore inner, int expectedKeys) : IStateStore
{
    private static readonly IReadOnlySet<string> NoKeys = new HashSet<string>(StringComparer.Ordinal);
    private readonly BloomFilter _filter = new(expectedKeys);
    private static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> NoneProcessed = new Dictionary<string, IReadOnlyList<string>>();
    private long _forwarded;

    /// <summary>Keys the filter could not rule out (all false positives in the bench: every key is new).</summary>
    public long Forwarded => Interlocked.Read(ref _forwarded);

    public IDeadLetterStore DeadLetters => inner.DeadLetters;

    public IPendingReplyStore PendingReplies => inner.PendingReplies;
    public IPendingReplyStore PendingDownloads => inner.PendingDownloads;

    public ISinkLedger SinkLedger => inner.SinkLedger;

    public IOutbox Outbox => inner.Outbox;

    public ValueTask<IReadOnlyDictionary<string, long>> LoadCheckpointsAsync(string account, string connector, CancellationToken ct) =>
        inner.LoadCheckpointsAsync(account, connector, ct);

    public ValueTask ForgetCheckpointAsync(string account, string connector, string stream, CancellationToken ct) => inner.ForgetCheckpointAsync(account, connector, stream, ct);

    public ValueTask<IReadOnlyDictionary<string, IReadOnlyList<string>>> FindProcessedAsync(IReadOnlyCollection<string> keys, IReadOnlyList<string> sinks, CancellationToken ct)
    {
        List<string>? maybe = null;
        foreach (var key in keys)
            if (_filter.MayContain(key)) (maybe ??= []).Add(key);
        if (maybe is null) return ValueTask.FromResult(NoneProcessed);
        Interlocked.Add(ref _forwarded, maybe.Count);
        return inner.FindProcessedAsync(maybe, sinks, ct);
    }

    /// <remarks>The keys enter the filter before the commit returns: the pipeline releases a key's in-flight claim only after that.</remarks>
    public async ValueTask CommitAsync(StoreCommit commit, CancellationToken ct)
    {
        await inner.CommitAsync(commit, ct).ConfigureAwait(false);
        foreach (var p in commit.Processed) _filter.Add(p.Key);
    }

    public ValueTask<int> PruneProcessedAsync(DateTimeOffset olderThan, int keepAtMost, CancellationToken ct) => inner.PruneProcessedAsync(olderThan, keepAtMost, ct);

    public ValueTask<StoreStatus> GetStatusAsync(CancellationToken ct) => inner.GetStatusAsync(ct);

    public ValueTask RecordLinkAsync(LinkRecord link, CancellationToken ct) => inner.RecordLinkAsync(link, ct);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}

/// <summary>A Bloom filter of strings: 16 bits per expected key, 7 probes (about 0.05 % false positives when full). Thread-safe.</summary>
internal sealed class BloomFilter
{
    private const int Probes = 7;
    private readonly long[] _bits;
    private readonly ulong _mask;

    public BloomFilter(int expectedKeys)
    {
        var bits = (ulong)Math.Max(64, System.Numerics.BitOperations.RoundUpToPowerOf2((ulong)expectedKeys * 16));
        _bits = new long[bits / 64];
        _mask = bits - 1;
    }

    public void Add(string key)
    {
        var (h1, h2) = Hash(key);
        for (var i = 0UL; i < Probes; i++)
        {
            var bit = (h1 + i * h2) & _mask;
            Interlocked.Or(ref _bits[bit >> 6], 1L << (int)(bit & 63));
        }
    }

    public bool MayContain(string key)
    {
        var (h1, h2) = Hash(key);
        for (var i = 0UL; i < Probes; i++)
        {
            var bit = (h1 + i * h2) & _mask;
            if ((Volatile.Read(ref _bits[bit >> 6]) & (1L << (int)(bit & 63))) == 0) return false;
        }
        return true;
    }

    /// <summary>FNV-1a (64 bits) of the UTF-16 code units, split for double hashing.</summary>
    private static (ulong, ulong) Hash(string key)
    {
        var h = 14695981039346656037UL;
        foreach (var c in key)
        {
            h ^= c;
            h *= 1099511628211UL;
        }
        h ^= h >> 29;
        h *= 0xBF58476D1CE4E5B9UL;
        h ^= h >> 32;
        return (h & 0xFFFFFFFF, (h >> 32) | 1);
    }
}

/// <summary>Time spent inside a sink's writes.</summary>
internal sealed class TimedSink(IMessageSink inner) : IMessageSink
{
    private long _ticks;

    public string Name => inner.Name;

    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _ticks));

    public ValueTask StartAsync(CancellationToken ct) => inner.StartAsync(ct);

    public async ValueTask WriteAsync(IReadOnlyList<TgMessage> batch, CancellationToken ct)
    {
        var start = Stopwatch.GetTimestamp();
        await inner.WriteAsync(batch, ct).ConfigureAwait(false);
        Interlocked.Add(ref _ticks, Stopwatch.GetTimestamp() - start);
    }

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}

/// <summary>Time spent inside a state store's commits and dedup lookups (waiting for its connection included).</summary>
internal sealed class TimedStore(IStateStore inner) : IStateStore
{
    private long _commitTicks, _findTicks, _findCalls, _findKeys;

    public TimeSpan CommitTime => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _commitTicks));

    public TimeSpan FindTime => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _findTicks));

    public long FindCalls => Interlocked.Read(ref _findCalls);

    public long FindKeys => Interlocked.Read(ref _findKeys);

    public string Breakdown(TimeSpan of) => FindCalls == 0
        ? $"store commits {CommitTime.TotalSeconds:F2} s, no dedup lookup reached SQLite, of {of.TotalSeconds:F2} s"
        : $"store commits {CommitTime.TotalSeconds:F2} s, dedup lookups {FindTime.TotalSeconds:F2} s ({FindCalls:N0} calls, {FindKeys / (double)Math.Max(1, FindCalls):F0} keys each, summed over the workers, waits for the connection included) of {of.TotalSeconds:F2} s";

    public IDeadLetterStore DeadLetters => inner.DeadLetters;

    public IPendingReplyStore PendingReplies => inner.PendingReplies;
    public IPendingReplyStore PendingDownloads => inner.PendingDownloads;

    public ISinkLedger SinkLedger => inner.SinkLedger;

    public IOutbox Outbox => inner.Outbox;

    public ValueTask<IReadOnlyDictionary<string, long>> LoadCheckpointsAsync(string account, string connector, CancellationToken ct) =>
        inner.LoadCheckpointsAsync(account, connector, ct);

    public ValueTask ForgetCheckpointAsync(string account, string connector, string stream, CancellationToken ct) => inner.ForgetCheckpointAsync(account, connector, stream, ct);

    public async ValueTask<IReadOnlyDictionary<string, IReadOnlyList<string>>> FindProcessedAsync(IReadOnlyCollection<string> keys, IReadOnlyList<string> sinks, CancellationToken ct)
    {
        var start = Stopwatch.GetTimestamp();
        var found = await inner.FindProcessedAsync(keys, sinks, ct).ConfigureAwait(false);
        Interlocked.Add(ref _findTicks, Stopwatch.GetTimestamp() - start);
        Interlocked.Increment(ref _findCalls);
        Interlocked.Add(ref _findKeys, keys.Count);
        return found;
    }

    public async ValueTask CommitAsync(StoreCommit commit, CancellationToken ct)
    {
        var start = Stopwatch.GetTimestamp();
        await inner.CommitAsync(commit, ct).ConfigureAwait(false);
        Interlocked.Add(ref _commitTicks, Stopwatch.GetTimestamp() - start);
    }

    public ValueTask<int> PruneProcessedAsync(DateTimeOffset olderThan, int keepAtMost, CancellationToken ct) => inner.PruneProcessedAsync(olderThan, keepAtMost, ct);

    public ValueTask<StoreStatus> GetStatusAsync(CancellationToken ct) => inner.GetStatusAsync(ct);

    public ValueTask RecordLinkAsync(LinkRecord link, CancellationToken ct) => inner.RecordLinkAsync(link, ct);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
