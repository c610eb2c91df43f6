using System.Text.Json;
using Npgsql;
using Tgwatch.Messages;
using Tgwatch.Postgres.Database;
using Tgwatch.Postgres.Sink;
using Tgwatch.TestKit;

namespace Tgwatch.Postgres.Tests.Sink;

/// <summary>The postgres sink: a batch copied in and upserted as one transaction, one row per key, reply updates applied to the rows.</summary>
public sealed class PostgresMessageSinkTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private string _database = "";
    private PostgresMessageSink _sink = null!;

    public async Task InitializeAsync()
    {
        _database = await (await PostgresCluster.SharedAsync()).CreateDatabaseAsync("sink");
        _sink = new PostgresMessageSink(PostgresTarget.Parse(_database, "postgres sink"));
        await _sink.StartAsync(default);
    }

    public async Task DisposeAsync() => await _sink.DisposeAsync();

    private static TgMessage New(long chat, long id, string? text = null, ReplyRef? reply = null, string account = "bot1") => new()
    {
        Account = account,
        Connector = "botapi",
        Chat = new ChatInfo(chat, "supergroup", "Group", null),
        MessageId = id,
        Date = Now.AddMinutes(-100 + id),
        Sender = new SenderInfo(7, "Alice A.", "alice"),
        Text = text ?? $"message {id}",
        ReplyTo = reply,
    };

    private static TgMessage ReplyUpdate(TgMessage m, string text) =>
        m with { IsReplyUpdate = true, Kind = MessageKind.Edit, ReplyTo = m.ReplyTo! with { State = ReplyState.Resolved, Text = text } };

    private async Task<List<Dictionary<string, object?>>> RowsAsync()
    {
        await using var connection = new NpgsqlConnection(_database + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT key, account, connector, chat_id, message_id, kind, date, edit_date, sender_id, text, record::text AS record, xmin::text AS version FROM tgwatch_messages ORDER BY key", connection);
        await using var r = await command.ExecuteReaderAsync();
        var rows = new List<Dictionary<string, object?>>();
        while (await r.ReadAsync())
            rows.Add(Enumerable.Range(0, r.FieldCount).ToDictionary(r.GetName, i => r.IsDBNull(i) ? null : r.GetValue(i)));
        return rows;
    }

    [Fact]
    public async Task Records_OfAnyText_AreStoredAsWritten_BeforeAndAfterALongOne()
    {
        // The record goes in as UTF-8 from one buffer reused from row to row: letters of two, three and four bytes, a
        // record longer than the connection's write buffer, and short ones after it (the buffer grown, then written over).
        string[] texts = ["Привет, мир", "日本語のテキスト", "an emoji 😀 and \"quotes\" \\ \n", new string('ж', 40_000) + "😀", "short again", "é"];
        var batch = texts.Select((t, i) => New(-1002, i + 1, t)).ToList();

        await _sink.WriteAsync(batch, default);
        await _sink.WriteAsync([New(-1002, 100, "the next batch")], default);

        var rows = (await RowsAsync()).ToDictionary(r => (string)r["key"]!);
        foreach (var m in batch.Append(New(-1002, 100, "the next batch")))
        {
            Assert.Equal(m, TgMessageJson.Parse((string)rows[m.Key]["record"]!));
            Assert.Equal(m.Text, (string)rows[m.Key]["text"]!);
        }
    }

    [Fact]
    public async Task Records_OnAConnectionNotInUtf8_AreStoredAsWritten()
    {
        // A connection string may set the client encoding (a LATIN1 setup: Encoding=LATIN1;Client Encoding=LATIN1): the
        // server reads what it is sent in that encoding, so the record's UTF-8 sent as it is became "cafÃ©" in the record
        // while the text column, sent as a string, kept "café".
        var database = await (await PostgresCluster.SharedAsync()).CreateDatabaseAsync("sinklatin1");
        await using (var sink = new PostgresMessageSink(PostgresTarget.Parse(database + ";Encoding=LATIN1;Client Encoding=LATIN1", "postgres sink")))
        {
            await sink.StartAsync(default);
            await sink.WriteAsync([New(-1003, 1, "café crème") with { Chat = new ChatInfo(-1003, "supergroup", "Café", null) }], default);
        }

        await using var connection = new NpgsqlConnection(database + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT text, record::text FROM tgwatch_messages", connection);
        await using var r = await command.ExecuteReaderAsync();
        Assert.True(await r.ReadAsync());
        Assert.Equal("café crème", r.GetString(0));
        var record = TgMessageJson.Parse(r.GetString(1));
        Assert.Equal("café crème", record.Text);
        Assert.Equal("Café", record.Chat.Title);
    }

    [Fact]
    public async Task ABatch_IsOneRowPerKey_WithItsColumnsAndTheContractRecord()
    {
        var batch = Enumerable.Range(1, 700).Select(i => New(-1001, i)).ToList();
        var edit = New(-1001, 5, "edited") with { Kind = MessageKind.Edit, EditDate = Now.AddSeconds(3) };
        batch.Add(edit);

        await _sink.WriteAsync(batch, default);

        var rows = (await RowsAsync()).ToDictionary(r => (string)r["key"]!);
        Assert.Equal(701, rows.Count);
        var row = rows[edit.Key];
        Assert.Equal(("bot1", "botapi", -1001L, 5L, "edit", "edited", 7L),
            ((string)row["account"]!, (string)row["connector"]!, (long)row["chat_id"]!, (long)row["message_id"]!, (string)row["kind"]!, (string)row["text"]!, (long)row["sender_id"]!));
        Assert.Equal(edit.Date, new DateTimeOffset((DateTime)row["date"]!));
        Assert.Equal(Now.AddSeconds(3), new DateTimeOffset((DateTime)row["edit_date"]!));
        Assert.Equal(edit, TgMessageJson.Parse((string)row["record"]!));
        Assert.Null(rows[New(-1001, 1).Key]["edit_date"]);
        Assert.Equal(New(-1001, 1), TgMessageJson.Parse((string)rows[New(-1001, 1).Key]["record"]!));
    }

    [Fact]
    public async Task TheSameBatchAgain_WritesNothingTwice_NotEvenANewRowVersion()
    {
        var batch = Enumerable.Range(1, 50).Select(i => New(-1001, i)).ToArray();
        await _sink.WriteAsync(batch, default);
        var before = await RowsAsync();

        await _sink.WriteAsync(batch, default);
        await _sink.WriteAsync([batch[3], batch[3], batch[7]], default); // a key twice in one batch is one row

        Assert.Equal(before, await RowsAsync());
    }

    [Fact]
    public async Task ABatchOfNewKeysWithOneStoredAlready_WritesEachNewRowOnce_LeavesTheStoredOneAlone_AndTheBatchesAfterGoIn()
    {
        // As after a crash: the first batch again, with what came after it.
        var stored = New(-1001, 3);
        await _sink.WriteAsync([stored], default);
        var before = Assert.Single(await RowsAsync());

        await _sink.WriteAsync(Enumerable.Range(1, 40).Select(i => New(-1001, i)).ToArray(), default);
        for (var b = 0; b < 40; b++) await _sink.WriteAsync(Enumerable.Range(100 + 10 * b, 10).Select(i => New(-1002, i)).ToArray(), default);

        var rows = await RowsAsync();
        Assert.Equal(40 + 400, rows.Count);
        Assert.Equal(before, rows.Single(r => (string)r["key"]! == stored.Key));
        Assert.Equal(400, rows.Count(r => (long)r["chat_id"]! == -1002));
    }

    [Fact]
    public async Task AKeyWrittenWithAChangedRecord_UpdatesItsRow()
    {
        var first = New(-1001, 1);
        await _sink.WriteAsync([first], default);
        var renamed = first with { Chat = first.Chat with { Title = "Renamed group" } };
        Assert.Equal(first.Key, renamed.Key);

        await _sink.WriteAsync([renamed], default);

        var row = Assert.Single(await RowsAsync());
        Assert.Equal("Renamed group", TgMessageJson.Parse((string)row["record"]!).Chat.Title);
    }

    [Fact]
    public async Task AReplyUpdate_ResolvesOnlyTheUnresolvedRowsOfThatMessage_AndAddsNoRow()
    {
        var reply = new ReplyRef(-1001, 40, ReplyState.Unresolved);
        var original = New(-1001, 42, "answer", reply);
        var edit = original with { Kind = MessageKind.Edit, EditDate = original.Date.AddSeconds(60), Text = "answer, edited" };
        var known = original with { Kind = MessageKind.Edit, EditDate = original.Date.AddSeconds(120), Text = "again", ReplyTo = reply with { State = ReplyState.Resolved, Text = "known already" } };
        var otherChat = New(-1002, 42, "elsewhere", new ReplyRef(-1002, 40, ReplyState.Unresolved));
        var otherAccount = New(-1001, 42, "another bot", reply, account: "bot2");
        await _sink.WriteAsync([original, edit, known, otherChat, otherAccount], default);
        var before = (await RowsAsync()).ToDictionary(r => (string)r["key"]!);

        await _sink.WriteAsync([ReplyUpdate(original, "the question"), ReplyUpdate(New(-1001, 99, reply: new ReplyRef(-1001, 98, ReplyState.Unresolved)), "x")], default);

        var after = (await RowsAsync()).ToDictionary(r => (string)r["key"]!);
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        foreach (var key in new[] { original.Key, edit.Key })
        {
            var stored = TgMessageJson.Parse((string)after[key]["record"]!);
            Assert.Equal(new ReplyRef(-1001, 40, ReplyState.Resolved, "the question"), stored.ReplyTo);
            Assert.Equal(TgMessageJson.Parse((string)before[key]["record"]!) with { ReplyTo = stored.ReplyTo }, stored);
        }
        foreach (var untouched in new[] { known.Key, otherChat.Key, otherAccount.Key })
            Assert.Equal(before[untouched], after[untouched]);

        // At-least-once: the unresolved record coming again does not undo the resolution.
        await _sink.WriteAsync([original], default);
        Assert.Equal(ReplyState.Resolved, TgMessageJson.Parse((string)(await RowsAsync()).Single(r => (string)r["key"]! == original.Key)["record"]!).ReplyTo!.State);
    }

    [Fact]
    public async Task ACancelledBatch_WritesNothing_AndTheNextOneGoesIn()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await _sink.WriteAsync([New(1, 1)], cancelled.Token));
        Assert.Empty(await RowsAsync());
        await _sink.WriteAsync([New(1, 2)], default);
        Assert.Single(await RowsAsync());
    }

    [Fact]
    public async Task TheTable_IsVersioned_AndASecondSinkOnTheDatabaseFindsItMigrated()
    {
        Assert.Equal(PostgresMessageSink.SchemaVersion, (int)(await PostgresCluster.QueryAsync(_database, "SELECT version FROM tgwatch_schema WHERE role = 'messages'"))!);
        await using var second = new PostgresMessageSink(PostgresTarget.Parse(_database, "postgres sink"), "second");
        await second.StartAsync(default);
        await second.WriteAsync([New(1, 1)], default);
        Assert.Single(await RowsAsync());
        // The state store shares the database: its tables and version live beside the sink's.
        await using var store = await PostgresStateStore.OpenAsync(_database, TimeProvider.System, default);
        Assert.Equal(2L, await PostgresCluster.QueryAsync(_database, "SELECT count(*) FROM tgwatch_schema"));
    }

    [Fact]
    public async Task ATableNewerThanThisCode_IsOneLine()
    {
        await PostgresCluster.QueryAsync(_database, "UPDATE tgwatch_schema SET version = 99 WHERE role = 'messages'");
        await using var sink = new PostgresMessageSink(PostgresTarget.Parse(_database, "postgres sink"));
        var e = await Assert.ThrowsAsync<PostgresOpenException>(async () => await sink.StartAsync(default));
        Assert.Matches(@"^postgres sink postgres://127\.0\.0\.1:\d+/sink_\w+: its tables are at version 99, newer than this Tgwatch knows \(1\); use a newer Tgwatch$", e.Message);
    }
}
