using Tgwatch.Faults;
using Tgwatch.Storage;
using Xunit;

namespace Tgwatch.TestKit.Contracts;

// Dead letters: one per key and stage, listed in id order, removed after a replay; ids are never given twice.
public abstract partial class StateStoreContract
{
    private static NewDeadLetter Letter(string key, string stage = "sink:webhook", int attempts = 5, FaultKind fault = FaultKind.Network, string error = "System.Net.Http.HttpRequestException: refused\n   at X.Y()") =>
        new(key, stage, $"{{\"key\":\"{key}\"}}", fault, "System.Net.Http.HttpRequestException", error, attempts, Start.AddSeconds(attempts));

    [Fact]
    public async Task DeadLetter_Add_ThenList_RoundTripsEveryField_AcrossAReopen()
    {
        var letter = Letter("bot1:1:1:new:", fault: FaultKind.Resource) with { FailedAt = Start.AddMilliseconds(123) };
        var id = await Store.DeadLetters.AddAsync(letter, default);
        await ReopenIfSupportedAsync();
        var listed = Assert.Single(await Store.DeadLetters.ListAsync(10, 0, default));
        Assert.Equal(new DeadLetter(id, letter), listed);
    }

    [Fact]
    public async Task DeadLetter_SameKeyAndStage_ReplacesTheLetterAndKeepsItsId()
    {
        var dl = Store.DeadLetters;
        var id = await dl.AddAsync(Letter("k1", attempts: 3, error: "one"), default);
        var other = await dl.AddAsync(Letter("k1", stage: "handler:alerts", error: "two"), default);
        var again = await dl.AddAsync(Letter("k1", attempts: 9, fault: FaultKind.Timeout, error: "three"), default);

        Assert.Equal(id, again);
        Assert.NotEqual(id, other);
        Assert.Equal(2, await dl.CountAsync(default));
        var listed = await dl.ListAsync(10, 0, default);
        Assert.Equal(["three", "two"], listed.Select(l => l.Letter.Error)); // the replaced letter keeps its place
        var replaced = listed.Single(l => l.Id == id).Letter;
        Assert.Equal((9, FaultKind.Timeout, "three"), (replaced.Attempts, replaced.Fault, replaced.Error));
        Assert.Equal(["two"], (await dl.ListAsync(10, id, default)).Select(l => l.Letter.Error));

        // Once removed, a letter for the same key and stage is a new one.
        Assert.True(await dl.RemoveAsync(id, default));
        Assert.NotEqual(id, await dl.AddAsync(Letter("k1", error: "four"), default));
    }

    [Fact]
    public async Task DeadLetter_List_PagesInIdOrder()
    {
        var ids = new List<long>();
        for (var i = 0; i < 7; i++) ids.Add(await Store.DeadLetters.AddAsync(Letter($"k{i}"), default));

        var page1 = await Store.DeadLetters.ListAsync(3, 0, default);
        var page2 = await Store.DeadLetters.ListAsync(3, page1[^1].Id, default);
        var page3 = await Store.DeadLetters.ListAsync(3, page2[^1].Id, default);

        Assert.Equal(ids, page1.Concat(page2).Concat(page3).Select(l => l.Id));
        Assert.Equal(["k0", "k1", "k2"], page1.Select(l => l.Letter.Key));
        Assert.Single(page3);
        Assert.Empty(await Store.DeadLetters.ListAsync(3, page3[0].Id, default));
        Assert.Empty(await Store.DeadLetters.ListAsync(0, 0, default));
    }

    [Fact]
    public async Task DeadLetter_Remove_DeletesOnce_AndIdsAreNotReused()
    {
        var dl = Store.DeadLetters;
        var a = await dl.AddAsync(Letter("a"), default);
        var b = await dl.AddAsync(Letter("b"), default);

        Assert.True(await dl.RemoveAsync(b, default));
        Assert.False(await dl.RemoveAsync(b, default));
        Assert.Equal(1, await dl.CountAsync(default));
        await ReopenIfSupportedAsync();
        dl = Store.DeadLetters;
        var c = await dl.AddAsync(Letter("c"), default);
        Assert.True(c > b, "a removed letter's id is not given again (replay pages by id)");
        Assert.Equal([a, c], (await dl.ListAsync(10, 0, default)).Select(l => l.Id));
    }
}
