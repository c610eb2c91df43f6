namespace Tgwatch.Sqlite.Tests.State;

public sealed class SinkLedgerTests
{
    [Fact]
    public async Task Record_SetsTheOffsetAndTheWrittenKeys_PerSink()
    {
        await using var t = await TempStore.OpenAsync();
        var ledger = t.Store.SinkLedger;
        Assert.Equal(0, await ledger.GetOffsetAsync("jsonl", default));

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
}
