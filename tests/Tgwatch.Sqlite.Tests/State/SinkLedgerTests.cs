using Tgwatch.Storage;

namespace Tgwatch.Sqlite.Tests.State;

public sealed class SinkLedgerTests
{
    [Fact]
    public async Task Record_SetsTheOffsetAndTheWrittenKeys_PerSink()
    {
        await using var t = await TempStore.OpenAsync();
        var ledger = t.Store.SinkLedger;
        Assert.Null(await ledger.GetOffsetAsync("jsonl", default));

        await ledger.RecordAsync("jsonl", ["a", "b"], 120, default);
        await ledger.RecordAsync("jsonl", ["b", "c"], 300, default);
        await ledger.RecordAsync("jsonl-2", ["z"], 7, default);

        Assert.Equal(300, await ledger.GetOffsetAsync("jsonl", default));
        Assert.Equal(7, await ledger.GetOffsetAsync("jsonl-2", default));
        Assert.Equal(["a", "b", "c"], (await ledger.FindWrittenAsync("jsonl", ["a", "b", "c", "d", "z"], default)).Order());
        Assert.Equal(["z"], await ledger.FindWrittenAsync("jsonl-2", ["a", "z"], default));
    }

    [Fact]
    public async Task Record_NoKeys_StillMovesTheOffset()
    {
        await using var t = await TempStore.OpenAsync();
        await t.Store.SinkLedger.RecordAsync("jsonl", [], 55, default);
        Assert.Equal(55, await t.Store.SinkLedger.GetOffsetAsync("jsonl", default));
    }

    [Fact]
    public async Task FindWritten_ManyKeys_IsExact()
    {
        await using var t = await TempStore.OpenAsync();
        var written = Enumerable.Range(0, 1_500).Select(i => $"k{i}").ToArray();
        await t.Store.SinkLedger.RecordAsync("jsonl", written, 1, default);
        var asked = Enumerable.Range(1_000, 1_100).Select(i => $"k{i}").ToArray();
        var found = await t.Store.SinkLedger.FindWrittenAsync("jsonl", asked, default);
        Assert.Equal(500, found.Count);
        Assert.All(found, k => Assert.True(int.Parse(k[1..], System.Globalization.CultureInfo.InvariantCulture) is >= 1_000 and < 1_500));
    }

    [Fact]
    public async Task Record_AFailingKey_RecordsNothing()
    {
        await using var t = await TempStore.OpenAsync();
        await t.Store.SinkLedger.RecordAsync("jsonl", ["a"], 10, default);
        await Assert.ThrowsAsync<ArgumentException>(async () => await t.Store.SinkLedger.RecordAsync("jsonl", ["b", null!], 20, default));
        Assert.Equal(10, await t.Store.SinkLedger.GetOffsetAsync("jsonl", default));
        Assert.Empty(await t.Store.SinkLedger.FindWrittenAsync("jsonl", ["b"], default));
    }

    [Fact]
    public async Task TheLedger_AgesOutWithTheProcessedKeys_ExceptRecordsStillWaitingInAnOutbox()
    {
        await using var t = await TempStore.OpenAsync();
        await t.Store.SinkLedger.RecordAsync("jsonl", ["old"], 10, default);
        await t.Store.Outbox.EnqueueAsync("webhook", [new OutboxItem("waiting", [1]), new OutboxItem("sent", [2])], default);
        var sent = (await t.Store.Outbox.PeekAsync("webhook", 10, default)).Where(e => e.Key == "sent").Select(e => e.Id).ToArray();
        await t.Store.Outbox.DeleteAsync("webhook", sent, default);
        t.Time.Advance(TimeSpan.FromDays(8));
        await t.Store.SinkLedger.RecordAsync("jsonl", ["new"], 20, default);

        await t.Store.PruneProcessedAsync(t.Time.GetUtcNow() - TimeSpan.FromDays(7), 1000, default);

        Assert.Equal(["new"], await t.Store.SinkLedger.FindWrittenAsync("jsonl", ["old", "new"], default));
        Assert.Equal(20, await t.Store.SinkLedger.GetOffsetAsync("jsonl", default));
        Assert.Equal(0, await t.Store.Outbox.EnqueueAsync("webhook", [new OutboxItem("waiting", [1])], default)); // still remembered
        Assert.Equal(1, await t.Store.Outbox.EnqueueAsync("webhook", [new OutboxItem("sent", [2])], default));    // aged out
    }
}
