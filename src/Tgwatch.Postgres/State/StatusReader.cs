using System.Data;
using Npgsql;
using Tgwatch.Connectors;
using ConnectionState = Tgwatch.Connectors.ConnectionState;
using Tgwatch.Postgres.Database;
using Tgwatch.Storage;

namespace Tgwatch.Postgres.State;

/// <summary>Reads checkpoints, records links, and reads the status of the store from one snapshot.</summary>
internal static class StatusReader
{
    public static async Task<Dictionary<string, long>> LoadCheckpointsAsync(PgPool pool, string account, string connector, CancellationToken ct)
    {
        var positions = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var connection = await pool.OpenAsync(ct).ConfigureAwait(false);
        await using var command = PgPool.Command(connection, null, "SELECT stream, position FROM tgwatch_checkpoints WHERE account = @account AND connector = @connector",
            ("account", account), ("connector", connector));
        await using var r = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await r.ReadAsync(ct).ConfigureAwait(false)) positions[r.GetString(0)] = r.GetInt64(1);
        return positions;
    }

    public static async Task RecordLinkAsync(PgPool pool, LinkRecord link, CancellationToken ct)
    {
        await using var connection = await pool.OpenAsync(ct).ConfigureAwait(false);
        await PgPool.ExecuteAsync(connection, null, """
            INSERT INTO tgwatch_links (account, connector, state, reason, since, reported_at, report_every_ms, ended)
            VALUES (@account, @connector, @state, @reason, @since, @reported_at, @every, @ended)
            ON CONFLICT (account, connector) DO UPDATE SET state = excluded.state, reason = excluded.reason, since = excluded.since,
                reported_at = excluded.reported_at, report_every_ms = excluded.report_every_ms, ended = excluded.ended
            """, ct,
            ("account", link.Account), ("connector", link.Connector), ("state", link.State.ToString().ToLowerInvariant()), ("reason", link.Reason),
            ("since", Instants.Utc(link.Since)), ("reported_at", Instants.Utc(link.ReportedAt)), ("every", (long)link.ReportEvery.TotalMilliseconds),
            ("ended", link.Ended)).ConfigureAwait(false);
    }

    public static async Task<StoreStatus> ReadAsync(PgPool pool, CancellationToken ct)
    {
        await using var connection = await pool.OpenAsync(ct).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct).ConfigureAwait(false);
        var checkpoints = await ListAsync(connection, transaction, "SELECT account, connector, stream, position, updated_at FROM tgwatch_checkpoints ORDER BY account, connector, stream",
            r => new CheckpointRow(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3), r.GetFieldValue<DateTimeOffset>(4)), ct).ConfigureAwait(false);
        var chats = await ListAsync(connection, transaction, "SELECT chat_id, title, last_message_id, last_date, last_seen_at, count FROM tgwatch_chats ORDER BY last_date DESC, chat_id",
            r => new ChatActivity(r.GetInt64(0), r.IsDBNull(1) ? null : r.GetString(1), r.GetInt64(2), r.GetFieldValue<DateTimeOffset>(3), r.GetFieldValue<DateTimeOffset>(4), r.GetInt64(5)), ct).ConfigureAwait(false);
        var outbox = await Outbox.WaitingAsync(connection, transaction, ct).ConfigureAwait(false);
        var links = await ListAsync(connection, transaction, "SELECT account, connector, state, reason, since, reported_at, report_every_ms, ended FROM tgwatch_links ORDER BY account, connector", r =>
        {
            // A state this code does not know (written by a newer one) reads as connecting, its name kept as the reason.
            var known = Enum.TryParse<ConnectionState>(r.GetString(2), ignoreCase: true, out var state) && Enum.IsDefined(state);
            return new LinkRecord(r.GetString(0), r.GetString(1), known ? state : ConnectionState.Connecting,
                known ? (r.IsDBNull(3) ? null : r.GetString(3)) : r.GetString(2),
                r.GetFieldValue<DateTimeOffset>(4), r.GetFieldValue<DateTimeOffset>(5), TimeSpan.FromMilliseconds(r.GetInt64(6)), r.GetBoolean(7));
        }, ct).ConfigureAwait(false);
        var sinks = await ListAsync(connection, transaction, "SELECT name FROM tgwatch_sinks ORDER BY name", r => r.GetString(0), ct).ConfigureAwait(false);
        var status = new StoreStatus(
            checkpoints,
            chats,
            Processed: await CountAsync(connection, transaction, "SELECT count(*) FROM tgwatch_processed", ct).ConfigureAwait(false),
            DeadLetters: await CountAsync(connection, transaction, "SELECT count(*) FROM tgwatch_dead_letters", ct).ConfigureAwait(false),
            PendingReplies: await CountAsync(connection, transaction, "SELECT count(*) FROM tgwatch_pending_replies", ct).ConfigureAwait(false),
            outbox)
        {
            Links = links,
            Sinks = sinks,
        };
        await transaction.CommitAsync(ct).ConfigureAwait(false);
        return status;
    }

    private static async Task<List<T>> ListAsync<T>(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, Func<NpgsqlDataReader, T> row, CancellationToken ct)
    {
        var rows = new List<T>();
        await using var command = PgPool.Command(connection, transaction, sql);
        await using var r = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await r.ReadAsync(ct).ConfigureAwait(false)) rows.Add(row(r));
        return rows;
    }

    private static async Task<long> CountAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken ct) =>
        (long)(await PgPool.ScalarAsync(connection, transaction, sql, ct).ConfigureAwait(false))!;
}
