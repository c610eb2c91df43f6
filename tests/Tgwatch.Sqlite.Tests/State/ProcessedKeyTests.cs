using Tgwatch.TestKit;
using Tgwatch.Sqlite.State;

namespace Tgwatch.Sqlite.Tests.State;

/// <summary>
/// How the SQLite store finds and prunes processed keys: through its key filter or, opened for reading, without it; in
/// look-ups and deletes of bounded size (what every store promises of them is in the state store contract).
/// </summary>
public sealed class ProcessedKeyTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(500)]
    [InlineData(501)]
    [InlineData(3_333)]
    public async Task FindProcessed_OpenedForReading_WithoutTheKeyFilter_ReturnsExactlyTheCommittedOnes(int asked)
    {
        await using var t = await TempStore.OpenAsync();
        var committed = Make.Messages(-1001, 1, 2_000);
        await t.Store.CommitAsync(Make.Commit(TempStore.Start, committed), default);

        // Every other key asked was committed; the others were not (ids past 2000, or another chat).
        var (keys, expected) = Tgwatch.TestKit.Contracts.StoreData.EveryOtherCommitted(committed, asked);

        // Opened for reading (no key filter: every look-up asks the file), the answer is exact, also for keys committed then.
        await using var reading = await SqliteStateStore.OpenAsync(t.Path, t.Time, SqliteStateStoreOptions.Reading, default);
        var found = await reading.FindProcessedAsync(keys, default);
        Assert.True(expected.SetEquals(found), $"{found.Count} found, {expected.Count} expected");
        var later = Make.Messages(-1001, 5_000, 3);
        await reading.CommitAsync(Make.Commit(TempStore.Start, later), default);
        Assert.Equal(later.Select(m => m.Key).ToHashSet(), await reading.FindProcessedAsync([.. later.Select(m => m.Key), "none"], default));
        Assert.Empty(await reading.FindProcessedAsync([], default));
    }

    [Fact]
    public void KeyFilter_NeverForgetsAKey_AndRarelyImaginesOne()
    {
        var filter = new KeyFilter(100_000);
        var added = Enumerable.Range(0, 100_000).Select(i => $"bot1:-100{i % 7}:{i}:new:").ToList();
        foreach (var k in added) filter.Add(k);
        Assert.All(added, k => Assert.True(filter.MayContain(k)));
        var imagined = Enumerable.Range(0, 100_000).Count(i => filter.MayContain($"bot1:-100{i % 7}:{i}:edit:1700000000"));
        Assert.InRange(imagined, 0, 3_000); // about 1 % at capacity
    }

    [Fact]
    public async Task FindProcessed_StaysExact_WhenTheFilterOutgrowsItsCapacity()
    {
        await using var t = await TempStore.OpenAsync(new SqliteStateStoreOptions { MaxProcessedKeys = 1_000 });
        for (var b = 0; b < 6; b++)
            await t.Store.CommitAsync(Make.Commit(TempStore.Start, Make.Messages(1, 1 + b * 1_000, 1_000)), default);
        var keys = Make.Keys(Make.Messages(1, 5_500, 1_000));
        Assert.Equal(501, (await t.Store.FindProcessedAsync(keys, default)).Count); // ids 5,500..6,000
    }

    [Fact]
    public async Task Prune_ManyMoreThanAChunk_DropsThemAll()
    {
        await using var t = await TempStore.OpenAsync();
        var count = 2 * 5_000 + 1_234;
        await t.Store.CommitAsync(Make.Commit(TempStore.Start, Make.Messages(1, 1, count)), default);
        await t.Store.CommitAsync(Make.Commit(TempStore.Start.AddDays(9), Make.Messages(2, 1, count)), default);

        Assert.Equal(count, await t.Store.PruneProcessedAsync(TempStore.Start.AddDays(1), int.MaxValue, default));
        Assert.Equal(count - 1_000, await t.Store.PruneProcessedAsync(DateTimeOffset.MinValue, 1_000, default));
        Assert.Equal(1_000, (await t.Store.GetStatusAsync(default)).Processed);
        Assert.Equal(1_000, (await t.Store.FindProcessedAsync(Make.Keys(Make.Messages(2, 1, count)), default)).Count);
    }

    [Fact]
    public async Task Prune_WithOptions_UsesRetentionAndTheClock()
    {
        await using var t = await TempStore.OpenAsync(new SqliteStateStoreOptions { ProcessedRetention = TimeSpan.FromDays(7), MaxProcessedKeys = 30 });
        await t.Store.CommitAsync(Make.Commit(t.Time.GetUtcNow(), Make.Messages(1, 1, 20)), default);
        t.Time.Advance(TimeSpan.FromDays(5));
        await t.Store.CommitAsync(Make.Commit(t.Time.GetUtcNow(), Make.Messages(1, 21, 20)), default);
        Assert.Equal(10, await t.Store.PruneProcessedAsync(default)); // by count: 40 > 30
        t.Time.Advance(TimeSpan.FromDays(3));
        Assert.Equal(10, await t.Store.PruneProcessedAsync(default)); // by age: the first batch is 8 days old
        Assert.Equal(20, (await t.Store.FindProcessedAsync(Make.Keys(Make.Messages(1, 21, 20)), default)).Count);
    }
}
