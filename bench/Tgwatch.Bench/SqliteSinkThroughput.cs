using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Tgwatch.Messages;
using Tgwatch.Sinks.Sqlite;
using Tgwatch.Sqlite.Database;

namespace Tgwatch.Bench;

/// <summary>
/// The SQLite sink against raw batched inserts with Microsoft.Data.Sqlite into the same schema: the
/// same messages, the same batches (one transaction each), a prepared INSERT whose parameters are
/// set from each message (its contract JSON included). Best of several runs, each into a new file.
/// </summary>
internal static class SqliteSinkThroughput
{
    private const string RawInsert = """
        INSERT INTO messages (key, account, connector, chat_id, chat_type, chat_title, chat_username, message_id, kind, date, edit_date,
            sender_id, sender_name, sender_username, text, media_type, media_caption,
            reply_chat_id, reply_message_id, reply_state, reply_text, forward_json, json, inserted_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var messages = args.Length == 2 && args[0] == "--messages" ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200_000;
        var data = Messages(messages);
        var dir = Path.Combine(Path.GetTempPath(), $"tgwatch-bench-sqlite-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        try
        {
            Console.WriteLine($"{messages:N0} messages per run; best of 5 runs; each run a new file (WAL, synchronous=NORMAL)");
            foreach (var batchSize in new[] { 100, 1_000 })
            {
                var batches = data.Chunk(batchSize).ToArray();
                TimeSpan raw = TimeSpan.MaxValue, sink = TimeSpan.MaxValue;
                for (var run = 0; run < 5; run++)
                {
                    raw = Min(raw, Raw(Path.Combine(dir, $"raw-{batchSize}-{run}.db"), batches));
                    sink = Min(sink, await SinkAsync(Path.Combine(dir, $"sink-{batchSize}-{run}.db"), batches));
                }
                Console.WriteLine($"batch {batchSize,5}: raw inserts {messages / raw.TotalSeconds,9:N0} rows/s   SqliteMessageSink {messages / sink.TotalSeconds,9:N0} rows/s   sink/raw {raw / sink * 100:F0} %");
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
        return 0;
    }

    /// <summary>Raw batched inserts into the sink's schema: one transaction per batch, a prepared plain INSERT.</summary>
    internal static TimeSpan Raw(string path, IEnumerable<IReadOnlyList<TgMessage>> batches)
    {
        using var connection = SqliteFile.Open(path, MessagesSchema.Schema, TimeSpan.FromSeconds(5));
        using var command = connection.CreateCommand();
        command.CommandText = RawInsert;
        var p = new SqliteParameter[24];
        for (var i = 0; i < p.Length; i++) p[i] = command.Parameters.Add(new SqliteParameter($"${i + 1}", DBNull.Value));
        var clock = Stopwatch.StartNew();
        foreach (var batch in batches)
        {
            using var transaction = connection.BeginTransaction();
            command.Transaction = transaction;
            var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            foreach (var m in batch)
            {
                p[0].Value = m.Key;
                p[1].Value = m.Account;
                p[2].Value = m.Connector;
                p[3].Value = m.Chat.Id;
                p[4].Value = (object?)m.Chat.Type ?? DBNull.Value;
                p[5].Value = (object?)m.Chat.Title ?? DBNull.Value;
                p[6].Value = (object?)m.Chat.Username ?? DBNull.Value;
                p[7].Value = m.MessageId;
                p[8].Value = MessageKey.KindName(m.Kind);
                p[9].Value = m.Date.ToUnixTimeSeconds();
                p[10].Value = m.EditDate is { } e ? e.ToUnixTimeSeconds() : DBNull.Value;
                p[11].Value = m.Sender is { } s ? s.Id : DBNull.Value;
                p[12].Value = (object?)m.Sender?.Name ?? DBNull.Value;
                p[13].Value = (object?)m.Sender?.Username ?? DBNull.Value;
                p[14].Value = (object?)m.Text ?? DBNull.Value;
                p[15].Value = (object?)m.Media?.Type ?? DBNull.Value;
                p[16].Value = (object?)m.Media?.Caption ?? DBNull.Value;
                p[17].Value = m.ReplyTo is { } r ? r.ChatId : DBNull.Value;
                p[18].Value = m.ReplyTo is { } r2 ? r2.MessageId : DBNull.Value;
                p[19].Value = m.ReplyTo is { } r3 ? (r3.State == ReplyState.Resolved ? "resolved" : "unresolved") : DBNull.Value;
                p[20].Value = (object?)m.ReplyTo?.Text ?? DBNull.Value;
                p[21].Value = DBNull.Value;
                p[22].Value = TgMessageJson.ToJson(m);
                p[23].Value = now;
                command.ExecuteNonQuery();
            }
            transaction.Commit();
        }
        return clock.Elapsed;
    }

    private static async Task<TimeSpan> SinkAsync(string path, TgMessage[][] batches)
    {
        await using var sink = new SqliteMessageSink(path);
        await sink.StartAsync(default);
        var clock = Stopwatch.StartNew();
        foreach (var batch in batches) await sink.WriteAsync(batch, default);
        return clock.Elapsed;
    }

    private static TgMessage[] Messages(int count)
    {
        var messages = new TgMessage[count];
        for (var i = 0; i < count; i++) messages[i] = Message(i, 50);
        return messages;
    }

    private static readonly DateTimeOffset Start = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The <paramref name="i"/>th message of a stream over <paramref name="chats"/> chats taking turns (keys unique).</summary>
    internal static TgMessage Message(int i, int chats)
    {
        var chat = -1001000000000L - i % chats;
        return new TgMessage
        {
            Account = "bot123456",
            Connector = "botapi",
            Chat = new ChatInfo(chat, "supergroup", $"Group number {i % chats}", i % 3 == 0 ? $"group{i % chats}" : null),
            MessageId = 1_000 + i / chats,
            Date = Start.AddSeconds(i),
            Sender = new SenderInfo(10_000 + i % 977, $"User {i % 977}", $"user{i % 977}"),
            Text = $"Message {i}: the quick brown fox jumps over the lazy dog, ünïcödé text, a link https://t.me/x/{i}",
            Media = i % 10 == 0 ? new MediaInfo("photo", "a caption") : null,
            ReplyTo = i % 7 == 0 ? new ReplyRef(chat, 1_000 + i / chats - 1, ReplyState.Resolved, "the message replied to") : null,
        };
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
