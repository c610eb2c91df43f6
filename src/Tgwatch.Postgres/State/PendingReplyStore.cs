using Npgsql;
using Tgwatch.Postgres.Database;
using Tgwatch.Storage;

namespace Tgwatch.Postgres.State;

/// <summary>Pending reply resolutions in <c>tgwatch_pending_replies</c>; pending media downloads, of the same shape, in <c>tgwatch_pending_downloads</c>.</summary>
internal sealed class PendingReplyStore(PgPool pool, string table = PendingReplyStore.Replies) : IPendingReplyStore
{
    internal const string Replies = "tgwatch_pending_replies";
    internal const string Downloads = "tgwatch_pending_downloads";

    private static string Upsert(string table) => $"""
        INSERT INTO {table} (key, message_json, attempts, next_attempt, since)
        SELECT * FROM unnest(@keys::text[], @jsons::text[], @attempts::integer[], @next::timestamptz[], @since::timestamptz[])
        ON CONFLICT (key) DO UPDATE SET
            message_json = excluded.message_json, attempts = excluded.attempts,
            next_attempt = excluded.next_attempt, since = excluded.since
        """;

    /// <summary>Adds or replaces <paramref name="pending"/> (one per key) inside <paramref name="transaction"/>.</summary>
    internal static Task<int> UpsertAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, IReadOnlyList<PendingReply> pending, CancellationToken ct,
        string table = Replies) =>
        PgPool.ExecuteAsync(connection, transaction, Upsert(table), ct,
            ("keys", pending.Select(p => p.Key).ToArray()), ("jsons", pending.Select(p => p.MessageJson).ToArray()),
            ("attempts", pending.Select(p => p.Attempts).ToArray()), ("next", pending.Select(p => p.NextAttempt.UtcDateTime).ToArray()),
            ("since", pending.Select(p => p.Since.UtcDateTime).ToArray()));

    public async ValueTask AddAsync(PendingReply pending, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(pending);
        await using var connection = await pool.OpenAsync(ct).ConfigureAwait(false);
        await UpsertAsync(connection, null, [pending], ct, table).ConfigureAwait(false);
    }

    public async ValueTask<IReadOnlyList<PendingReply>> DueAsync(DateTimeOffset now, int limit, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var due = new List<PendingReply>();
        await using var connection = await pool.OpenAsync(ct).ConfigureAwait(false);
        await using var command = PgPool.Command(connection, null, $"""
            SELECT key, message_json, attempts, next_attempt, since FROM {table}
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
        await using var command = PgPool.Command(connection, null, $"SELECT min(next_attempt) FROM {table}");
        await using var r = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        return await r.ReadAsync(ct).ConfigureAwait(false) && !r.IsDBNull(0) ? r.GetFieldValue<DateTimeOffset>(0) : null;
    }

    public async ValueTask RescheduleAsync(string key, int attempts, DateTimeOffset next, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(key);
        await using var connection = await pool.OpenAsync(ct).ConfigureAwait(false);
        await PgPool.ExecuteAsync(connection, null, $"UPDATE {table} SET attempts = @attempts, next_attempt = @next WHERE key = @key", ct,
            ("key", key), ("attempts", attempts), ("next", Instants.Utc(next))).ConfigureAwait(false);
    }

    public async ValueTask RemoveAsync(string key, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(key);
        await using var connection = await pool.OpenAsync(ct).ConfigureAwait(false);
        await PgPool.ExecuteAsync(connection, null, $"DELETE FROM {table} WHERE key = @key", ct, ("key", key)).ConfigureAwait(false);
    }

    public async ValueTask<long> CountAsync(CancellationToken ct)
    {
        await using var connection = await pool.OpenAsync(ct).ConfigureAwait(false);
        return (long)(await PgPool.ScalarAsync(connection, null, $"SELECT count(*) FROM {table}", ct).ConfigureAwait(false))!;
    }
}
