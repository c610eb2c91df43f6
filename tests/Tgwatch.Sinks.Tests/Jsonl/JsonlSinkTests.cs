using System.Text;
using CsCheck;
using Tgwatch.Messages;
using Tgwatch.Sinks.Jsonl;
using Tgwatch.TestKit;

namespace Tgwatch.Sinks.Tests.Jsonl;

public sealed class JsonlSinkTests : IDisposable
{
    private readonly JsonlFixture _f = new();

    public void Dispose() => _f.Dispose();

    [Fact]
    public async Task Write_AReplyUpdateAndARealEditOfTheSameSecond_AreBothWritten()
    {
        var message = SomeMessage.New(1, "answer") with { ReplyTo = new ReplyRef(-1001234567890, 7, ReplyState.Unresolved) };
        var second = message.Date.AddMinutes(3);
        var update = message with { ReplyTo = message.ReplyTo! with { State = ReplyState.Resolved, Text = "question" }, EditDate = second, IsReplyUpdate = true };
        var edit = message with { Kind = MessageKind.Edit, Text = "answer, edited", EditDate = second, ReplyTo = update.ReplyTo };

        await using (var sink = await _f.StartAsync())
        {
            await sink.WriteAsync([message], CancellationToken.None);
            await sink.WriteAsync([update], CancellationToken.None);
            await sink.WriteAsync([edit], CancellationToken.None);
        }

        Assert.Equal(["answer", "answer", "answer, edited"], _f.Lines.Select(l => TgMessageJson.Parse(l).Text));
    }

    [Fact]
    public async Task Write_OneRecord_IsTheExactContractLine()
    {
        var message = SomeMessage.New(42, "héllo \"world\"\n✓ <b>&") with
        {
            Media = new MediaInfo("photo", "cap"),
            ReplyTo = new ReplyRef(-1001234567890, 41, ReplyState.Resolved, "earlier"),
            Forward = new ForwardInfo("user", 7, "Bob"),
        };

        await _f.WriteOnceAsync([message]);

        Assert.Equal(
            """{"account":"bot42","connector":"botapi","chat_id":-1001234567890,"message_id":42,"kind":"new","date":"2025-03-14T09:27:35Z","edit_date":null,"sender":{"id":1001,"name":"Ada Lovelace","username":"ada"},"chat":{"title":"Test chat","username":"testchat","type":"supergroup"},"text":"héllo \"world\"\n✓ <b>&","media":{"type":"photo","caption":"cap"},"reply_to":{"chat_id":-1001234567890,"message_id":41,"state":"resolved","text":"earlier"}}""" + "\n",
            _f.Text);
    }

    [Fact]
    public async Task Write_EditAndDelete_CarryKindEditDateAndNullSender()
    {
        await _f.WriteOnceAsync([SomeMessage.Edit(5, "new text"), SomeMessage.Delete(6)]);

        var lines = _f.Lines;
        Assert.Contains("\"kind\":\"edit\",\"date\":\"2025-03-14T09:26:58Z\",\"edit_date\":\"2025-03-14T09:27:58Z\"", lines[0]);
        Assert.Contains("\"kind\":\"delete\"", lines[1]);
        Assert.Contains("\"sender\":null,", lines[1]);
        Assert.Contains("\"text\":null,\"media\":null,\"reply_to\":null}", lines[1]);
    }

    [Fact]
    public async Task Write_SameBatchTwice_WritesEachMessageOnce()
    {
        var batch = SomeMessage.Batch(1, 5);
        await using (var sink = await _f.StartAsync())
        {
            await sink.WriteAsync(batch, CancellationToken.None);
            await sink.WriteAsync(batch, CancellationToken.None);
            Assert.Equal(5, sink.Written);
        }
        await _f.WriteOnceAsync(batch, [.. batch.Take(2), .. SomeMessage.Batch(6, 1)]);

        Assert.Equal([.. batch.Select(m => m.Key), SomeMessage.New(6, "message 6").Key], _f.Keys);
        var ledger = _f.Store.Snapshot().LedgerOf(_f.SinkName);
        Assert.Equal(6, ledger.Keys.Count);
        Assert.Equal(_f.Bytes.Length, ledger.Offset);
    }

    [Fact]
    public async Task Write_RepeatsWithinABatch_WrittenOnceInFirstSeenOrder()
    {
        var a = SomeMessage.New(1);
        var b = SomeMessage.New(2);
        var aEdit = SomeMessage.Edit(1);

        await _f.WriteOnceAsync([b, a, b, aEdit, a]);

        Assert.Equal([b.Key, a.Key, aEdit.Key], _f.Keys);
    }

    [Fact]
    public async Task Write_RandomBatchesWithRepeatsAndRestarts_EachKeyExactlyOnceInFirstSeenOrder()
    {
        var message = Gen.Select(Gen.Int[1, 12], Gen.Int[0, 3], (id, k) => k switch
        {
            0 or 1 => SomeMessage.New(id, $"text {id}"),
            2 => SomeMessage.Edit(id, $"edit {id}", secondsLater: 60 + id % 2),
            _ => SomeMessage.Delete(id),
        });
        var run = Gen.Select(message.Array[0, 15], Gen.Bool, (batch, restart) => (batch, restart)).Array[1, 8];

        await run.SampleAsync(async steps =>
        {
            using var f = new JsonlFixture();
            var sink = await f.StartAsync();
            try
            {
                foreach (var (batch, restart) in steps)
                {
                    await sink.WriteAsync(batch, CancellationToken.None);
                    if (!restart) continue;
                    await sink.DisposeAsync();
                    sink = await f.StartAsync();
                }
            }
            finally
            {
                await sink.DisposeAsync();
            }

            var expected = steps.SelectMany(s => s.batch).Select(m => m.Key).Distinct().ToList();
            Assert.Equal(expected, f.Keys);
        }, iter: 60);
    }

    [Fact]
    public async Task Write_LargeBatch_IsOneCompleteLinePerMessage()
    {
        var batch = Enumerable.Range(1, 20_000)
            .Select(i => SomeMessage.New(i, i % 100 == 0 ? new string('x', 4096) + "\n" + i : $"message {i} ✓"))
            .ToList();

        await using (var sink = await _f.StartAsync())
        {
            await sink.WriteAsync(batch, CancellationToken.None);
            await sink.WriteAsync(batch, CancellationToken.None);
        }

        var lines = _f.Lines;
        Assert.Equal(batch.Count, lines.Count);
        Assert.Equal(batch[^1].Key, TgMessageJson.Parse(lines[^1]).Key);
        Assert.Equal(batch[99].Text, TgMessageJson.Parse(lines[99]).Text);
        Assert.Equal(_f.Bytes.Length, _f.Store.Snapshot().LedgerOf(_f.SinkName).Offset);
    }

    [Fact]
    public async Task Start_NewFileAndDirectory_Mode0600And0700()
    {
        if (OperatingSystem.IsWindows()) return;
        var path = Path.Combine(_f.Directory, "nested", "deeper", "out.jsonl");

        await using (var sink = await _f.StartAsync(new JsonlSinkOptions { Path = path }))
            await sink.WriteAsync(SomeMessage.Batch(1, 1), CancellationToken.None);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        var userAll = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        Assert.Equal(userAll, File.GetUnixFileMode(Path.GetDirectoryName(path)!));
        Assert.Equal(userAll, File.GetUnixFileMode(Path.Combine(_f.Directory, "nested")));
    }

    [Fact]
    public async Task Write_BeforeStart_Throws()
    {
        await using var sink = new JsonlSink(_f.Options, _f.Store.SinkLedger);

        await Assert.ThrowsAsync<InvalidOperationException>(() => sink.WriteAsync(SomeMessage.Batch(1, 1), CancellationToken.None).AsTask());
    }

    [Fact]
    public void Name_DefaultsToJsonlAndTheFullPath()
    {
        Assert.Equal("jsonl:" + _f.PathName, new JsonlSink(_f.Options, _f.Store.SinkLedger).Name);
        Assert.Equal("jsonl", new JsonlSink(_f.Options with { Name = "jsonl" }, _f.Store.SinkLedger).Name);
    }

    [Theory]
    [InlineData("", "Path")]
    [InlineData("   ", "Path")]
    [InlineData("dir/", "Path")]
    public void Options_Invalid_ThrowNamingTheOption(string path, string option)
    {
        var e = Assert.Throws<ArgumentException>(() => new JsonlSink(new JsonlSinkOptions { Path = path }, new InMemoryStateStore().SinkLedger));
        Assert.Contains("JsonlSinkOptions." + option, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Options_BlankName_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => (_f.Options with { Name = " " }).Validate());
        Assert.Contains("JsonlSinkOptions.Name", e.Message);
    }
}
