using Npgsql;
using Tgwatch.Postgres.Database;
using Tgwatch.Storage;

namespace Tgwatch.Postgres.State;

/// <summary>Pending reply resolutions in <c>tgwatch_pending_replies</c>.</summary>
internal sealed class PendingReplyStore(PgPool pool) : IPendingReplyStore
{
    private const string Upsert = """
        INSERT INTO tgwatch_pending_replies (key, message_json, attempts, next_attempt, since)
        SELECT * FROM unnest(@keys::text[], @jsons::text[], @attempts::integer[], @next::timestamptz[], @since::timestamptz[])
        ON CONFLICT (key) DO UPDATE SET
            message_json = excluded.message_json, attempts = excluded.attempts,
            next_attempt = excluded.next_attempt, since = excluded.since
        """;

    /// <summary>Adds or replaces <paramref name="pending"/> (one per key) inside <paramref name="transaction"/>.</summary>
    internal static Task<int> UpsertAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, IReadOnlyList<PendingReply> pending, CancellationToken ct) =>
        PgPool.ExecuteAsync(connection, transaction, Upsert, ct,
            ("keys", pending.Select(p => p.Key).ToArray()), ("jsons", pending.Select(p => p.MessageJson).ToArray()),
            ("attempts", pending.Select(p => p.Attempts).ToArray()), ("next", pending.Select(p => p.NextAttempt.UtcDateTime).ToArray()),
            ("since", pending.Select(p => p.Since.UtcDateTime).ToArray()));

    public async ValueTask AddAsync(PendingReply pending, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(pending);
        await using var connection = await pool.OpenAsync(ct).ConfigureAwait(false);
        await UpsertAsync(connection, null, [pending], ct).ConfigureAwait(false);
    }

    public async ValueTask<IReadOnlyList<PendingReply>> DueAsync(DateTimeOffset now, int limit, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var due = new List<PendingReply>();
        await using var connection = await pool.OpenAsync(ct).ConfigureAwait(false);
        await using var command = PgPool.Command(connection, null, """
            SELECT key, message_json, attempts, next_attempt, since FROM tgwatch_pending_replies
            WHERE next_attempt <= @now ORDER BY next_attempt, key LIMIT @limit
            """, ("now", Instants.Utc(now)), ("limit", limit));
        await using var r = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await r.ReadAsync(ct).ConfigureAwait(false))
            due.Add(new PendingReply(r.GetString(0), r.GetString(1), r.GetInt32(2), r.GetFieldValue<DateTimeOffset>(3), r.GetFieldValue<DateTimeOffset>(4)));
        return due;
    }

    public async ValueTask<DateTimeOffset?> NextDueAsync(CancellationToken ct)
    {
        await using var connection = await pool.OpenAsync(ct).ConfigureAwait(false);
        await using var command = PgPool.Command(connection, null, "SELECT min(next_attempt) FROM tgwatch_pending_replies");
        await using var r = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        return await r.ReadAsync(ct).ConfigureAwait(false) && !r.IsDBNull(0) ? r.GetFieldValue<DateTimeOffset>(0) : null;
    }

    public async ValueTask RescheduleAsync(string key, int attempts, DateTimeOffset next, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(key);
        await using var connection = await pool.OpenAsync(ct).ConfigureAwait(false);
        await PgPool.ExecuteAsync(connection, null, "UPDATE tgwatch_pending_replies SET attempts = @attempts, next_attempt = @next WHERE key = @key", ct,
            ("key", key), ("attempts", attempts), ("next", Instants.Utc(next))).ConfigureAwait(false);
    }

    public async ValueTask RemoveAsync(string key, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(key);
        await using var connection = await pool.OpenAsync(ct).ConfigureAwait(false);
        await PgPool.ExecuteAsync(connection, null, "DELETE FROM tgwatch_pending_replies WHERE key = @key", ct, ("key", key)).ConfigureAwait(false);
    }

    public async ValueTask<long> CountAsync(CancellationToken ct)
    {
        await using var connection = await pool.OpenAsync(ct).ConfigureAwait(false);
        return (long)(await PgPool.ScalarAsync(connection, null, "SELECT count(*) FROM tgwatch_pending_replies", ct).ConfigureAwait(false))!;
    }
}
