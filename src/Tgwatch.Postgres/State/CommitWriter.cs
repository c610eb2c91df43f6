using System.Globalization;
using Npgsql;
using Tgwatch.Postgres.Database;
using Tgwatch.Storage;

namespace Tgwatch.Postgres.State;

/// <summary>
/// Writes a <see cref="StoreCommit"/> in one transaction: sink ids, processed keys, chat activity, checkpoints, pending
/// replies. Each part is one statement over arrays (<c>unnest</c>), its rows in one order (keys, chats, streams sorted)
/// so that two writers at once wait for each other instead of deadlocking.
/// </summary>
internal static class CommitWriter
{
    /// <summary>How often (in rows) reading a long batch looks at its cancellation token.</summary>
    private const int CancellationStride = 256;

    private const string InsertProcessed = """
        INSERT INTO tgwatch_processed (key, chat_id, message_id, date, processed_at, sinks)
        SELECT k, c, m, d, @at, CASE WHEN s IS NULL THEN NULL ELSE string_to_array(s, ',')::integer[] END
        FROM unnest(@keys::text[], @chats::bigint[], @messages::bigint[], @dates::timestamptz[], @sinks::text[]) AS t(k, c, m, d, s)
        ON CONFLICT (key) DO NOTHING
        RETURNING key
        """;

    // A key processed before, written now by sinks that did not have it: they are added to those that have it (NULL: every sink has it).
    private const string AddSinks = """
        UPDATE tgwatch_processed p
        SET sinks = CASE WHEN u.s IS NULL THEN NULL
                         ELSE ARRAY(SELECT DISTINCT x FROM unnest(p.sinks || string_to_array(u.s, ',')::integer[]) AS x ORDER BY x) END
        FROM unnest(@keys::text[], @sinks::text[]) AS u(k, s)
        WHERE p.key = u.k AND p.sinks IS NOT NULL
        """;

    // Last message = the highest message id and the latest date seen; count = distinct keys processed.
    private const string UpsertChats = """
        INSERT INTO tgwatch_chats (chat_id, title, last_message_id, last_date, last_seen_at, count)
        SELECT c, t, m, d, @at, n FROM unnest(@chats::bigint[], @titles::text[], @messages::bigint[], @dates::timestamptz[], @counts::bigint[]) AS u(c, t, m, d, n)
        ON CONFLICT (chat_id) DO UPDATE SET
            title = coalesce(excluded.title, tgwatch_chats.title),
            last_message_id = greatest(tgwatch_chats.last_message_id, excluded.last_message_id),
            last_date = greatest(tgwatch_chats.last_date, excluded.last_date),
            last_seen_at = excluded.last_seen_at,
            count = tgwatch_chats.count + excluded.count
        """;

    // A checkpoint never moves back: an older or equal position leaves the row as it is.
    private const string AdvanceCheckpoints = """
        INSERT INTO tgwatch_checkpoints (account, connector, stream, position, updated_at)
        SELECT @account, @connector, s, p, @at FROM unnest(@streams::text[], @positions::bigint[]) AS t(s, p)
        ON CONFLICT (account, connector, stream) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at
        WHERE excluded.position > tgwatch_checkpoints.position
        """;

    /// <summary>Writes the commit. Throws (and writes nothing) when cancelled before it committed, or when a row is refused.</summary>
    public static async Task WriteAsync(PgPool pool, SinkRegistry sinks, LeaseTable leases, StoreCommit commit, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        // The batch is read whole first: one that breaks while read writes nothing.
        var rows = ProcessedRows.Read(commit.Processed, ct);
        var checkpoints = Checkpoints(commit.Checkpoints);
        var pending = new Dictionary<string, PendingReply>(StringComparer.Ordinal);
        foreach (var p in commit.NewPendingReplies) pending[p.Key] = p; // the last one for a key wins, as added one by one
        var downloads = new Dictionary<string, PendingReply>(StringComparer.Ordinal);
        foreach (var p in commit.NewPendingDownloads) downloads[p.Key] = p;
        var at = Instants.Utc(commit.At);

        await using var connection = await pool.OpenAsync(ct).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        // First in the transaction: a commit of a runner that no longer holds its lease (its generation is not the lease's)
        // writes nothing, and a taking over waits for a commit under way.
        await leases.CheckAsync(connection, transaction, ct).ConfigureAwait(false);

        Dictionary<string, int>? newIds = null;
        if (rows.Keys.Count > 0)
        {
            newIds = await sinks.EnsureAsync(connection, transaction, rows.SinkNames, ct).ConfigureAwait(false);
            var sinkTexts = rows.SinkTexts(newIds);
            var keys = rows.Keys.ToArray();
            var inserted = new HashSet<string>(StringComparer.Ordinal);
            await using (var insert = PgPool.Command(connection, transaction, InsertProcessed,
                ("at", at), ("keys", keys), ("chats", rows.Chats.ToArray()), ("messages", rows.MessageIds.ToArray()), ("dates", rows.Dates.ToArray()), ("sinks", sinkTexts)))
            await using (var reader = await insert.ExecuteReaderAsync(ct).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(ct).ConfigureAwait(false)) inserted.Add(reader.GetString(0));
            }
            if (inserted.Count < keys.Length)
            {
                var again = Enumerable.Range(0, keys.Length).Where(i => !inserted.Contains(keys[i])).ToArray();
                await PgPool.ExecuteAsync(connection, transaction, AddSinks, ct,
                    ("keys", again.Select(i => keys[i]).ToArray()), ("sinks", again.Select(i => sinkTexts[i]).ToArray())).ConfigureAwait(false);
            }
            var chats = rows.Tally(inserted);
            await PgPool.ExecuteAsync(connection, transaction, UpsertChats, ct,
                ("at", at), ("chats", chats.Select(c => c.Key).ToArray()), ("titles", chats.Select(c => c.Value.Title).ToArray()),
                ("messages", chats.Select(c => c.Value.LastMessageId).ToArray()), ("dates", chats.Select(c => c.Value.LastDate).ToArray()),
                ("counts", chats.Select(c => c.Value.Count).ToArray())).ConfigureAwait(false);
        }

        if (checkpoints.Count > 0)
        {
            await PgPool.ExecuteAsync(connection, transaction, AdvanceCheckpoints, ct,
                ("account", commit.Account), ("connector", commit.Connector), ("at", at),
                ("streams", checkpoints.Select(c => c.Stream).ToArray()), ("positions", checkpoints.Select(c => c.Position).ToArray())).ConfigureAwait(false);
        }

        if (pending.Count > 0) await PendingReplyStore.UpsertAsync(connection, transaction, [.. pending.Values.OrderBy(p => p.Key, StringComparer.Ordinal)], ct).ConfigureAwait(false);

        if (commit.ResolvedPendingReplies.Count > 0)
        {
            await PgPool.ExecuteAsync(connection, transaction, "DELETE FROM tgwatch_pending_replies WHERE key = ANY(@keys)", ct,
                ("keys", commit.ResolvedPendingReplies.ToArray())).ConfigureAwait(false);
        }

        if (downloads.Count > 0)
        {
            await PendingReplyStore.UpsertAsync(connection, transaction, [.. downloads.Values.OrderBy(p => p.Key, StringComparer.Ordinal)], ct,
                PendingReplyStore.Downloads).ConfigureAwait(false);
        }

        if (commit.EndedPendingDownloads.Count > 0)
        {
            await PgPool.ExecuteAsync(connection, transaction, "DELETE FROM tgwatch_pending_downloads WHERE key = ANY(@keys)", ct,
                ("keys", commit.EndedPendingDownloads.ToArray())).ConfigureAwait(false);
        }

        // The last moment to give up: after this the batch is committed whole.
        ct.ThrowIfCancellationRequested();
        await transaction.CommitAsync(ct).ConfigureAwait(false);
        if (newIds is not null) sinks.Remember(newIds);
    }

    /// <summary>The highest position per stream (sorted); a checkpoint without a stream is kept, for the database to refuse.</summary>
    private static List<(string? Stream, long Position)> Checkpoints(IReadOnlyList<Connectors.Checkpoint> given)
    {
        var highest = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var list = new List<(string?, long)>();
        foreach (var c in given)
        {
            if (c.Stream is null) list.Add((null, c.Position));
            else highest[c.Stream] = highest.TryGetValue(c.Stream, out var p) ? Math.Max(p, c.Position) : c.Position;
        }
        list.AddRange(highest.Select(h => ((string?)h.Key, h.Value)));
        return list;
    }

    /// <summary>The processed messages of a batch, one row per key (sorted), their sinks merged as commits one by one would.</summary>
    private sealed class ProcessedRows
    {
        public readonly List<string> Keys = [];
        public readonly List<long> Chats = [];
        public readonly List<long> MessageIds = [];
        public readonly List<DateTime> Dates = [];
        // Per row: null for every sink, else the sink names.
        private readonly List<SortedSet<string>?> _sinks = [];
        // Every message in batch order (a key given twice too), for the chats' titles and last messages.
        private readonly List<ProcessedMessage> _all = [];

        public HashSet<string> SinkNames { get; } = new(StringComparer.Ordinal);

        public static ProcessedRows Read(IReadOnlyList<ProcessedMessage> processed, CancellationToken ct)
        {
            var rows = new ProcessedRows();
            var byKey = new SortedDictionary<string, int>(StringComparer.Ordinal);
            var all = new List<ProcessedMessage>(processed.Count);
            for (var i = 0; i < processed.Count; i++)
            {
                if (i % CancellationStride == CancellationStride - 1) ct.ThrowIfCancellationRequested();
                all.Add(processed[i]);
            }
            var first = new Dictionary<string, (ProcessedMessage Message, SortedSet<string>? Sinks)>(StringComparer.Ordinal);
            foreach (var m in all)
            {
                ArgumentNullException.ThrowIfNull(m.Key, "a processed key");
                SortedSet<string>? names = m.Sinks is null ? null : new SortedSet<string>(m.Sinks, StringComparer.Ordinal);
                if (names is not null) rows.SinkNames.UnionWith(names);
                if (first.TryGetValue(m.Key, out var had))
                {
                    // The same key again: its sinks are added to the first's (every sink absorbs any list).
                    if (had.Sinks is not null && names is not null) had.Sinks.UnionWith(names);
                    else if (had.Sinks is not null) first[m.Key] = (had.Message, null);
                }
                else first[m.Key] = (m, names);
            }
            foreach (var (key, (m, sinks)) in first.OrderBy(f => f.Key, StringComparer.Ordinal))
            {
                rows.Keys.Add(key);
                rows.Chats.Add(m.ChatId);
                rows.MessageIds.Add(m.MessageId);
                rows.Dates.Add(m.Date.UtcDateTime);
                rows._sinks.Add(sinks);
            }
            rows._all.AddRange(all);
            return rows;
        }

        /// <summary>Each row's <c>sinks</c> as a list of ids (<c>1,4</c>), or null for every sink.</summary>
        public string?[] SinkTexts(Dictionary<string, int> ids) =>
            [.. _sinks.Select(s => s is null ? null : string.Join(',', s.Select(n => ids[n]).Order().Select(i => i.ToString(CultureInfo.InvariantCulture))))];

        /// <summary>Per chat (sorted): the last title given, the highest id and latest date, and how many of its keys are new.</summary>
        public SortedDictionary<long, ChatTally> Tally(HashSet<string> inserted)
        {
            var chats = new SortedDictionary<long, ChatTally>();
            var counted = new HashSet<string>(StringComparer.Ordinal);
            foreach (var m in _all)
            {
                var date = m.Date.UtcDateTime;
                var added = inserted.Contains(m.Key) && counted.Add(m.Key) ? 1 : 0;
                chats[m.ChatId] = chats.TryGetValue(m.ChatId, out var t)
                    ? new ChatTally(m.ChatTitle ?? t.Title, Math.Max(t.LastMessageId, m.MessageId), date > t.LastDate ? date : t.LastDate, t.Count + added)
                    : new ChatTally(m.ChatTitle, m.MessageId, date, added);
            }
            return chats;
        }
    }

    private readonly record struct ChatTally(string? Title, long LastMessageId, DateTime LastDate, long Count);
}
