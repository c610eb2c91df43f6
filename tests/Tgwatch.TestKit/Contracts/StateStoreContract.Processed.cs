using CsCheck;
using Tgwatch.Connectors;
using Xunit;

namespace Tgwatch.TestKit.Contracts;

// Processed keys: found exactly in batches of any size, told apart per sink, pruned by age and by count.
public abstract partial class StateStoreContract
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
    public async Task FindProcessed_ReturnsExactlyTheCommittedOnes(int asked)
    {
        var committed = Messages(-1001, 1, 2_000);
        await Store.CommitAsync(Commit(Start, committed), default);

        // Every other key asked was committed; the others were not (ids past 2000, or another chat).
        var (keys, expected) = StoreData.EveryOtherCommitted(committed, asked);
        var found = await ProcessedAsync(keys);
        Assert.True(expected.SetEquals(found), $"{found.Count} found, {expected.Count} expected");
    }

    [Fact]
    public async Task FindProcessed_AnySubset_Property()
    {
        await Store.CommitAsync(Commit(Start, Messages(1, 1, 700)), default);
        var gen = Gen.Int[1, 1_400].Array[0, 1_200];
        await gen.SampleAsync(async ids =>
        {
            var keys = ids.Select(id => Message(1, id).Key).ToList();
            var found = await ProcessedAsync(keys);
            var expected = ids.Where(id => id <= 700).Select(id => Message(1, id).Key).ToHashSet();
            return found.SetEquals(expected);
        }, iter: 60);
    }

    [Fact]
    public async Task FindProcessed_AfterReopen_FindsWhatEarlierRunsCommitted()
    {
        await Store.CommitAsync(Commit(Start, Messages(1, 1, 300)), default);
        await ReopenIfSupportedAsync();
        var keys = Keys(Messages(1, 250, 100));
        Assert.Equal(Keys(Messages(1, 250, 51)).Order(), (await ProcessedAsync(keys)).Order());
    }

    [Fact]
    public async Task FindProcessed_NoKeys_IsEmpty()
    {
        Assert.Empty(await ProcessedAsync([]));
        await Store.CommitAsync(Commit(Start, Messages(1, 1, 3)), default);
        Assert.Empty(await ProcessedAsync([]));
        Assert.Empty(await Store.FindProcessedAsync([], ["a"], default));
    }

    [Fact]
    public async Task AKey_IsMissingOnlyForTheSinksThatDidNotWriteIt_UntilTheyDo_AcrossAReopen()
    {
        var messages = Messages(5, 1, 3).Select(m => m with { Sinks = ["a", "b"] }).ToArray();
        await Store.CommitAsync(Commit(Start, messages), default);
        var keys = Keys(messages);

        var found = await Store.FindProcessedAsync(keys, ["a", "b", "c"], default);
        Assert.All(keys, k => Assert.Equal(["c"], found[k]));

        // "c" writes the first key; a commit again by "a" changes nothing for the others.
        await Store.CommitAsync(Commit(Start, [messages[0] with { Sinks = ["c"] }, messages[1] with { Sinks = ["a"] }]), default);
        await ReopenIfSupportedAsync();
        found = await Store.FindProcessedAsync(keys, ["a", "b", "c"], default);
        Assert.Empty(found[keys[0]]);
        Assert.Equal(["c"], found[keys[1]]);
        Assert.Equal(["c"], found[keys[2]]);
        Assert.Equal(3L, (await Store.GetStatusAsync(default)).Processed);
    }

    [Fact]
    public async Task AKeyCommittedForEverySink_IsHadByEverySink_EvenOnesNamedLater()
    {
        var every = Message(5, 1); // no sinks named: every sink has it, whichever they are
        var named = Message(5, 2) with { Sinks = ["b"] };
        await Store.CommitAsync(Commit(Start, [every, named]), default);

        var found = await Store.FindProcessedAsync([every.Key, named.Key, "none"], ["c", "b", "a"], default);
        Assert.Equal(2, found.Count);
        Assert.Empty(found[every.Key]);
        Assert.Equal(["c", "a"], found[named.Key]); // in the order asked

        // Naming a sink later does not narrow "every sink"; committing a key for every sink widens it.
        await Store.CommitAsync(Commit(Start, [every with { Sinks = ["a"] }, named with { Sinks = null }]), default);
        found = await Store.FindProcessedAsync([every.Key, named.Key], ["a", "b", "c", "d"], default);
        Assert.Equal(2, found.Count);
        Assert.All(found.Values, Assert.Empty);

        // Asked for no sink, a processed key is found, lacking none.
        var bare = Message(5, 3) with { Sinks = ["b"] };
        await Store.CommitAsync(Commit(Start, [bare]), default);
        Assert.Empty(Assert.Single(await Store.FindProcessedAsync([bare.Key], [], default)).Value);
    }

    [Fact]
    public async Task Prune_DropsByAgeAndBeyondNewestCount()
    {
        var keys = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            var m = Message(1, i);
            keys.Add(m.Key);
            await Store.CommitAsync(Commit(Start.AddMinutes(i), [m]), default);
        }

        Assert.Equal(3, await Store.PruneProcessedAsync(Start.AddMinutes(3), keepAtMost: 100, default));
        Assert.Equal(2, await Store.PruneProcessedAsync(Start, keepAtMost: 5, default));

        Assert.Equal(keys[5..].Order(), (await ProcessedAsync(keys)).Order());
        Assert.Equal(5, (await Store.GetStatusAsync(default)).Processed);
    }

    [Fact]
    public async Task Prune_ByAge_DropsOnlyKeysProcessedBeforeTheCut()
    {
        var old = Messages(1, 1, 50);
        var recent = Messages(1, 51, 50);
        await Store.CommitAsync(Commit(Start, old), default);
        await Store.CommitAsync(Commit(Start.AddDays(2), recent), default);

        var dropped = await Store.PruneProcessedAsync(Start.AddDays(1), int.MaxValue, default);

        Assert.Equal(50, dropped);
        Assert.Empty(await ProcessedAsync(Keys(old)));
        Assert.Equal(50, (await ProcessedAsync(Keys(recent))).Count);
        Assert.Equal(0, await Store.PruneProcessedAsync(Start.AddDays(1), int.MaxValue, default));
    }

    [Fact]
    public async Task Prune_ByCount_KeepsTheNewest_AndLeavesCheckpointsAndChats()
    {
        for (var b = 0; b < 3; b++)
            await Store.CommitAsync(Commit(Start.AddMinutes(b), Messages(1, 1 + 100 * b, 100), new Checkpoint("updates", b)), default);
        var before = await Store.GetStatusAsync(default);

        var dropped = await Store.PruneProcessedAsync(DateTimeOffset.MinValue, 150, default);

        Assert.Equal(150, dropped);
        Assert.Empty(await ProcessedAsync(Keys(Messages(1, 1, 150))));
        Assert.Equal(150, (await ProcessedAsync(Keys(Messages(1, 151, 150)))).Count);
        var after = await Store.GetStatusAsync(default);
        Assert.Equal(150, after.Processed);
        Assert.Equal(before.Checkpoints, after.Checkpoints);
        Assert.Equal(before.Chats, after.Chats);
    }
}
