using Tgwatch.Connectors;
using Tgwatch.Storage;

namespace Tgwatch.TestKit;

/// <summary>
/// A complete <see cref="IStateStore"/> in memory, safe for concurrent use (one lock), with the semantics the
/// state store contract holds every store to (the SQLite store's): checkpoints never move back; a commit is
/// whole or nothing; processed keys pruned by age and count, and what sinks had aged out with them unless
/// still waiting in an outbox; a dead letter replaces the one with the same key and stage (keeping its id);
/// pending replies due earliest first; a sink ledger; an outbox that never takes a (sink, key) twice, even
/// after it was deleted. <see cref="Snapshot"/> shows everything at once for assertions.
/// </summary>
/// <param name="time">
/// The clock that dates the keys sinks record (ledger and outbox), by which they age out; the system clock when null.
/// </param>
public sealed class InMemoryStateStore(TimeProvider? time = null) : IStateStore, IDeadLetterStore, IPendingReplyStore, ISinkLedger, IOutbox
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Account, string Connector, string Stream), CheckpointRow> _checkpoints = [];
    private readonly Dictionary<string, (DateTimeOffset At, long Seq, HashSet<string>? Sinks)> _processed = new(StringComparer.Ordinal);
    private readonly SortedSet<string> _sinkNames = new(StringComparer.Ordinal);
    private readonly Dictionary<long, ChatActivity> _chats = [];
    private readonly SortedDictionary<long, NewDeadLetter> _letters = [];
    private readonly Dictionary<(string Key, string Stage), long> _letterIds = [];
    private readonly Dictionary<string, (PendingReply Reply, long Seq)> _pending = new(StringComparer.Ordinal);

    // The keys each sink has had (written to its file, or taken by its outbox), with when it first had them; one memory for
    // the ledger and the outbox, as in the SQLite store.
    private readonly Dictionary<string, Dictionary<string, DateTimeOffset>> _had = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _offsets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SortedDictionary<long, OutboxEntry>> _waiting = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Account, string Connector), LinkRecord> _links = [];
    private readonly List<LinkRecord> _linkRecords = [];
    private long _seq;
    private long _letterId;
    private long _outboxId;

    private int _commits;

    /// <summary>Runs at the start of each <see cref="CommitAsync"/> (to check invariants, or to fail it by throwing).</summary>
    public Action<StoreCommit>? OnCommit { get; set; }

    /// <summary>Number of <see cref="CommitAsync"/> calls so far.</summary>
    public int Commits { get { lock (_gate) return _commits; } }

    /// <summary>True once disposed (the store keeps working: tests may reopen "the same" store).</summary>
    public bool Disposed { get; private set; }

    /// <inheritdoc />
    public IDeadLetterStore DeadLetters => this;

    /// <inheritdoc />
    public IPendingReplyStore PendingReplies => this;

    /// <inheritdoc />
    public IPendingReplyStore PendingDownloads => Downloads;

    /// <summary>The pending media downloads.</summary>
    public InMemoryPendingStore Downloads { get; } = new();

    /// <inheritdoc />
    public ISinkLedger SinkLedger => this;

    /// <inheritdoc />
    public IOutbox Outbox => this;

    // ---- checkpoints and processed keys ----

    /// <inheritdoc />
    public ValueTask<IReadOnlyDictionary<string, long>> LoadCheckpointsAsync(string account, string connector, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var result = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var (id, row) in _checkpoints)
                if (id.Account == account && id.Connector == connector) result[id.Stream] = row.Position;
            return new(result);
        }
    }

    /// <inheritdoc />
    public ValueTask ForgetCheckpointAsync(string account, string connector, string stream, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_gate) _checkpoints.Remove((account, connector, stream));
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyDictionary<string, IReadOnlyList<string>>> FindProcessedAsync(IReadOnlyCollection<string> keys, IReadOnlyList<string> sinks, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(sinks);
        ct.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var found = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
            foreach (var key in keys)
                if (_processed.TryGetValue(key, out var row)) found[key] = row.Sinks is null ? [] : [.. sinks.Where(s => !row.Sinks.Contains(s))];
            return new(found);
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// The batch is read whole and checked before anything changes: a commit that fails (an unreadable batch, a key or a
    /// stream that is null) or is cancelled meanwhile leaves the store as it was. A key committed again is not counted
    /// again in its chat, but still updates the chat's title, last message and when it was last seen.
    /// </remarks>
    public ValueTask CommitAsync(StoreCommit commit, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(commit);
        ct.ThrowIfCancellationRequested();
        OnCommit?.Invoke(commit);
        ProcessedMessage[] processed = [.. commit.Processed];
        Checkpoint[] checkpoints = [.. commit.Checkpoints];
        PendingReply[] added = [.. commit.NewPendingReplies];
        string[] resolved = [.. commit.ResolvedPendingReplies];
        Check(commit, processed, checkpoints, added, resolved);
        ct.ThrowIfCancellationRequested();
        lock (_gate)
        {
            _commits++;
            foreach (var p in processed)
            {
                var isNew = !_processed.TryGetValue(p.Key, out var had);
                if (isNew) _processed[p.Key] = (commit.At, ++_seq, p.Sinks is null ? null : new HashSet<string>(p.Sinks, StringComparer.Ordinal));
                else if (had.Sinks is not null)
                {
                    if (p.Sinks is null) _processed[p.Key] = had with { Sinks = null }; // every sink has it now
                    else had.Sinks.UnionWith(p.Sinks);
                }
                if (p.Sinks is not null) _sinkNames.UnionWith(p.Sinks);
                _chats[p.ChatId] = _chats.TryGetValue(p.ChatId, out var chat)
                    ? chat with
                    {
                        Title = p.ChatTitle ?? chat.Title,
                        LastMessageId = Math.Max(chat.LastMessageId, p.MessageId),
                        LastDate = p.Date > chat.LastDate ? p.Date : chat.LastDate,
                        LastSeenAt = commit.At,
                        Count = chat.Count + (isNew ? 1 : 0),
                    }
                    : new ChatActivity(p.ChatId, p.ChatTitle, p.MessageId, p.Date, commit.At, isNew ? 1 : 0);
            }
            foreach (var pending in added) _pending[pending.Key] = (pending, ++_seq);
            foreach (var key in resolved) _pending.Remove(key);
            Downloads.Apply(commit.NewPendingDownloads, commit.EndedPendingDownloads);
            foreach (var cp in checkpoints)
            {
                var id = (commit.Account, commit.Connector, cp.Stream);
                if (_checkpoints.TryGetValue(id, out var row) && row.Position >= cp.Position) continue;
                _checkpoints[id] = new CheckpointRow(commit.Account, commit.Connector, cp.Stream, cp.Position, commit.At);
            }
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>Refuses a commit the SQLite store would refuse (a value its columns do not take), before anything changes.</summary>
    private static void Check(StoreCommit commit, ProcessedMessage[] processed, Checkpoint[] checkpoints, PendingReply[] added, string[] resolved)
    {
        if (commit.Account is null || commit.Connector is null) throw new ArgumentException("the commit has no account or connector", nameof(commit));
        if (processed.Any(p => p.Key is null || (p.Sinks is not null && p.Sinks.Any(s => s is null))))
            throw new ArgumentException("a processed key or sink is null", nameof(commit));
        if (checkpoints.Any(c => c.Stream is null)) throw new ArgumentException("a checkpoint has no stream", nameof(commit));
        if (added.Any(p => p?.Key is null) || resolved.Any(k => k is null)) throw new ArgumentException("a pending reply or its key is null", nameof(commit));
    }

    /// <inheritdoc />
    public ValueTask<int> PruneProcessedAsync(DateTimeOffset olderThan, int keepAtMost, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(keepAtMost);
        ct.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var newestFirst = _processed.OrderByDescending(p => p.Value.At).ThenByDescending(p => p.Value.Seq).ToList();
            var dropped = 0;
            for (var i = 0; i < newestFirst.Count; i++)
            {
                if (i < keepAtMost && newestFirst[i].Value.At >= olderThan) continue;
                _processed.Remove(newestFirst[i].Key);
                dropped++;
            }
            // What a sink had ages out with the processed keys (by age only), except records still waiting in its outbox.
            foreach (var (sink, had) in _had)
            {
                var waiting = _waiting.TryGetValue(sink, out var entries) ? entries.Values.Select(e => e.Key).ToHashSet(StringComparer.Ordinal) : [];
                foreach (var (key, at) in had.ToList())
                    if (at < olderThan && !waiting.Contains(key)) had.Remove(key);
            }
            return new(dropped);
        }
    }

    // ---- dead letters ----

    /// <inheritdoc />
    ValueTask<long> IDeadLetterStore.AddAsync(NewDeadLetter letter, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(letter);
        ct.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!_letterIds.TryGetValue((letter.Key, letter.Stage), out var id))
            {
                id = ++_letterId;
                _letterIds[(letter.Key, letter.Stage)] = id;
            }
            _letters[id] = letter;
            return new(id);
        }
    }

    /// <inheritdoc />
    ValueTask<IReadOnlyList<DeadLetter>> IDeadLetterStore.ListAsync(int limit, long afterId, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        ct.ThrowIfCancellationRequested();
        lock (_gate)
        {
            IReadOnlyList<DeadLetter> list = [.. _letters.Where(l => l.Key > afterId).Take(limit).Select(l => new DeadLetter(l.Key, l.Value))];
            return new(list);
        }
    }

    /// <inheritdoc />
    ValueTask<bool> IDeadLetterStore.RemoveAsync(long id, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!_letters.Remove(id, out var letter)) return new(false);
            _letterIds.Remove((letter.Key, letter.Stage));
            return new(true);
        }
    }

    /// <inheritdoc />
    ValueTask<long> IDeadLetterStore.CountAsync(CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_gate) return new(_letters.Count);
    }

    // ---- pending replies ----

    /// <inheritdoc />
    ValueTask IPendingReplyStore.AddAsync(PendingReply pending, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(pending);
        ct.ThrowIfCancellationRequested();
        lock (_gate) _pending[pending.Key] = (pending, ++_seq);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    ValueTask<IReadOnlyList<PendingReply>> IPendingReplyStore.DueAsync(DateTimeOffset now, int limit, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        ct.ThrowIfCancellationRequested();
        lock (_gate)
        {
            IReadOnlyList<PendingReply> due = [.. _pending.Values
                .Where(p => p.Reply.NextAttempt <= now)
                .OrderBy(p => p.Reply.NextAttempt).ThenBy(p => p.Seq)
                .Take(limit)
                .Select(p => p.Reply)];
            return new(due);
        }
    }

    /// <inheritdoc />
    ValueTask<DateTimeOffset?> IPendingReplyStore.NextDueAsync(CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_gate) return new(_pending.Count == 0 ? null : _pending.Values.Min(p => p.Reply.NextAttempt));
    }

    /// <inheritdoc />
    ValueTask IPendingReplyStore.RescheduleAsync(string key, int attempts, DateTimeOffset next, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (_pending.TryGetValue(key, out var p))
                _pending[key] = (p.Reply with { Attempts = attempts, NextAttempt = next }, p.Seq);
        }
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    ValueTask IPendingReplyStore.RemoveAsync(string key, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_gate) _pending.Remove(key);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    ValueTask<long> IPendingReplyStore.CountAsync(CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_gate) return new(_pending.Count);
    }

    // ---- sink ledger ----

    /// <inheritdoc />
    public ValueTask<long?> GetOffsetAsync(string sink, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sink);
        ct.ThrowIfCancellationRequested();
        lock (_gate) return new(_offsets.TryGetValue(sink, out var offset) ? offset : null);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlySet<string>> FindWrittenAsync(string sink, IReadOnlyCollection<string> keys, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(keys);
        ct.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var found = new HashSet<string>(StringComparer.Ordinal);
            if (_had.TryGetValue(sink, out var had))
                foreach (var key in keys)
                    if (had.ContainsKey(key ?? throw new ArgumentException("a key is null", nameof(keys)))) found.Add(key);
            return new(found);
        }
    }

    /// <inheritdoc />
    public ValueTask RecordAsync(string sink, IReadOnlyCollection<string> keys, long offset, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ct.ThrowIfCancellationRequested();
        string[] recorded = [.. keys];
        if (recorded.Any(k => k is null)) throw new ArgumentException("a key is null", nameof(keys));
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            var had = Had(sink);
            foreach (var key in recorded) had.TryAdd(key, now);
            _offsets[sink] = offset;
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>The keys <paramref name="sink"/> has had; only inside the lock.</summary>
    private Dictionary<string, DateTimeOffset> Had(string sink)
    {
        if (!_had.TryGetValue(sink, out var had)) _had[sink] = had = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        return had;
    }

    /// <summary>The entries waiting for <paramref name="sink"/>; only inside the lock.</summary>
    private SortedDictionary<long, OutboxEntry> Waiting(string sink)
    {
        if (!_waiting.TryGetValue(sink, out var waiting)) _waiting[sink] = waiting = [];
        return waiting;
    }

    // ---- outbox ----

    /// <inheritdoc />
    public ValueTask<int> EnqueueAsync(string sink, IReadOnlyList<OutboxItem> items, CancellationToken ct) => Add(sink, items, requeue: false, ct);

    /// <inheritdoc />
    public ValueTask<int> RequeueAsync(string sink, IReadOnlyList<OutboxItem> items, CancellationToken ct) => Add(sink, items, requeue: true, ct);

    private ValueTask<int> Add(string sink, IReadOnlyList<OutboxItem> items, bool requeue, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(items);
        ct.ThrowIfCancellationRequested();
        OutboxItem[] queued = [.. items];
        if (queued.Any(i => i?.Key is null || i.Payload is null)) throw new ArgumentException("an item, its key or its payload is null", nameof(items));
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            var had = Had(sink);
            var waiting = Waiting(sink);
            var added = 0;
            foreach (var item in queued)
            {
                var firstTime = had.TryAdd(item.Key, now);
                if (requeue ? waiting.Values.Any(e => e.Key == item.Key) : !firstTime) continue;
                var id = ++_outboxId;
                waiting[id] = new OutboxEntry(id, item.Key, [.. item.Payload]);
                added++;
            }
            return new(added);
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<OutboxEntry>> PeekAsync(string sink, int max, CancellationToken ct) => PeekAfterAsync(sink, 0, max, ct);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<OutboxEntry>> PeekAfterAsync(string sink, long afterId, int max, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        ct.ThrowIfCancellationRequested();
        lock (_gate)
        {
            IReadOnlyList<OutboxEntry> entries = _waiting.TryGetValue(sink, out var waiting) ? [.. waiting.Values.Where(e => e.Id > afterId).Take(max)] : [];
            return new(entries);
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyDictionary<string, long>> WaitingAsync(CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_gate) return new(WaitingCounts());
    }

    /// <summary>Every sink with entries waiting, and how many; only inside the lock.</summary>
    private Dictionary<string, long> WaitingCounts() =>
        _waiting.Where(w => w.Value.Count > 0).ToDictionary(w => w.Key, w => (long)w.Value.Count, StringComparer.Ordinal);

    /// <inheritdoc />
    public ValueTask<OutboxMove> MoveAsync(string from, string to, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        ct.ThrowIfCancellationRequested();
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            if (from == to || !_waiting.TryGetValue(from, out var source)) return new(new OutboxMove(0, 0));
            var had = Had(to);
            var target = Waiting(to);
            long moved = 0, already = 0;
            foreach (var (id, entry) in source)
            {
                if (had.TryAdd(entry.Key, now))
                {
                    target[id] = entry;
                    moved++;
                }
                else
                {
                    already++; // the new sink had this key: not sent twice
                }
            }
            source.Clear();
            return new(new OutboxMove(moved, already));
        }
    }

    /// <inheritdoc />
    public ValueTask<long> DropAsync(string sink, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sink);
        ct.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!_waiting.TryGetValue(sink, out var waiting)) return new(0L);
            var dropped = waiting.Count;
            waiting.Clear();
            return new((long)dropped);
        }
    }

    /// <inheritdoc />
    public ValueTask DeleteAsync(string sink, IReadOnlyList<long> ids, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(ids);
        ct.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (_waiting.TryGetValue(sink, out var waiting))
                foreach (var id in ids) waiting.Remove(id);
        }
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<long> CountAsync(string sink, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sink);
        ct.ThrowIfCancellationRequested();
        lock (_gate) return new(_waiting.TryGetValue(sink, out var waiting) ? waiting.Count : 0);
    }

    // ---- status and inspection ----

    /// <inheritdoc />
    public ValueTask RecordLinkAsync(LinkRecord link, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(link);
        ct.ThrowIfCancellationRequested();
        lock (_gate)
        {
            _links[(link.Account, link.Connector)] = link;
            _linkRecords.Add(link);
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>Every link record written, in order.</summary>
    public IReadOnlyList<LinkRecord> LinkRecords
    {
        get { lock (_gate) return [.. _linkRecords]; }
    }

    /// <inheritdoc />
    public ValueTask<StoreStatus> GetStatusAsync(CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return new(new StoreStatus(
                [.. _checkpoints.Values.OrderBy(c => c.Account, StringComparer.Ordinal).ThenBy(c => c.Connector, StringComparer.Ordinal).ThenBy(c => c.Stream, StringComparer.Ordinal)],
                [.. _chats.Values.OrderByDescending(c => c.LastDate).ThenBy(c => c.ChatId)],
                _processed.Count,
                _letters.Count,
                _pending.Count,
                WaitingCounts())
            {
                Links = [.. _links.Values.OrderBy(l => l.Account, StringComparer.Ordinal).ThenBy(l => l.Connector, StringComparer.Ordinal)],
                Sinks = [.. _sinkNames],
            });
        }
    }

    /// <summary>Everything the store holds, copied at one instant.</summary>
    public StateSnapshot Snapshot()
    {
        lock (_gate)
        {
            return new StateSnapshot(
                [.. _checkpoints.Values],
                [.. _processed.OrderBy(p => p.Value.Seq).Select(p => p.Key)],
                [.. _letters.Select(l => new DeadLetter(l.Key, l.Value))],
                [.. _pending.Values.OrderBy(p => p.Reply.NextAttempt).ThenBy(p => p.Seq).Select(p => p.Reply)],
                _had.Keys.Union(_offsets.Keys).ToDictionary(
                    sink => sink,
                    sink => new LedgerSnapshot(_had.TryGetValue(sink, out var had) ? had.Keys.ToHashSet(StringComparer.Ordinal) : [], _offsets.GetValueOrDefault(sink)),
                    StringComparer.Ordinal),
                _waiting.ToDictionary(w => w.Key, w => (IReadOnlyList<OutboxEntry>)[.. w.Value.Values], StringComparer.Ordinal));
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Disposed = true;
        return ValueTask.CompletedTask;
    }
}

/// <summary>A copy of everything an <see cref="InMemoryStateStore"/> holds.</summary>
/// <param name="Checkpoints">Stored checkpoints.</param>
/// <param name="Processed">Processed keys, in the order they were first committed.</param>
/// <param name="DeadLetters">Dead letters in id order.</param>
/// <param name="PendingReplies">Pending replies, earliest due first.</param>
/// <param name="Ledger">Per sink: the keys it has had (written, or taken by its outbox) and its accounted-for offset.</param>
/// <param name="Outbox">Per sink: waiting entries in id order.</param>
public sealed record StateSnapshot(
    IReadOnlyList<CheckpointRow> Checkpoints,
    IReadOnlyList<string> Processed,
    IReadOnlyList<DeadLetter> DeadLetters,
    IReadOnlyList<PendingReply> PendingReplies,
    IReadOnlyDictionary<string, LedgerSnapshot> Ledger,
    IReadOnlyDictionary<string, IReadOnlyList<OutboxEntry>> Outbox)
{
    /// <summary>The waiting outbox entries of <paramref name="sink"/> (empty when none).</summary>
    public IReadOnlyList<OutboxEntry> OutboxOf(string sink) => Outbox.TryGetValue(sink, out var e) ? e : [];

    /// <summary>The ledger of <paramref name="sink"/> (empty, offset 0, when it never recorded).</summary>
    public LedgerSnapshot LedgerOf(string sink) => Ledger.TryGetValue(sink, out var l) ? l : new LedgerSnapshot(new HashSet<string>(), 0);
}

/// <summary>A sink's ledger.</summary>
/// <param name="Keys">Keys recorded as written.</param>
/// <param name="Offset">Accounted-for byte offset.</param>
public sealed record LedgerSnapshot(IReadOnlySet<string> Keys, long Offset);
