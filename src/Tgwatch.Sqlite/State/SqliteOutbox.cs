using Tgwatch.Sqlite.Database;
using Tgwatch.Storage;

namespace Tgwatch.Sqlite.State;

/// <summary>
/// Per-sink queue in the <c>outbox</c> table. A key is enqueued only when the sink's ledger
/// (<c>sink_ledger</c>) did not hold it, and recorded there in the same transaction, so it is never
/// enqueued twice, even after it was sent and deleted.
/// </summary>
internal sealed class SqliteOutbox(ConnectionGate gate, TimeProvider time) : IOutbox
{
    private const string Insert = "INSERT INTO outbox (sink, key, payload, enqueued_at) VALUES (@sink, @key, @payload, @at)";
    private const string Peek = "SELECT id, key, payload FROM outbox WHERE sink = @sink AND id > @after ORDER BY id LIMIT @max";

    public ValueTask<int> EnqueueAsync(string sink, IReadOnlyList<OutboxItem> items, CancellationToken ct) =>
        AddAsync(sink, items, requeue: false, ct);

    public ValueTask<int> RequeueAsync(string sink, IReadOnlyList<OutboxItem> items, CancellationToken ct) =>
        AddAsync(sink, items, requeue: true, ct);

    /// <summary>
    /// Queues the items in one transaction. A first enqueue takes only keys the sink's ledger never held; a
    /// requeue (a dead letter's replay) takes keys held before too, but never doubles one that is waiting.
    /// </summary>
    private async ValueTask<int> AddAsync(string sink, IReadOnlyList<OutboxItem> items, bool requeue, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count == 0) return 0;
        var at = UnixMs.Of(time.GetUtcNow());
        using (await gate.EnterAsync(ct).ConfigureAwait(false))
        {
            using var transaction = gate.BeginWrite();
            var record = gate.Prepared(SqliteSinkLedger.RecordKey);
            var waiting = gate.Command("SELECT 1 FROM outbox WHERE sink = @sink AND key = @key LIMIT 1", transaction, "@sink", "@key");
            var insert = gate.Command(Insert, transaction, "@sink", "@key", "@payload", "@at");
            record.Bind(1, sink);
            record.Bind(3, at);
            waiting.Parameters[0].Value = sink;
            insert.Parameters[0].Value = sink;
            insert.Parameters[3].Value = at;
            var added = 0;
            for (var i = 0; i < items.Count; i++)
            {
                var item = items[i] ?? throw new ArgumentException("an item is null", nameof(items));
                record.Bind(2, item.Key);
                var firstTime = record.Run() != 0;
                if (requeue)
                {
                    waiting.Parameters[1].Value = item.Key;
                    if (waiting.ExecuteScalar() is not null) continue; // already waiting: not doubled
                }
                else if (!firstTime)
                {
                    continue; // this sink had the key already
                }
                insert.Parameters[1].Value = item.Key;
                insert.Parameters[2].Value = item.Payload;
                insert.ExecuteNonQuery();
                added++;
            }
            transaction.Commit();
            return added;
        }
    }

    public ValueTask<IReadOnlyList<OutboxEntry>> PeekAsync(string sink, int max, CancellationToken ct) => PeekAfterAsync(sink, 0, max, ct);

    public async ValueTask<IReadOnlyList<OutboxEntry>> PeekAfterAsync(string sink, long afterId, int max, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        var entries = new List<OutboxEntry>();
        using (await gate.EnterAsync(ct).ConfigureAwait(false))
        {
            var command = gate.Command(Peek, null, "@sink", "@after", "@max");
            command.Parameters[0].Value = sink;
            command.Parameters[1].Value = afterId;
            command.Parameters[2].Value = max;
            using var r = command.ExecuteReader();
            while (r.Read()) entries.Add(new OutboxEntry(r.GetInt64(0), r.GetString(1), (byte[])r.GetValue(2)));
        }
        return entries;
    }

    public async ValueTask DeleteAsync(string sink, IReadOnlyList<long> ids, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Count == 0) return;
        using (await gate.EnterAsync(ct).ConfigureAwait(false))
        {
            using var transaction = gate.BeginWrite();
            var delete = gate.Command("DELETE FROM outbox WHERE sink = @sink AND id = @id", transaction, "@sink", "@id");
            delete.Parameters[0].Value = sink;
            for (var i = 0; i < ids.Count; i++)
            {
                delete.Parameters[1].Value = ids[i];
                delete.ExecuteNonQuery();
            }
            transaction.Commit();
        }
    }

    public async ValueTask<long> CountAsync(string sink, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sink);
        using (await gate.EnterAsync(ct).ConfigureAwait(false))
        {
            var command = gate.Command("SELECT count(*) FROM outbox WHERE sink = @sink", null, "@sink");
            command.Parameters[0].Value = sink;
            return (long)command.ExecuteScalar()!;
        }
    }

    public async ValueTask<IReadOnlyDictionary<string, long>> WaitingAsync(CancellationToken ct)
    {
        var waiting = new Dictionary<string, long>(StringComparer.Ordinal);
        using (await gate.EnterAsync(ct).ConfigureAwait(false))
        {
            using var r = gate.Command("SELECT sink, count(*) FROM outbox GROUP BY sink ORDER BY sink", null).ExecuteReader();
            while (r.Read()) waiting[r.GetString(0)] = r.GetInt64(1);
        }
        return waiting;
    }

    public async ValueTask<OutboxMove> MoveAsync(string from, string to, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        if (from == to) return new OutboxMove(0, 0);
        var at = UnixMs.Of(time.GetUtcNow());
        using (await gate.EnterAsync(ct).ConfigureAwait(false))
        {
            using var transaction = gate.BeginWrite();
            var entries = new List<(long Id, string Key)>();
            var list = gate.Command("SELECT id, key FROM outbox WHERE sink = @sink ORDER BY id", transaction, "@sink");
            list.Parameters[0].Value = from;
            using (var r = list.ExecuteReader())
                while (r.Read()) entries.Add((r.GetInt64(0), r.GetString(1)));
            var record = gate.Prepared(SqliteSinkLedger.RecordKey);
            record.Bind(1, to);
            record.Bind(3, at);
            var move = gate.Command("UPDATE outbox SET sink = @to WHERE id = @id", transaction, "@to", "@id");
            move.Parameters[0].Value = to;
            var delete = gate.Command("DELETE FROM outbox WHERE id = @id", transaction, "@id");
            long moved = 0, already = 0;
            foreach (var (id, key) in entries)
            {
                record.Bind(2, key);
                var firstTime = record.Run() != 0;
                if (firstTime) moved++;
                else already++; // the new sink had this key: not sent twice
                var command = firstTime ? move : delete;
                command.Parameters[^1].Value = id;
                command.ExecuteNonQuery();
            }
            transaction.Commit();
            return new OutboxMove(moved, already);
        }
    }

    public async ValueTask<long> DropAsync(string sink, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sink);
        using (await gate.EnterAsync(ct).ConfigureAwait(false))
        {
            using var transaction = gate.BeginWrite();
            var drop = gate.Command("DELETE FROM outbox WHERE sink = @sink", transaction, "@sink");
            drop.Parameters[0].Value = sink;
            var dropped = drop.ExecuteNonQuery();
            transaction.Commit();
            return dropped;
        }
    }
}
