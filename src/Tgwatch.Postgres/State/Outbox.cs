using Npgsql;
using Tgwatch.Postgres.Database;
using Tgwatch.Storage;

namespace Tgwatch.Postgres.State;

/// <summary>
/// Per-sink queue in <c>tgwatch_outbox</c>. A key is enqueued only when the sink's ledger (<c>tgwatch_sink_ledger</c>) did
/// not hold it, and recorded there in the same transaction, so it is never enqueued twice, even after it was sent and
/// deleted. Changes to one sink's queue take that sink's advisory lock: they happen one after the other, as in SQLite.
/// </summary>
internal sealed class Outbox(PgPool pool, LeaseTable leases, TimeProvider time) : IOutbox
{
    /// <summary>The first half of the advisory lock of a sink's queue ('TGW1'); the second is a hash of the sink's name.</summary>
    private const int QueueLock = 0x54475731;

    public ValueTask<int> EnqueueAsync(string sink, IReadOnlyList<OutboxItem> items, CancellationToken ct) => AddAsync(sink, items, requeue: false, ct);

    public ValueTask<int> RequeueAsync(string sink, IReadOnlyList<OutboxItem> items, CancellationToken ct) => AddAsync(sink, items, requeue: true, ct);

    /// <summary>
    /// Queues the items in one transaction. A first enqueue takes only keys the sink's ledger never held; a requeue (a dead
    /// letter's replay) takes keys held before too, but never doubles one that is waiting.
    /// </summary>
    private async ValueTask<int> AddAsync(string sink, IReadOnlyList<OutboxItem> items, bool requeue, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(items);
        ct.ThrowIfCancellationRequested();
        if (items.Count == 0) return 0;
        var firsts = new List<OutboxItem>(items.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            if (item?.Key is null) throw new ArgumentException("an item or its key is null", nameof(items));
            if (seen.Add(item.Key)) firsts.Add(item);
        }
        var at = time.GetUtcNow();
        await using var connection = await pool.OpenAsync(ct).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        await leases.CheckAsync(connection, transaction, ct).ConfigureAwait(false);
        await LockAsync(connection, transaction, sink, ct).ConfigureAwait(false);
        var keys = seen.Order(StringComparer.Ordinal).ToArray();
        var fresh = await SinkLedger.RecordAsync(connection, transaction, sink, keys, at, ct).ConfigureAwait(false);
        List<OutboxItem> queued;
        if (requeue)
        {
            var waiting = new HashSet<string>(StringComparer.Ordinal);
            await using (var command = PgPool.Command(connection, transaction, "SELECT key FROM tgwatch_outbox WHERE sink = @sink AND key = ANY(@keys)", ("sink", sink), ("keys", keys)))
            await using (var r = await command.ExecuteReaderAsync(ct).ConfigureAwait(false))
            {
                while (await r.ReadAsync(ct).ConfigureAwait(false)) waiting.Add(r.GetString(0));
            }
            queued = [.. firsts.Where(i => !waiting.Contains(i.Key))];
        }
        else
        {
            queued = [.. firsts.Where(i => fresh.Contains(i.Key))];
        }
        if (queued.Count > 0)
        {
            await PgPool.ExecuteAsync(connection, transaction, """
                INSERT INTO tgwatch_outbox (sink, key, payload, enqueued_at)
                SELECT @sink, k, p, @at FROM unnest(@keys::text[], @payloads::bytea[]) WITH ORDINALITY AS t(k, p, o) ORDER BY o
                """, ct, ("sink", sink), ("at", Instants.Utc(at)), ("keys", queued.Select(i => i.Key).ToArray()), ("payloads", queued.Select(i => i.Payload).ToArray())).ConfigureAwait(false);
        }
        await transaction.CommitAsync(ct).ConfigureAwait(false);
        return queued.Count;
    }

    public ValueTask<IReadOnlyList<OutboxEntry>> PeekAsync(string sink, int max, CancellationToken ct) => PeekAfterAsync(sink, 0, max, ct);

    public async ValueTask<IReadOnlyList<OutboxEntry>> PeekAfterAsync(string sink, long afterId, int max, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        var entries = new List<OutboxEntry>();
        await using var connection = await pool.OpenAsync(ct).ConfigureAwait(false);
        await using var command = PgPool.Command(connection, null, "SELECT id, key, payload FROM tgwatch_outbox WHERE sink = @sink AND id > @after ORDER BY id LIMIT @max",
            ("sink", sink), ("after", afterId), ("max", max));
        await using var r = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await r.ReadAsync(ct).ConfigureAwait(false)) entries.Add(new OutboxEntry(r.GetInt64(0), r.GetString(1), r.GetFieldValue<byte[]>(2)));
        return entries;
    }

    public async ValueTask DeleteAsync(string sink, IReadOnlyList<long> ids, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(ids);
        ct.ThrowIfCancellationRequested();
        if (ids.Count == 0) return;
        await using var connection = await pool.OpenAsync(ct).ConfigureAwait(false);
        await PgPool.ExecuteAsync(connection, null, "DELETE FROM tgwatch_outbox WHERE sink = @sink AND id = ANY(@ids)", ct, ("sink", sink), ("ids", ids.ToArray())).ConfigureAwait(false);
    }

    public async ValueTask<long> CountAsync(string sink, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sink);
        await using var connection = await pool.OpenAsync(ct).ConfigureAwait(false);
        return (long)(await PgPool.ScalarAsync(connection, null, "SELECT count(*) FROM tgwatch_outbox WHERE sink = @sink", ct, ("sink", sink)).ConfigureAwait(false))!;
    }

    public async ValueTask<IReadOnlyDictionary<string, long>> WaitingAsync(CancellationToken ct)
    {
        await using var connection = await pool.OpenAsync(ct).ConfigureAwait(false);
        return await WaitingAsync(connection, null, ct).ConfigureAwait(false);
    }

    internal static async Task<Dictionary<string, long>> WaitingAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken ct)
    {
        var waiting = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var command = PgPool.Command(connection, transaction, "SELECT sink, count(*) FROM tgwatch_outbox GROUP BY sink ORDER BY sink");
        await using var r = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await r.ReadAsync(ct).ConfigureAwait(false)) waiting[r.GetString(0)] = r.GetInt64(1);
        return waiting;
    }

    public async ValueTask<OutboxMove> MoveAsync(string from, string to, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        ct.ThrowIfCancellationRequested();
        if (from == to) return new OutboxMove(0, 0);
        var at = time.GetUtcNow();
        await using var connection = await pool.OpenAsync(ct).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        // Both queues, in one order whatever the direction: two moves at once wait for each other instead of deadlocking.
        foreach (var sink in new[] { from, to }.Order(StringComparer.Ordinal)) await LockAsync(connection, transaction, sink, ct).ConfigureAwait(false);
        var entries = new List<(long Id, string Key)>();
        await using (var list = PgPool.Command(connection, transaction, "SELECT id, key FROM tgwatch_outbox WHERE sink = @sink ORDER BY id", ("sink", from)))
        await using (var r = await list.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            while (await r.ReadAsync(ct).ConfigureAwait(false)) entries.Add((r.GetInt64(0), r.GetString(1)));
        }
        if (entries.Count == 0) return new OutboxMove(0, 0);
        var fresh = await SinkLedger.RecordAsync(connection, transaction, to, [.. entries.Select(e => e.Key).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)], at, ct).ConfigureAwait(false);
        var move = new List<long>();
        var drop = new List<long>();
        foreach (var (id, key) in entries)
        {
            // The first entry of a key the new sink never had moves; the others are had already: not sent twice.
            if (fresh.Remove(key)) move.Add(id);
            else drop.Add(id);
        }
        await PgPool.ExecuteAsync(connection, transaction, "UPDATE tgwatch_outbox SET sink = @to WHERE id = ANY(@ids)", ct, ("to", to), ("ids", move.ToArray())).ConfigureAwait(false);
        await PgPool.ExecuteAsync(connection, transaction, "DELETE FROM tgwatch_outbox WHERE id = ANY(@ids)", ct, ("ids", drop.ToArray())).ConfigureAwait(false);
        await transaction.CommitAsync(ct).ConfigureAwait(false);
        return new OutboxMove(move.Count, drop.Count);
    }

    public async ValueTask<long> DropAsync(string sink, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sink);
        await using var connection = await pool.OpenAsync(ct).ConfigureAwait(false);
        return await PgPool.ExecuteAsync(connection, null, "DELETE FROM tgwatch_outbox WHERE sink = @sink", ct, ("sink", sink)).ConfigureAwait(false);
    }

    private static Task<int> LockAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sink, CancellationToken ct) =>
        PgPool.ExecuteAsync(connection, transaction, "SELECT pg_advisory_xact_lock(@queue, hashtext(@sink))", ct, ("queue", QueueLock), ("sink", sink));
}
