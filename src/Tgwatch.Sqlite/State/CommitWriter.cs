using System.Runtime.InteropServices;
using Tgwatch.Sqlite.Database;
using Tgwatch.Storage;

namespace Tgwatch.Sqlite.State;

/// <summary>Writes a <see cref="StoreCommit"/> in one transaction: processed keys, chat activity, checkpoints, pending replies.</summary>
internal static class CommitWriter
{
    private const string InsertProcessed = """
        INSERT INTO processed (key, chat_id, message_id, date, processed_at, sinks) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
        ON CONFLICT (key) DO NOTHING
        """;

    // A key processed before, written now to sinks that did not have it: they are added to those that have it.
    private const string ReadSinks = "SELECT sinks FROM processed WHERE key = @key";
    private const string UpdateSinks = "UPDATE processed SET sinks = @sinks WHERE key = @key";

    // Last message = the highest message id and the latest date seen; count = distinct keys processed.
    private const string UpsertChat = """
        INSERT INTO chats (chat_id, title, last_message_id, last_date, last_seen_at, count) VALUES (@chat, @title, @message, @date, @at, @count)
        ON CONFLICT (chat_id) DO UPDATE SET
            title = coalesce(excluded.title, chats.title),
            last_message_id = max(chats.last_message_id, excluded.last_message_id),
            last_date = max(chats.last_date, excluded.last_date),
            last_seen_at = excluded.last_seen_at,
            count = chats.count + excluded.count
        """;

    // A checkpoint never moves back: an older or equal position leaves the row as it is.
    private const string AdvanceCheckpoint = """
        INSERT INTO checkpoints (account, connector, stream, position, updated_at) VALUES (@account, @connector, @stream, @position, @at)
        ON CONFLICT (account, connector, stream) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at
        WHERE excluded.position > checkpoints.position
        """;

    /// <summary>How often (in rows) a long commit looks at its cancellation token.</summary>
    private const int CancellationStride = 256;

    /// <summary>Writes the commit; only inside a lease. Throws (and writes nothing) when cancelled or when a row is refused.</summary>
    /// <param name="gate">The database.</param>
    /// <param name="sinkIds">The sinks' ids.</param>
    /// <param name="commit">What to write.</param>
    /// <param name="ct">Cancels the commit until its transaction commits.</param>
    /// <param name="ledger">The sinks' ledger, whose records held for this commit are written in its transaction.</param>
    public static void Write(ConnectionGate gate, SinkIds sinkIds, StoreCommit commit, CancellationToken ct, SqliteSinkLedger ledger)
    {
        ct.ThrowIfCancellationRequested();
        var at = UnixMs.Of(commit.At);
        // New sink names get their ids first, in a transaction of their own (an id is never taken back).
        var sinkTexts = new string?[commit.Processed.Count];
        for (var i = 0; i < sinkTexts.Length; i++)
            if (commit.Processed[i].Sinks is { } names) sinkTexts[i] = sinkIds.TextOf(names);
        using var transaction = gate.BeginWrite();

        var chats = new Dictionary<long, ChatTally>();
        var processed = commit.Processed;
        // Keys processed for the first time: what the sinks' ledger need not hold again (SqliteSinkLedger).
        var first = new List<ProcessedMessage>(processed.Count);
        if (processed.Count > 0)
        {
            var insert = gate.Prepared(InsertProcessed);
            insert.Bind(5, at);
            for (var i = 0; i < processed.Count; i++)
            {
                if (i % CancellationStride == CancellationStride - 1) ct.ThrowIfCancellationRequested();
                var m = processed[i];
                var date = UnixMs.Of(m.Date);
                insert.Bind(1, m.Key);
                insert.Bind(2, m.ChatId);
                insert.Bind(3, m.MessageId);
                insert.Bind(4, date);
                insert.Bind(6, sinkTexts[i]);
                var added = insert.Run();
                if (added == 0) AddSinks(gate, transaction, m.Key, sinkTexts[i]);
                else first.Add(m);
                ref var tally = ref CollectionsMarshal.GetValueRefOrAddDefault(chats, m.ChatId, out _);
                tally.Add(m.ChatTitle, m.MessageId, date, added);
            }
        }

        if (chats.Count > 0)
        {
            var upsert = gate.Command(UpsertChat, transaction, "@chat", "@title", "@message", "@date", "@at", "@count");
            var p = upsert.Parameters;
            p[4].Value = at;
            foreach (var (chat, tally) in chats)
            {
                p[0].Value = chat;
                p[1].Value = (object?)tally.Title ?? DBNull.Value;
                p[2].Value = tally.LastMessageId;
                p[3].Value = tally.LastDate;
                p[5].Value = tally.Count;
                upsert.ExecuteNonQuery();
            }
        }

        if (commit.Checkpoints.Count > 0)
        {
            var advance = gate.Command(AdvanceCheckpoint, transaction, "@account", "@connector", "@stream", "@position", "@at");
            var p = advance.Parameters;
            p[0].Value = commit.Account;
            p[1].Value = commit.Connector;
            p[4].Value = at;
            foreach (var checkpoint in commit.Checkpoints)
            {
                p[2].Value = checkpoint.Stream;
                p[3].Value = checkpoint.Position;
                advance.ExecuteNonQuery();
            }
        }

        if (commit.NewPendingReplies.Count > 0)
        {
            var upsert = SqlitePendingReplyStore.Upserting(gate, transaction);
            foreach (var pending in commit.NewPendingReplies) upsert.Run(pending);
        }

        if (commit.ResolvedPendingReplies.Count > 0)
        {
            var delete = gate.Command("DELETE FROM pending_replies WHERE key = @key", transaction, "@key");
            foreach (var key in commit.ResolvedPendingReplies)
            {
                delete.Parameters[0].Value = key;
                delete.ExecuteNonQuery();
            }
        }

        if (commit.NewPendingDownloads.Count > 0)
        {
            var upsert = SqlitePendingReplyStore.Upserting(gate, transaction, SqlitePendingReplyStore.Downloads);
            foreach (var pending in commit.NewPendingDownloads) upsert.Run(pending);
        }

        if (commit.EndedPendingDownloads.Count > 0)
        {
            var delete = gate.Command("DELETE FROM pending_downloads WHERE key = @key", transaction, "@key");
            foreach (var key in commit.EndedPendingDownloads)
            {
                delete.Parameters[0].Value = key;
                delete.ExecuteNonQuery();
            }
        }

        // The sinks' records of what they wrote for this batch (and any before it) go in the same transaction, less the keys
        // first processed now with the sink among those that have them; the cancellation is looked at last: after it the
        // batch is committed whole.
        ledger.Commit(transaction, ledger.WriteHeld(transaction, first), ct.ThrowIfCancellationRequested);
    }

    /// <summary>Adds sinks to a key processed before (null: every sink has it now).</summary>
    private static void AddSinks(ConnectionGate gate, Microsoft.Data.Sqlite.SqliteTransaction transaction, string key, string? sinks)
    {
        var read = gate.Command(ReadSinks, transaction, "@key");
        read.Parameters[0].Value = key;
        if (read.ExecuteScalar() is not string had) return; // NULL: every sink has it already
        var merged = sinks is null ? null : SinkIds.Union(had, sinks);
        if (merged == had) return;
        var update = gate.Command(UpdateSinks, transaction, "@sinks", "@key");
        update.Parameters[0].Value = (object?)merged ?? DBNull.Value;
        update.Parameters[1].Value = key;
        update.ExecuteNonQuery();
    }

    private struct ChatTally
    {
        public string? Title;
        public long LastMessageId;
        public long LastDate;
        public long Count;
        private bool _seen;

        public void Add(string? title, long messageId, long date, int added)
        {
            if (title is not null) Title = title;
            LastMessageId = _seen ? Math.Max(LastMessageId, messageId) : messageId;
            LastDate = _seen ? Math.Max(LastDate, date) : date;
            Count += added;
            _seen = true;
        }
    }
}
