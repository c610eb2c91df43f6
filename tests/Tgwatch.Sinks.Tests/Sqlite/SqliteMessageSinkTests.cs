using Tgwatch.Messages;
using Tgwatch.Sinks.Sqlite;

namespace Tgwatch.Sinks.Tests.Sqlite;

/// <summary>The <c>sqlite</c> sink: one row per key, idempotent, replies resolved in place.</summary>
public sealed class SqliteMessageSinkTests
{
    [Fact]
    public async Task Write_OneMessage_EveryColumnHoldsItsPart()
    {
        await using var t = new TempSink();
        var m = Msg.New(-1001, 42, "hello ünï 😀", Msg.Unresolved(-1001, 40)) with
        {
            Media = new MediaInfo("photo", "a caption"),
            Forward = new ForwardInfo("channel", -1002, "News", TempSink.Now.AddDays(-1), 9),
        };
        await t.WriteAsync(m);

        var row = Assert.Single(t.Rows());
        Assert.Equal(m.Key, row["key"]);
        Assert.Equal(("bot1", "botapi", -1001L, "supergroup", "Group", (object?)null), (row["account"], row["connector"], row["chat_id"], row["chat_type"], row["chat_title"], row["chat_username"]));
        Assert.Equal((42L, "new", m.Date.ToUnixTimeSeconds(), (object?)null), (row["message_id"], row["kind"], row["date"], row["edit_date"]));
        Assert.Equal((7L, "Alice A.", "alice"), (row["sender_id"], row["sender_name"], row["sender_username"]));
        Assert.Equal(("hello ünï 😀", "photo", "a caption"), (row["text"], row["media_type"], row["media_caption"]));
        Assert.Equal((-1001L, 40L, "unresolved", (object?)null), (row["reply_chat_id"], row["reply_message_id"], row["reply_state"], row["reply_text"]));
        Assert.Equal("""{"type":"channel","id":-1002,"name":"News","date":"2026-02-28T12:00:00Z","message_id":9}""", row["forward_json"]);
        Assert.Equal(TgMessageJson.ToJson(m), row["json"]);
        Assert.Equal(TempSink.Now.ToUnixTimeSeconds(), row["inserted_at"]);
        Assert.Equal(m with { Forward = null }, TgMessageJson.Parse((string)row["json"]!));
    }

    [Fact]
    public async Task WriteTheSameBatchAgain_ChangesNothing()
    {
        await using var t = new TempSink();
        var batch = new[] { Msg.New(1, 1), Msg.New(1, 2), Msg.Edit(Msg.New(1, 1), 30, "edited"), Msg.New(-5, 1) };
        await t.WriteAsync(batch);
        var before = t.Rows();
        t.Time.Advance(TimeSpan.FromHours(1));
        await t.WriteAsync(batch);
        await t.WriteAsync(batch[1..3]);
        Assert.Equal(before, t.Rows());
        Assert.Equal(4, before.Count);
    }

    [Fact]
    public async Task EditsAreRowsOfTheirOwn_NewAndEachEdit_TwoEditsOfOneSecondToo()
    {
        await using var t = new TempSink();
        var m = Msg.New(1, 1, "v1");
        await t.WriteAsync(m, Msg.Edit(m, 10, "v2"), Msg.Edit(m, 20, "v3"), Msg.Edit(m, 20, "v3 again"), Msg.Edit(m, 20, "v3 again"));
        var rows = t.Rows("message_id = 1");
        Assert.Equal(["v1", "v2", "v3", "v3 again"], rows.OrderBy(r => (long?)r["edit_date"] ?? 0).ThenBy(r => r["inserted_at"]).ThenBy(r => (string)r["text"]!).Select(r => r["text"]));
        Assert.Equal(["edit", "edit", "edit", "new"], rows.Select(r => (string)r["kind"]!).Order());
    }

    [Fact]
    public async Task AFileOfTheVersionBefore_GetsTheEditKeysOfThisVersion_SoAnEditWrittenAgainIsNoSecondRow()
    {
        var m = Msg.New(1, 1, "v1");
        var edit = Msg.Edit(m, 10, "v2");
        string path;
        await using (var t = new TempSink())
        {
            await t.WriteAsync(m, edit);
            path = t.Path;
            using (var raw = t.Open())
            {
                // As the version before wrote it: the edit's key without its content hash.
                using var c = raw.CreateCommand();
                c.CommandText = "UPDATE messages SET key = $legacy WHERE kind = 'edit'; PRAGMA user_version = 1";
                c.Parameters.AddWithValue("$legacy", MessageKey.LegacyOf(edit));
                c.ExecuteNonQuery();
            }
            await t.Sink.DisposeAsync();

            await using var again = new SqliteMessageSink(path, t.Time);
            await again.WriteAsync([edit], default);
            await again.DisposeAsync();
            var rows = t.Rows();
            Assert.Equal(2, rows.Count);
            Assert.Contains(edit.Key, rows.Select(r => r["key"]));
            Assert.Equal((long)SqliteMessageSink.SchemaVersion, t.Scalar("PRAGMA user_version"));
        }
    }

    [Fact]
    public async Task ReplyUpdate_ResolvesOnlyTheUnresolvedRowsOfThatMessage()
    {
        await using var t = new TempSink();
        var reply = Msg.Unresolved(-1001, 40);
        var original = Msg.New(-1001, 42, "answer", reply);
        var edit = Msg.Edit(original, 60, "answer, edited");
        var laterEdit = Msg.Edit(original, 120, "answer, edited again") with { ReplyTo = reply with { State = ReplyState.Resolved, Text = "known already" } };
        var sameIdOtherChat = Msg.New(-1002, 42, "elsewhere", Msg.Unresolved(-1002, 40));
        var otherMessage = Msg.New(-1001, 43, "other", reply);
        var otherAccount = Msg.New(-1001, 42, "seen by another bot", reply, account: "bot2");
        await t.WriteAsync(original, edit, laterEdit, sameIdOtherChat, otherMessage, otherAccount);
        var before = t.Rows().ToDictionary(r => (string)r["key"]!);

        await t.WriteAsync(Msg.ReplyUpdate(original, "the question"));

        var after = t.Rows().ToDictionary(r => (string)r["key"]!);
        Assert.Equal(before.Keys.Order(), after.Keys.Order()); // no row added
        foreach (var key in new[] { original.Key, edit.Key })
        {
            Assert.Equal(("resolved", "the question"), (after[key]["reply_state"], after[key]["reply_text"]));
            var stored = TgMessageJson.Parse((string)after[key]["json"]!);
            Assert.Equal(new ReplyRef(-1001, 40, ReplyState.Resolved, "the question"), stored.ReplyTo);
            Assert.Equal(TgMessageJson.Parse((string)before[key]["json"]!) with { ReplyTo = stored.ReplyTo }, stored);
            Assert.Equal(before[key].Where(c => c.Key is not ("reply_state" or "reply_text" or "json")), after[key].Where(c => c.Key is not ("reply_state" or "reply_text" or "json")));
        }
        foreach (var untouched in new[] { laterEdit.Key, sameIdOtherChat.Key, otherMessage.Key, otherAccount.Key })
            Assert.Equal(before[untouched], after[untouched]);
    }

    [Fact]
    public async Task ReplyUpdate_ForAMessageNotStored_AddsNoRow()
    {
        await using var t = new TempSink();
        await t.WriteAsync(Msg.New(1, 1));
        await t.WriteAsync(Msg.ReplyUpdate(Msg.New(1, 99, reply: Msg.Unresolved(1, 98)), "x"));
        Assert.Single(t.Rows());
    }

    [Fact]
    public async Task RedeliveryAfterTheReplyWasResolved_DoesNotUndoIt()
    {
        await using var t = new TempSink();
        var original = Msg.New(1, 5, "hi", Msg.Unresolved(1, 4));
        await t.WriteAsync(original);
        await t.WriteAsync(Msg.ReplyUpdate(original, "resolved text"));
        await t.WriteAsync(original); // at-least-once: the unresolved record comes again

        var row = Assert.Single(t.Rows());
        Assert.Equal(("resolved", "resolved text"), (row["reply_state"], row["reply_text"]));
        Assert.Equal(ReplyState.Resolved, TgMessageJson.Parse((string)row["json"]!).ReplyTo!.State);
    }

    [Fact]
    public async Task QueryByChatAndDate_FindsTheMessages_ThroughTheIndex()
    {
        await using var t = new TempSink();
        var batch = new List<TgMessage>();
        for (var chat = 1; chat <= 3; chat++)
            for (var id = 1; id <= 50; id++) batch.Add(Msg.New(chat, id, date: TempSink.Now.AddHours(id)));
        await t.Sink.WriteAsync(batch, default);

        var from = TempSink.Now.AddHours(10).ToUnixTimeSeconds();
        var to = TempSink.Now.AddHours(19).ToUnixTimeSeconds();
        Assert.Equal(10, t.Scalar("SELECT count(*) FROM messages WHERE chat_id = @c AND date BETWEEN @a AND @b", ("@c", 2), ("@a", from), ("@b", to)));
        Assert.Equal(15, t.Scalar("SELECT message_id FROM messages WHERE chat_id = @c AND message_id = @m", ("@c", 3), ("@m", 15)));

        using var connection = t.Open();
        Assert.Contains("messages_by_chat_date", Plan(connection, "SELECT * FROM messages WHERE chat_id = 2 AND date BETWEEN 1 AND 2 ORDER BY date"));
        Assert.Contains("messages_by_chat_message", Plan(connection, "SELECT * FROM messages WHERE chat_id = 2 AND message_id = 7"));
    }

    [Fact]
    public async Task CancelledBatch_WritesNothing_AndTheSinkGoesOn()
    {
        await using var t = new TempSink();
        var batch = Enumerable.Range(1, 600).Select(i => Msg.New(1, i)).ToArray();
        using var cts = new CancellationTokenSource();
        await t.Sink.StartAsync(default);
        var cancelling = new CancellingList(batch, 300, cts);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await t.Sink.WriteAsync(cancelling, cts.Token));
        Assert.Empty(t.Rows());

        await t.Sink.WriteAsync(batch, default);
        Assert.Equal(600, t.Rows().Count);
    }

    [Fact]
    public async Task Reopened_KeepsTheRows_AndWritingThemAgainAddsNone()
    {
        await using var t = new TempSink();
        var batch = Enumerable.Range(1, 20).Select(i => Msg.New(1, i)).ToArray();
        await t.Sink.WriteAsync(batch, default);
        await t.Sink.DisposeAsync(); // one writer per file: the first sink is closed
        await using (var again = new SqliteMessageSink(t.Path, t.Time))
        {
            await again.WriteAsync(batch, default);
        }
        Assert.Equal(20, t.Rows().Count);
    }

    [Fact]
    public async Task Disposed_WriteFails()
    {
        await using var t = new TempSink();
        await t.WriteAsync(Msg.New(1, 1));
        await t.Sink.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await t.WriteAsync(Msg.New(1, 2)));
    }

    private static string Plan(Microsoft.Data.Sqlite.SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + sql;
        using var r = command.ExecuteReader();
        var plan = new System.Text.StringBuilder();
        while (r.Read()) plan.AppendLine(r.GetString(3));
        return plan.ToString();
    }

    private sealed class CancellingList(TgMessage[] items, int at, CancellationTokenSource cts) : IReadOnlyList<TgMessage>
    {
        public TgMessage this[int index]
        {
            get
            {
                if (index == at) cts.Cancel();
                return items[index];
            }
        }

        public int Count => items.Length;
        public IEnumerator<TgMessage> GetEnumerator() => ((IEnumerable<TgMessage>)items).GetEnumerator();
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
