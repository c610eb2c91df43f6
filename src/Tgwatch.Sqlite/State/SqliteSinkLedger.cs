using Microsoft.Data.Sqlite;
using Tgwatch.Sqlite.Database;
using Tgwatch.Storage;

namespace Tgwatch.Sqlite.State;

/// <summary>Written keys per sink (<c>sink_ledger</c>, shared with the outbox) and each sink's accounted-for offset (<c>sink_offsets</c>).</summary>
/// <remarks>
/// A sink's record of an append (keys, and an offset past the one already recorded) is held in memory and written in the
/// transaction of the store's next commit (<see cref="SqliteStateStore.CommitAsync"/>), which follows every sink's write of a
/// batch: one transaction, and one sync of the database, a batch instead of two. Until then <see cref="FindWrittenAsync"/> and
/// <see cref="GetOffsetAsync"/> answer with it, and a crash loses nothing: the lines past the offset on disk are the sink's own
/// appends, which it accounts for again at its next start (complete ones recorded, a torn one cut). Every other record (the
/// first offset of a sink, an offset that goes back, one with no keys) is written at once, with what is held before it.
/// A record no commit took within <see cref="HoldAtMost"/> (the batch is stuck on another sink) is written on its own: the
/// file may be moved away meanwhile, and the lines in the moved file are accounted for by the database alone.
/// <para>A key is kept once: a held key that the same commit first records as processed, with the sink among those that
/// have it (<c>processed.sinks</c>), is not written to <c>sink_ledger</c> too (its <c>processed_at</c> is then when the sink
/// wrote it), and <see cref="FindWrittenAsync"/> answers from both tables. Such a key ages out of the processed keys as it
/// would have out of the ledger, by age; pruned by count, it is moved to the ledger first (<see cref="ProcessedKeys"/>).</para>
/// </remarks>
/// <param name="gate">The database.</param>
/// <param name="time">The clock.</param>
internal sealed class SqliteSinkLedger(ConnectionGate gate, TimeProvider time) : ISinkLedger
{
    /// <summary>A sink's written key (<see cref="ConnectionGate.Prepared"/>: the sink ?1, the key ?2, the time ?3).</summary>
    internal const string RecordKey = "INSERT INTO sink_ledger (sink, key, recorded_at) VALUES (?1, ?2, ?3) ON CONFLICT (sink, key) DO NOTHING";

    // What the sink wrote: in its ledger, or processed with it among the sinks that have the key (NULL: every sink has it).
    private static readonly KeyInList Lookup = new("""
        SELECT key FROM sink_ledger WHERE sink = ?1 AND key IN ({0})
        UNION
        SELECT key FROM processed WHERE key IN ({0})
            AND (sinks IS NULL OR instr(',' || sinks || ',', ',' || (SELECT id FROM sinks WHERE name = ?1) || ',') > 0)
        """, fixedParameter: true);

    private const string SetOffset = """
        INSERT INTO sink_offsets (sink, byte_offset) VALUES (@sink, @offset)
        ON CONFLICT (sink) DO UPDATE SET byte_offset = excluded.byte_offset
        """;

    /// <summary>
    /// How long a record waits for a commit before it is written on its own. A batch another sink keeps retrying holds back
    /// the commit for as long as that takes; meanwhile the sink's file may be moved away (logrotate without SIGHUP), and after a
    /// crash the lines in the moved file are nobody's to account for: their keys must be in the database by then.
    /// </summary>
    internal static readonly TimeSpan HoldAtMost = TimeSpan.FromMilliseconds(200);

    private readonly Lock _sync = new();

    /// <summary>Writes what is held when no commit took it within <see cref="HoldAtMost"/>; armed when something is first held.</summary>
    private ITimer? _timer;

    private bool _closed;

    /// <summary>Records held for the next commit, by sink, in the order made.</summary>
    private Dictionary<string, Held> _held = new(StringComparer.Ordinal);

    /// <summary>Each sink's offset as the database holds it, once read or written by this process.</summary>
    private readonly Dictionary<string, long> _stored = new(StringComparer.Ordinal);

    /// <summary>What is held for one sink: its keys and its last offset.</summary>
    internal sealed class Held
    {
        public readonly HashSet<string> Keys = new(StringComparer.Ordinal);
        public long Offset;
    }

    public async ValueTask<long?> GetOffsetAsync(string sink, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sink);
        // Inside the gate: a commit (or flush) that took what is held has either stored it or put it back by then.
        using (await gate.EnterAsync(ct).ConfigureAwait(false))
        {
            lock (_sync)
            {
                if (_held.TryGetValue(sink, out var held)) return held.Offset;
            }
            var command = gate.Command("SELECT byte_offset FROM sink_offsets WHERE sink = @sink", null, "@sink");
            command.Parameters[0].Value = sink;
            if (command.ExecuteScalar() is not long offset) return null;
            lock (_sync) _stored[sink] = offset;
            return offset;
        }
    }

    public async ValueTask<IReadOnlySet<string>> FindWrittenAsync(string sink, IReadOnlyCollection<string> keys, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(keys);
        var found = new HashSet<string>(StringComparer.Ordinal);
        if (keys.Count == 0) return found;
        // Inside the gate: a commit (or flush) that took what is held has either stored it or put it back by then; looked
        // up before it, a held key taken by a commit that then failed would be in neither place.
        using (await gate.EnterAsync(ct).ConfigureAwait(false))
        {
            IReadOnlyCollection<string> stored = keys;
            lock (_sync)
            {
                if (_held.TryGetValue(sink, out var held))
                {
                    var rest = new List<string>(keys.Count);
                    foreach (var key in keys)
                        if (held.Keys.Contains(key)) found.Add(key);
                        else rest.Add(key);
                    stored = rest;
                }
            }
            if (stored.Count > 0) Lookup.Find(gate, sink, stored, found);
        }
        return found;
    }

    public async ValueTask RecordAsync(string sink, IReadOnlyCollection<string> keys, long offset, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ct.ThrowIfCancellationRequested();
        foreach (var key in keys)
            if (key is null) throw new ArgumentException("a key is null", nameof(keys));
        lock (_sync)
        {
            // An append past an offset the database holds waits for the next commit.
            if (keys.Count > 0 && _stored.TryGetValue(sink, out var stored))
            {
                var held = _held.GetValueOrDefault(sink);
                if (offset >= (held?.Offset ?? stored))
                {
                    if (_held.Count == 0) Arm();
                    if (held is null) _held[sink] = held = new Held();
                    held.Keys.UnionWith(keys);
                    held.Offset = offset;
                    return;
                }
            }
        }
        using (await gate.EnterAsync(ct).ConfigureAwait(false))
        {
            using var transaction = gate.BeginWrite();
            Commit(transaction, WriteHeld(transaction), () => Write(transaction, sink, keys, offset, UnixMs.Of(time.GetUtcNow())));
            lock (_sync) _stored[sink] = offset;
        }
    }

    /// <summary>
    /// Takes what is held for the next commit and writes it in <paramref name="transaction"/> (inside the gate); then
    /// <see cref="Commit"/> ends the transaction with it.
    /// </summary>
    /// <param name="transaction">The transaction.</param>
    /// <param name="committed">The keys first processed in the same transaction: those a sink has among them are not written again.</param>
    internal Dictionary<string, Held>? WriteHeld(SqliteTransaction transaction, IReadOnlyList<ProcessedMessage>? committed = null)
    {
        var held = TakeHeld();
        if (held is null) return null;
        try
        {
            Write(transaction, held, committed);
        }
        catch
        {
            PutBack(held);
            throw;
        }
        return held;
    }

    /// <summary>Starts the wait for a commit (inside <see cref="_sync"/>, when the first record is held).</summary>
    private void Arm()
    {
        if (_closed) return;
        _timer ??= time.CreateTimer(static state => _ = ((SqliteSinkLedger)state!).FlushHeldAsync(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _timer.Change(HoldAtMost, Timeout.InfiniteTimeSpan);
    }

    /// <summary>No commit came in time: what is held is written on its own (if that fails, it stays held and is tried again).</summary>
    private async Task FlushHeldAsync()
    {
        try
        {
            await FlushAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is SqliteException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            // Held again (PutBack armed the wait anew); the commit, the next try or the store's close writes it.
        }
    }

    /// <summary>Stops the wait for commits: the store is closing, and writes what is held itself.</summary>
    internal void Close()
    {
        lock (_sync)
        {
            _closed = true;
            _timer?.Dispose();
            _timer = null;
        }
    }

    /// <summary>Writes what is held, in a transaction of its own (no commit came in time, or the store closing).</summary>
    internal async ValueTask FlushAsync()
    {
        using (await gate.EnterAsync(CancellationToken.None).ConfigureAwait(false))
        {
            lock (_sync)
            {
                if (_held.Count == 0) return; // the commit took it (no write transaction for nothing)
            }
            using var transaction = gate.BeginWrite();
            if (WriteHeld(transaction) is { } held) Commit(transaction, held);
        }
    }

    /// <summary>
    /// Commits <paramref name="transaction"/>, which holds the records <see cref="WriteHeld"/> took, after
    /// <paramref name="before"/> (more of it, or a last check): they are stored then, or held again if anything failed.
    /// </summary>
    internal void Commit(SqliteTransaction transaction, Dictionary<string, Held>? held, Action? before = null)
    {
        try
        {
            before?.Invoke();
            transaction.Commit();
        }
        catch
        {
            PutBack(held);
            throw;
        }
        if (held is null) return;
        lock (_sync)
            foreach (var (sink, records) in held) _stored[sink] = records.Offset;
    }

    /// <summary>Records taken by <see cref="WriteHeld"/> were not written: held again, before anything held since.</summary>
    private void PutBack(Dictionary<string, Held>? taken)
    {
        if (taken is null) return;
        lock (_sync)
        {
            foreach (var (sink, since) in _held)
            {
                if (!taken.TryGetValue(sink, out var before)) { taken[sink] = since; continue; }
                before.Keys.UnionWith(since.Keys);
                before.Offset = since.Offset;
            }
            _held = taken;
            Arm();
        }
    }

    private Dictionary<string, Held>? TakeHeld()
    {
        lock (_sync)
        {
            if (_held.Count == 0) return null;
            var taken = _held;
            _held = new Dictionary<string, Held>(StringComparer.Ordinal);
            return taken;
        }
    }

    /// <summary>The index of each key of a commit's processed list (reused: only inside the gate).</summary>
    private readonly Dictionary<string, int> _committed = new(StringComparer.Ordinal);

    private void Write(SqliteTransaction transaction, Dictionary<string, Held> held, IReadOnlyList<ProcessedMessage>? committed)
    {
        var at = UnixMs.Of(time.GetUtcNow());
        _committed.Clear();
        if (committed is not null)
            for (var i = 0; i < committed.Count; i++) _committed.TryAdd(committed[i].Key, i);
        try
        {
            foreach (var (sink, records) in held) Write(transaction, sink, records.Keys, records.Offset, at, committed);
        }
        finally
        {
            _committed.Clear();
        }
    }

    private void Write(SqliteTransaction transaction, string sink, IReadOnlyCollection<string> keys, long offset, long at, IReadOnlyList<ProcessedMessage>? committed = null)
    {
        if (keys.Count > 0)
        {
            var record = gate.Prepared(RecordKey);
            record.Bind(1, sink);
            record.Bind(3, at);
            foreach (var key in keys)
            {
                if (committed is not null && _committed.TryGetValue(key, out var i) && Has(committed[i], sink)) continue;
                record.Bind(2, key);
                record.Run();
            }
        }
        var set = gate.Command(SetOffset, transaction, "@sink", "@offset");
        set.Parameters[0].Value = sink;
        set.Parameters[1].Value = offset;
        set.ExecuteNonQuery();
    }

    /// <summary>Whether a processed key's row says <paramref name="sink"/> has it (no list: every sink has it).</summary>
    private static bool Has(ProcessedMessage m, string sink)
    {
        if (m.Sinks is not { } sinks) return true;
        foreach (var name in sinks)
            if (string.Equals(name, sink, StringComparison.Ordinal)) return true;
        return false;
    }
}
