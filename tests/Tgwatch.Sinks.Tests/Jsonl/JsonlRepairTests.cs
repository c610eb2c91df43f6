using System.Text;
using Tgwatch.Messages;
using Tgwatch.Storage;
using Tgwatch.TestKit;

namespace Tgwatch.Sinks.Tests.Jsonl;

public sealed class JsonlRepairTests : IDisposable
{
    private readonly JsonlFixture _f = new();

    public void Dispose() => _f.Dispose();

    [Fact]
    public async Task Start_TornLastLine_IsCutAndItsMessageWrittenOnceOnRedelivery()
    {
        var batch = SomeMessage.Batch(1, 3);
        await _f.WriteOnceAsync(batch[..2]);
        var good = _f.Bytes;
        var torn = JsonlFixture.Line(batch[2])[..25];
        File.WriteAllBytes(_f.PathName, [.. good, .. torn]);

        await using (var sink = await _f.StartAsync())
        {
            Assert.Equal(torn.Length, sink.TornBytesCut);
            Assert.Equal(good, _f.Bytes);
            await sink.WriteAsync(batch, CancellationToken.None);
        }

        Assert.Equal(batch.Select(m => m.Key), _f.Keys);
        Assert.Single(_f.Logs.WithId(3101));
    }

    [Fact]
    public async Task Start_CompleteLinesPastTheOffset_AreRecordedNotRewritten()
    {
        var batch = SomeMessage.Batch(1, 4);
        await _f.WriteOnceAsync(batch[..1]);
        // A crash after the write and before the ledger recorded it: lines 2-4 are in the file only.
        File.AppendAllBytes(_f.PathName, [.. batch.Skip(1).SelectMany(JsonlFixture.Line)]);
        var before = _f.Bytes;

        await using (var sink = await _f.StartAsync())
        {
            Assert.Equal(3, sink.RecoveredLines);
            Assert.Equal(0, sink.UnparsableLines);
            await sink.WriteAsync(batch, CancellationToken.None);
        }

        Assert.Equal(before, _f.Bytes);
        var ledger = _f.Store.Snapshot().LedgerOf(_f.SinkName);
        Assert.Equal(batch.Select(m => m.Key).ToHashSet(), ledger.Keys);
        Assert.Equal(before.Length, ledger.Offset);
        Assert.Single(_f.Logs.WithId(3102));
    }

    [Fact]
    public async Task Start_AReplyUpdateLinePastTheOffset_IsRecordedUnderItsOwnKey_AndNotWrittenAgain()
    {
        var message = SomeMessage.New(1, "answer") with { ReplyTo = new ReplyRef(-1001234567890, 0, ReplyState.Unresolved) };
        var update = message with
        {
            ReplyTo = message.ReplyTo! with { State = ReplyState.Resolved, Text = "question" },
            EditDate = message.Date.AddMinutes(3),
            IsReplyUpdate = true,
        };
        await _f.WriteOnceAsync([message]);
        // A crash after the reply update's line was written and before the ledger recorded it.
        File.AppendAllBytes(_f.PathName, JsonlFixture.Line(update));
        var before = _f.Bytes;

        await using (var sink = await _f.StartAsync())
        {
            Assert.Equal(1, sink.RecoveredLines);
            await sink.WriteAsync([update], CancellationToken.None); // redelivered: the commit did not happen
        }

        Assert.Equal(before, _f.Bytes);
    }

    [Fact]
    public async Task Start_LostLedger_AccountsForTheWholeFileInChunks()
    {
        var batch = Enumerable.Range(1, 12_000).Select(i => SomeMessage.New(i, $"message {i}")).ToList();
        await _f.WriteOnceAsync(batch);
        var before = _f.Bytes;
        var fresh = new JsonlFixture();
        File.Copy(_f.PathName, fresh.PathName);
        using (fresh)
        {
            await using (var sink = await fresh.StartAsync())
            {
                Assert.Equal(batch.Count, sink.RecoveredLines);
                await sink.WriteAsync(batch, CancellationToken.None);
            }

            Assert.Equal(before, fresh.Bytes);
            Assert.Equal(before.Length, fresh.Store.Snapshot().LedgerOf(fresh.SinkName).Offset);
        }
    }

    [Fact]
    public async Task Start_GarbageCompleteLine_IsKeptCountedAndReportedOnce()
    {
        var batch = SomeMessage.Batch(1, 3);
        await _f.WriteOnceAsync(batch[..1]);
        var offset = _f.Bytes.Length;
        File.AppendAllBytes(_f.PathName, [.. "garbage {\n"u8, .. JsonlFixture.Line(batch[1]), .. "{\"account\":1}\n"u8]);
        var before = _f.Bytes;

        await using (var sink = await _f.StartAsync())
        {
            Assert.Equal(2, sink.UnparsableLines);
            Assert.Equal(1, sink.RecoveredLines);
            await sink.WriteAsync(batch, CancellationToken.None);
        }

        Assert.Equal([.. before, .. JsonlFixture.Line(batch[2])], _f.Bytes);
        var warning = Assert.Single(_f.Logs.WithId(3103));
        Assert.Contains("2 complete lines", warning.Message);
        Assert.Contains($"byte {offset}", warning.Message);

        await using (var again = await _f.StartAsync())
            Assert.Equal(0, again.UnparsableLines);
        Assert.Single(_f.Logs.WithId(3103));
    }

    [Fact]
    public async Task Start_ShrunkFile_WarnsOnceAndContinuesWithoutRewriting()
    {
        var batch = SomeMessage.Batch(1, 3);
        await _f.WriteOnceAsync(batch);
        File.WriteAllBytes(_f.PathName, []); // rotated by the user

        await using (var sink = await _f.StartAsync())
        {
            await sink.WriteAsync([.. batch, .. SomeMessage.Batch(4, 1)], CancellationToken.None);
        }

        Assert.Equal([SomeMessage.Batch(4, 1)[0].Key], _f.Keys);
        Assert.Single(_f.Logs.WithId(3104));
        Assert.Equal(_f.Bytes.Length, _f.Store.Snapshot().LedgerOf(_f.SinkName).Offset);
    }

    [Fact]
    public async Task Start_ShrunkToTheMiddleOfALine_KeepsTheFragmentOnALineOfItsOwn()
    {
        // Bytes before the recorded offset are not a torn write of the sink's: the fragment is kept, never cut.
        var batch = SomeMessage.Batch(1, 3);
        await _f.WriteOnceAsync(batch);
        var first = JsonlFixture.Line(batch[0]);
        var fragment = _f.Bytes[first.Length..(first.Length + 10)];
        File.WriteAllBytes(_f.PathName, _f.Bytes[..(first.Length + 10)]);

        await _f.WriteOnceAsync(SomeMessage.Batch(4, 1));

        Assert.Equal([.. first, .. fragment, (byte)'\n', .. JsonlFixture.Line(SomeMessage.Batch(4, 1)[0])], _f.Bytes);
        Assert.Single(_f.Logs.WithId(3104));
        Assert.Single(_f.Logs.WithId(3108));
        Assert.Empty(_f.Logs.WithId(3101));
    }

    [Fact]
    public async Task Write_LedgerFailsAfterTheWrite_RetryDoesNotDuplicate()
    {
        var ledger = new FailingLedger(_f.Store.SinkLedger);
        var batch = SomeMessage.Batch(1, 3);
        await using (var sink = new Tgwatch.Sinks.Jsonl.JsonlSink(_f.Options, ledger))
        {
            await sink.StartAsync(CancellationToken.None);
            ledger.FailRecords = 1;
            await Assert.ThrowsAsync<IOException>(() => sink.WriteAsync(batch, CancellationToken.None).AsTask());
            await sink.WriteAsync(batch, CancellationToken.None); // the pipeline retries
            await sink.WriteAsync(SomeMessage.Batch(4, 1), CancellationToken.None);
        }

        Assert.Equal([.. batch.Select(m => m.Key), SomeMessage.Batch(4, 1)[0].Key], _f.Keys);
        Assert.Equal(_f.Bytes.Length, _f.Store.Snapshot().LedgerOf(_f.SinkName).Offset);
    }

    [Fact]
    public async Task Start_RepairFails_FirstWriteRepairsBeforeWriting()
    {
        var batch = SomeMessage.Batch(1, 2);
        File.WriteAllBytes(_f.PathName, [.. batch.SelectMany(JsonlFixture.Line)]); // written, never recorded
        var ledger = new FailingLedger(_f.Store.SinkLedger) { FailRecords = 1 };
        await using (var sink = new Tgwatch.Sinks.Jsonl.JsonlSink(_f.Options, ledger))
        {
            await Assert.ThrowsAsync<IOException>(() => sink.StartAsync(CancellationToken.None).AsTask());
            await sink.WriteAsync(batch, CancellationToken.None);
        }

        Assert.Equal(batch.Select(m => m.Key), _f.Keys);
    }

    [Fact]
    public async Task Start_EmptyLineAndCrLfLinesPastTheOffset_AreHandled()
    {
        var batch = SomeMessage.Batch(1, 2);
        var crlf = TgMessageJson.ToUtf8(batch[1]);
        File.WriteAllBytes(_f.PathName, [.. "\n"u8, .. JsonlFixture.Line(batch[0]), .. crlf, .. "\r\n"u8]);

        await using var sink = await _f.StartAsync();

        Assert.Equal(2, sink.RecoveredLines);
        Assert.Equal(1, sink.UnparsableLines);
        Assert.Equal(batch.Select(m => m.Key).ToHashSet(), _f.Store.Snapshot().LedgerOf(_f.SinkName).Keys);
    }

    private sealed class FailingLedger(ISinkLedger inner) : ISinkLedger
    {
        public int FailRecords { get; set; }

        public ValueTask<long?> GetOffsetAsync(string sink, CancellationToken ct) => inner.GetOffsetAsync(sink, ct);

        public ValueTask<IReadOnlySet<string>> FindWrittenAsync(string sink, IReadOnlyCollection<string> keys, CancellationToken ct) =>
            inner.FindWrittenAsync(sink, keys, ct);

        public ValueTask RecordAsync(string sink, IReadOnlyCollection<string> keys, long offset, CancellationToken ct)
        {
            if (FailRecords-- > 0) throw new IOException("state store unavailable");
            return inner.RecordAsync(sink, keys, offset, ct);
        }
    }
}
