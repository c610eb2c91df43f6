using Tgwatch.Connectors;
using Tgwatch.Sqlite.Database;
using Tgwatch.Storage;

namespace Tgwatch.Sqlite.State;

/// <summary>Reads checkpoints and the status of the store, each from one snapshot.</summary>
internal static class StatusReader
{
    private const string Checkpoints = "SELECT stream, position FROM checkpoints WHERE account = @account AND connector = @connector";

    /// <summary>Only inside a lease.</summary>
    public static Dictionary<string, long> LoadCheckpoints(ConnectionGate gate, string account, string connector)
    {
        var command = gate.Command(Checkpoints, null, "@account", "@connector");
        command.Parameters[0].Value = account;
        command.Parameters[1].Value = connector;
        var positions = new Dictionary<string, long>(StringComparer.Ordinal);
        using var r = command.ExecuteReader();
        while (r.Read()) positions[r.GetString(0)] = r.GetInt64(1);
        return positions;
    }

    /// <summary>Only inside a lease.</summary>
    public static void RecordLink(ConnectionGate gate, LinkRecord link)
    {
        var command = gate.Command(RecordLinkSql, null, "@account", "@connector", "@state", "@reason", "@since", "@reported_at", "@report_every", "@ended");
        command.Parameters[0].Value = link.Account;
        command.Parameters[1].Value = link.Connector;
        command.Parameters[2].Value = link.State.ToString().ToLowerInvariant();
        command.Parameters[3].Value = (object?)link.Reason ?? DBNull.Value;
        command.Parameters[4].Value = UnixMs.Of(link.Since);
        command.Parameters[5].Value = UnixMs.Of(link.ReportedAt);
        command.Parameters[6].Value = (long)link.ReportEvery.TotalMilliseconds;
        command.Parameters[7].Value = link.Ended ? 1L : 0L;
        command.ExecuteNonQuery();
    }

    private const string RecordLinkSql = """
        INSERT INTO links (account, connector, state, reason, since, reported_at, report_every, ended)
        VALUES (@account, @connector, @state, @reason, @since, @reported_at, @report_every, @ended)
        ON CONFLICT (account, connector) DO UPDATE SET state = excluded.state, reason = excluded.reason,
            since = excluded.since, reported_at = excluded.reported_at, report_every = excluded.report_every, ended = excluded.ended
        """;

    /// <summary>Only inside a lease.</summary>
    public static StoreStatus Read(ConnectionGate gate)
    {
        using var transaction = gate.BeginRead();
        var checkpoints = new List<CheckpointRow>();
        using (var r = gate.Command("SELECT account, connector, stream, position, updated_at FROM checkpoints ORDER BY account, connector, stream", transaction).ExecuteReader())
        {
            while (r.Read()) checkpoints.Add(new CheckpointRow(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3), UnixMs.ToInstant(r.GetInt64(4))));
        }
        var chats = new List<ChatActivity>();
        using (var r = gate.Command("SELECT chat_id, title, last_message_id, last_date, last_seen_at, count FROM chats ORDER BY last_date DESC, chat_id", transaction).ExecuteReader())
        {
            while (r.Read())
            {
                chats.Add(new ChatActivity(r.GetInt64(0), r.IsDBNull(1) ? null : r.GetString(1), r.GetInt64(2),
                    UnixMs.ToInstant(r.GetInt64(3)), UnixMs.ToInstant(r.GetInt64(4)), r.GetInt64(5)));
            }
        }
        var outbox = new Dictionary<string, long>(StringComparer.Ordinal);
        using (var r = gate.Command("SELECT sink, count(*) FROM outbox GROUP BY sink ORDER BY sink", transaction).ExecuteReader())
        {
            while (r.Read()) outbox[r.GetString(0)] = r.GetInt64(1);
        }
        var links = new List<LinkRecord>();
        using (var r = gate.Command("SELECT account, connector, state, reason, since, reported_at, report_every, ended FROM links ORDER BY account, connector", transaction).ExecuteReader())
        {
            while (r.Read())
            {
                // A state this code does not know (written by a newer one) reads as connecting, its name kept as the reason.
                var known = Enum.TryParse<ConnectionState>(r.GetString(2), ignoreCase: true, out var state) && Enum.IsDefined(state);
                links.Add(new LinkRecord(r.GetString(0), r.GetString(1), known ? state : ConnectionState.Connecting,
                    known ? (r.IsDBNull(3) ? null : r.GetString(3)) : r.GetString(2),
                    UnixMs.ToInstant(r.GetInt64(4)), UnixMs.ToInstant(r.GetInt64(5)), TimeSpan.FromMilliseconds(r.GetInt64(6)), r.GetInt64(7) != 0));
            }
        }
        var sinks = new List<string>();
        using (var r = gate.Command("SELECT name FROM sinks ORDER BY name", transaction).ExecuteReader())
        {
            while (r.Read()) sinks.Add(r.GetString(0));
        }
        var status = new StoreStatus(
            checkpoints,
            chats,
            Processed: Count(gate, transaction, "SELECT count(*) FROM processed"),
            DeadLetters: Count(gate, transaction, "SELECT count(*) FROM dead_letters"),
            PendingReplies: Count(gate, transaction, "SELECT count(*) FROM pending_replies"),
            outbox)
        {
            Links = links,
            Sinks = sinks,
        };
        transaction.Commit();
        return status;
    }

    private static long Count(ConnectionGate gate, Microsoft.Data.Sqlite.SqliteTransaction transaction, string sql) =>
        (long)gate.Command(sql, transaction).ExecuteScalar()!;
}
