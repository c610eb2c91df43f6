using Tgwatch.Sqlite.Database;
using Tgwatch.Storage;

namespace Tgwatch.Sqlite.State;

/// <summary>Pending reply resolutions in the <c>pending_replies</c> table; pending media downloads, of the same shape, in <c>pending_downloads</c>.</summary>
internal sealed class SqlitePendingReplyStore(ConnectionGate gate, string table = SqlitePendingReplyStore.Replies) : IPendingReplyStore
{
    internal const string Replies = "pending_replies";
    internal const string Downloads = "pending_downloads";

    private static string Upsert(string table) => $"""
        INSERT INTO {table} (key, message_json, attempts, next_attempt, since) VALUES (@key, @json, @attempts, @next, @since)
        ON CONFLICT (key) DO UPDATE SET
            message_json = excluded.message_json, attempts = excluded.attempts,
            next_attempt = excluded.next_attempt, since = excluded.since
        """;

    private static string Due(string table) => $"""
        SELECT key, message_json, attempts, next_attempt, since FROM {table}
        WHERE next_attempt <= @now ORDER BY next_attempt, key LIMIT @limit
        """;

    public async ValueTask AddAsync(PendingReply pending, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(pending);
        using (await gate.EnterAsync(ct).ConfigureAwait(false))
        {
            Upserting(gate, null, table).Run(pending);
        }
    }

    /// <summary>The upsert of pending replies, prepared on the gate's connection (inside <paramref name="transaction"/> when given).</summary>
    internal static PendingUpsert Upserting(ConnectionGate gate, Microsoft.Data.Sqlite.SqliteTransaction? transaction, string table = Replies) =>
        new(gate.Command(Upsert(table), transaction, "@key", "@json", "@attempts", "@next", "@since"));

    /// <summary>A prepared upsert of one pending reply at a time.</summary>
    internal readonly struct PendingUpsert(Microsoft.Data.Sqlite.SqliteCommand command)
    {
        public void Run(PendingReply pending)
        {
            var p = command.Parameters;
            p[0].Value = pending.Key;
            p[1].Value = pending.MessageJson;
            p[2].Value = pending.Attempts;
            p[3].Value = UnixMs.Of(pending.NextAttempt);
            p[4].Value = UnixMs.Of(pending.Since);
            command.ExecuteNonQuery();
        }
    }

    public async ValueTask<IReadOnlyList<PendingReply>> DueAsync(DateTimeOffset now, int limit, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var due = new List<PendingReply>();
        using (await gate.EnterAsync(ct).ConfigureAwait(false))
        {
            var command = gate.Command(Due(table), null, "@now", "@limit");
            command.Parameters[0].Value = UnixMs.Of(now);
            command.Parameters[1].Value = limit;
            using var r = command.ExecuteReader();
            while (r.Read())
            {
                due.Add(new PendingReply(r.GetString(0), r.GetString(1), r.GetInt32(2), UnixMs.ToInstant(r.GetInt64(3)), UnixMs.ToInstant(r.GetInt64(4))));
            }
        }
        return due;
    }

    public async ValueTask<DateTimeOffset?> NextDueAsync(CancellationToken ct)
    {
        using (await gate.EnterAsync(ct).ConfigureAwait(false))
        {
            var next = gate.Command($"SELECT min(next_attempt) FROM {table}", null).ExecuteScalar();
            return next is long ms ? UnixMs.ToInstant(ms) : null;
        }
    }

    public async ValueTask RescheduleAsync(string key, int attempts, DateTimeOffset next, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(key);
        using (await gate.EnterAsync(ct).ConfigureAwait(false))
        {
            var command = gate.Command($"UPDATE {table} SET attempts = @attempts, next_attempt = @next WHERE key = @key", null, "@key", "@attempts", "@next");
            command.Parameters[0].Value = key;
            command.Parameters[1].Value = attempts;
            command.Parameters[2].Value = UnixMs.Of(next);
            command.ExecuteNonQuery();
        }
    }

    public async ValueTask RemoveAsync(string key, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(key);
        using (await gate.EnterAsync(ct).ConfigureAwait(false))
        {
            var command = gate.Command($"DELETE FROM {table} WHERE key = @key", null, "@key");
            command.Parameters[0].Value = key;
            command.ExecuteNonQuery();
        }
    }

    public async ValueTask<long> CountAsync(CancellationToken ct)
    {
        using (await gate.EnterAsync(ct).ConfigureAwait(false))
        {
            return (long)gate.Command($"SELECT count(*) FROM {table}", null).ExecuteScalar()!;
        }
    }
}
