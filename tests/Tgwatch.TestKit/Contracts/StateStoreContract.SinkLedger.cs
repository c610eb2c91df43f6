using Tgwatch.Storage;
using Xunit;

namespace Tgwatch.TestKit.Contracts;

// The sink ledger: the keys each sink wrote and its accounted-for offset, recorded together; ageing with the processed keys.
public abstract partial class StateStoreContract
{
    [Fact]
    public async Task Ledger_Record_SetsTheOffsetAndTheWrittenKeys_PerSink()
    {
        var ledger = Store.SinkLedger;
        Assert.Null(await ledger.GetOffsetAsync("jsonl", default));

        await ledger.RecordAsync("jsonl", ["a", "b"], 120, default);
        await ledger.RecordAsync("jsonl", ["b", "c"], 300, default);
        await ledger.RecordAsync("jsonl-2", ["z"], 7, default);
        await ReopenIfSupportedAsync();
        ledger = Store.SinkLedger;

        Assert.Equal(300, await ledger.GetOffsetAsync("jsonl", default));
        Assert.Equal(7, await ledger.GetOffsetAsync("jsonl-2", default));
        Assert.Equal(["a", "b", "c"], (await ledger.FindWrittenAsync("jsonl", ["a", "b", "c", "d", "z"], default)).Order());
        Assert.Equal(["z"], await ledger.FindWrittenAsync("jsonl-2", ["a", "z"], default));
        Assert.Empty(await ledger.FindWrittenAsync("other", ["a"], default));
        Assert.Empty(await ledger.FindWrittenAsync("jsonl", [], default));
    }

    [Fact]
    public async Task Ledger_Record_NoKeys_StillSetsTheOffset_EvenALowerOne()
    {
        await Store.SinkLedger.RecordAsync("jsonl", [], 55, default);
        Assert.Equal(55, await Store.SinkLedger.GetOffsetAsync("jsonl", default));
        await Store.SinkLedger.RecordAsync("jsonl", ["a"], 40, default);
        Assert.Equal(40, await Store.SinkLedger.GetOffsetAsync("jsonl", default));
    }

    [Fact]
    public async Task Ledger_FindWritten_ManyKeys_IsExact()
    {
        var written = Enumerable.Range(0, 1_500).Select(i => $"k{i}").ToArray();
        await Store.SinkLedger.RecordAsync("jsonl", written, 1, default);
        var asked = Enumerable.Range(1_000, 1_100).Select(i => $"k{i}").ToArray();
        var found = await Store.SinkLedger.FindWrittenAsync("jsonl", asked, default);
        Assert.Equal(500, found.Count);
        Assert.All(found, k => Assert.True(int.Parse(k[1..], System.Globalization.CultureInfo.InvariantCulture) is >= 1_000 and < 1_500));
    }

    [Fact]
    public async Task Ledger_Record_AFailingKey_RecordsNothing()
    {
        await Store.SinkLedger.RecordAsync("jsonl", ["a"], 10, default);
        await Assert.ThrowsAsync<ArgumentException>(async () => await Store.SinkLedger.RecordAsync("jsonl", ["b", null!], 20, default));
        Assert.Equal(10, await Store.SinkLedger.GetOffsetAsync("jsonl", default));
        Assert.Empty(await Store.SinkLedger.FindWrittenAsync("jsonl", ["b"], default));
    }

    [Fact]
    public async Task TheLedger_AgesOutWithTheProcessedKeys_ExceptRecordsStillWaitingInAnOutbox()
    {
        await Store.SinkLedger.RecordAsync("jsonl", ["old"], 10, default);
        await Store.Outbox.EnqueueAsync("webhook", [new OutboxItem("waiting", [1]), new OutboxItem("sent", [2])], default);
        var sent = (await Store.Outbox.PeekAsync("webhook", 10, default)).Where(e => e.Key == "sent").Select(e => e.Id).ToArray();
        await Store.Outbox.DeleteAsync("webhook", sent, default);
        Time.Advance(TimeSpan.FromDays(8));
        await Store.SinkLedger.RecordAsync("jsonl", ["new"], 20, default);

        await Store.PruneProcessedAsync(Time.GetUtcNow() - TimeSpan.FromDays(7), 1000, default);

        Assert.Equal(["new"], await Store.SinkLedger.FindWrittenAsync("jsonl", ["old", "new"], default));
        Assert.Equal(20, await Store.SinkLedger.GetOffsetAsync("jsonl", default));
        Assert.Equal(0, await Store.Outbox.EnqueueAsync("webhook", [new OutboxItem("waiting", [1])], default)); // still remembered
        Assert.Equal(1, await Store.Outbox.EnqueueAsync("webhook", [new OutboxItem("sent", [2])], default));    // aged out
    }
}
