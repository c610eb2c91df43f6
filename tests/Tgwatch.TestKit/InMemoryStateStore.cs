using Tgwatch.Connectors;
using Tgwatch.Storage;

namespace Tgwatch.TestKit;

/// <summary>
/// A complete <see cref="IStateStore"/> in memory, safe for concurrent use (one lock), with the documented
/// semantics: checkpoints never move back; processed keys pruned by age and count; a dead letter replaces
/// the one with the same key and stage (keeping its id); pending replies due earliest first; a sink
/// ledger; an outbox that never takes a (sink, key) twice, even after it was deleted. <see cref="Snapshot"/>
/// shows everything at once for assertions.
/// </summary>
public sealed class InMemoryStateStore : IStateStore, IDeadLetterStore, IPendingReplyStore, ISinkLedger, IOutbox
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Account, string Connector, string Stream), CheckpointRow> _checkpoints = [];
    private readonly Dictionary<string, (DateTimeOffset At, long Seq, HashSet<string>? Sinks)> _processed = new(StringComparer.Ordinal);
    private readonly Dictionary<long, ChatActivity> _chats = [];
    private readonly SortedDictionary<long, NewDeadLetter> _letters = [];
    private readonly Dictionary<(string Key, string Stage), long> _letterIds = [];
    private readonly Dictionary<string, (PendingReply Reply, long Seq)> _pending = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (HashSet<string> Keys, long Offset)> _ledger = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (SortedDictionary<long, OutboxEntry> Waiting, HashSet<string> Ever)> _outbox = new(StringComparer.Ordinal);
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
    public ValueTask CommitAsync(StoreCommit commit, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(commit);
        ct.ThrowIfCancellationRequested();
        OnCommit?.Invoke(commit);
        lock (_gate)
        {
            _commits++;
            foreach (var p in commit.Processed)
            {
                if (_processed.TryGetValue(p.Key, out var had))
                {
                    if (had.Sinks is not null)
                    {
                        if (p.Sinks is null) _processed[p.Key] = had with { Sinks = null };
                        else had.Sinks.UnionWith(p.Sinks);
                    }
                    continue;
                }
                _processed[p.Key] = (commit.At, ++_seq, p.Sinks is null ? null : new HashSet<string>(p.Sinks, StringComparer.Ordinal));
                if (_chats.TryGetValue(p.ChatId, out var chat))
                {
                    var later = p.MessageId >= chat.LastMessageId;
                    _chats[p.ChatId] = chat with
                    {
                        Title = p.ChatTitle ?? chat.Title,
                        LastMessageId = later ? p.MessageId : chat.LastMessageId,
                        LastDate = later ? p.Date : chat.LastDate,
                        LastSeenAt = commit.At > chat.LastSeenAt ? commit.At : chat.LastSeenAt,
                        Count = chat.Count + 1,
                    };
                }
                else _chats[p.ChatId] = new ChatActivity(p.ChatId, p.ChatTitle, p.MessageId, p.Date, commit.At, 1);
            }
            foreach (var pending in commit.NewPendingReplies) _pending[pending.Key] = (pending, ++_seq);
            foreach (var key in commit.ResolvedPendingReplies) _pending.Remove(key);
            foreach (var cp in commit.Checkpoints)
            {
                var id = (commit.Account, commit.Connector, cp.Stream);
                if (_checkpoints.TryGetValue(id, out var row) && row.Position >= cp.Position) continue;
                _checkpoints[id] = new CheckpointRow(commit.Account, commit.Connector, cp.Stream, cp.Position, commit.At);
            }
        }
        return ValueTask.CompletedTask;
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
        ct.ThrowIfCancellationRequested();
        lock (_gate) return new(_ledger.TryGetValue(sink, out var l) ? l.Offset : null);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlySet<string>> FindWrittenAsync(string sink, IReadOnlyCollection<string> keys, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ct.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var found = new HashSet<string>(StringComparer.Ordinal);
            if (_ledger.TryGetValue(sink, out var l))
                foreach (var key in keys)
                    if (l.Keys.Contains(key)) found.Add(key);
            return new(found);
        }
    }

    /// <inheritdoc />
    public ValueTask RecordAsync(string sink, IReadOnlyCollection<string> keys, long offset, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ct.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var set = _ledger.TryGetValue(sink, out var l) ? l.Keys : new HashSet<string>(StringComparer.Ordinal);
            set.UnionWith(keys);
            _ledger[sink] = (set, offset);
        }
        return ValueTask.CompletedTask;
    }

    // ---- outbox ----

    /// <inheritdoc />
    public ValueTask<int> EnqueueAsync(string sink, IReadOnlyList<OutboxItem> items, CancellationToken ct) => Add(sink, items, requeue: false, ct);

    /// <inheritdoc />
    public ValueTask<int> RequeueAsync(string sink, IReadOnlyList<OutboxItem> items, CancellationToken ct) => Add(sink, items, requeue: true, ct);

    private ValueTask<int> Add(string sink, IReadOnlyList<OutboxItem> items, bool requeue, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(items);
        ct.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!_outbox.TryGetValue(sink, out var box))
                _outbox[sink] = box = ([], new HashSet<string>(StringComparer.Ordinal));
            var added = 0;
            foreach (var item in items)
            {
                var firstTime = box.Ever.Add(item.Key);
                if (requeue ? box.Waiting.Values.Any(e => e.Key == item.Key) : !firstTime) continue;
                var id = ++_outboxId;
                box.Waiting[id] = new OutboxEntry(id, item.Key, [.. item.Payload]);
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
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        ct.ThrowIfCancellationRequested();
        lock (_gate)
        {
            IReadOnlyList<OutboxEntry> entries = _outbox.TryGetValue(sink, out var box) ? [.. box.Waiting.Values.Where(e => e.Id > afterId).Take(max)] : [];
            return new(entries);
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyDictionary<string, long>> WaitingAsync(CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_gate)
        {
            IReadOnlyDictionary<string, long> waiting = _outbox.Where(b => b.Value.Waiting.Count > 0)
                .ToDictionary(b => b.Key, b => (long)b.Value.Waiting.Count, StringComparer.Ordinal);
            return new(waiting);
        }
    }

    /// <inheritdoc />
    public ValueTask<OutboxMove> MoveAsync(string from, string to, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (from == to || !_outbox.TryGetValue(from, out var source)) return new(new OutboxMove(0, 0));
            if (!_outbox.TryGetValue(to, out var target))
                _outbox[to] = target = ([], new HashSet<string>(StringComparer.Ordinal));
            long moved = 0, already = 0;
            foreach (var (id, entry) in source.Waiting)
            {
                if (target.Ever.Add(entry.Key))
                {
                    target.Waiting[id] = entry;
                    moved++;
                }
                else
                {
                    already++;
                }
            }
            source.Waiting.Clear();
            return new(new OutboxMove(moved, already));
        }
    }

    /// <inheritdoc />
    public ValueTask<long> DropAsync(string sink, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!_outbox.TryGetValue(sink, out var box)) return new(0L);
            var dropped = box.Waiting.Count;
            box.Waiting.Clear();
            return new((long)dropped);
        }
    }

    /// <inheritdoc />
    public ValueTask DeleteAsync(string sink, IReadOnlyList<long> ids, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ct.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (_outbox.TryGetValue(sink, out var box))
                foreach (var id in ids) box.Waiting.Remove(id);
        }
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<long> CountAsync(string sink, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_gate) return new(_outbox.TryGetValue(sink, out var box) ? box.Waiting.Count : 0);
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
            var outbox = _outbox.Where(b => b.Value.Waiting.Count > 0)
                .ToDictionary(b => b.Key, b => (long)b.Value.Waiting.Count, StringComparer.Ordinal);
            return new(new StoreStatus(
                [.. _checkpoints.Values.OrderBy(c => c.Account, StringComparer.Ordinal).ThenBy(c => c.Connector, StringComparer.Ordinal).ThenBy(c => c.Stream, StringComparer.Ordinal)],
                [.. _chats.Values.OrderByDescending(c => c.LastSeenAt).ThenBy(c => c.ChatId)],
                _processed.Count,
                _letters.Count,
                _pending.Count,
                outbox)
            {
                Links = [.. _links.Values.OrderBy(l => l.Account, StringComparer.Ordinal).ThenBy(l => l.Connector, StringComparer.Ordinal)],
                Sinks = [.. _processed.Values.SelectMany(p => p.Sinks ?? []).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
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
                _ledger.ToDictionary(l => l.Key, l => new LedgerSnapshot(l.Value.Keys.ToHashSet(StringComparer.Ordinal), l.Value.Offset), StringComparer.Ordinal),
                _outbox.ToDictionary(b => b.Key, b => (IReadOnlyList<OutboxEntry>)[.. b.Value.Waiting.Values], StringComparer.Ordinal));
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
/// <param name="Ledger">Per sink: written keys and accounted-for offset.</param>
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
