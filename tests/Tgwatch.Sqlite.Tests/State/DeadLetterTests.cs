using Tgwatch.Faults;
using Tgwatch.Storage;

namespace Tgwatch.Sqlite.Tests.State;

public sealed class DeadLetterTests
{
    private static NewDeadLetter Letter(string key, string stage = "sink:webhook", int attempts = 5, FaultKind fault = FaultKind.Network, string error = "System.Net.Http.HttpRequestException: refused\n   at X.Y()") =>
        new(key, stage, $"{{\"key\":\"{key}\"}}", fault, "System.Net.Http.HttpRequestException", error, attempts, TempStore.Start.AddSeconds(attempts));

    [Fact]
    public async Task Add_ThenList_RoundTripsEveryField()
    {
        await using var t = await TempStore.OpenAsync();
        var letter = Letter("bot1:1:1:new:", fault: FaultKind.Resource);
        var id = await t.Store.DeadLetters.AddAsync(letter, default);
        var listed = Assert.Single(await t.Store.DeadLetters.ListAsync(10, 0, default));
        Assert.Equal(new DeadLetter(id, letter), listed);
    }

    [Fact]
    public async Task SameKeyAndStage_ReplacesTheLetterAndKeepsItsId()
    {
        await using var t = await TempStore.OpenAsync();
        var dl = t.Store.DeadLetters;
        var id = await dl.AddAsync(Letter("k1", attempts: 3), default);
        var other = await dl.AddAsync(Letter("k1", stage: "handler:alerts"), default);
        var again = await dl.AddAsync(Letter("k1", attempts: 9, fault: FaultKind.Timeout, error: "timed out"), default);

        Assert.Equal(id, again);
        Assert.NotEqual(id, other);
        Assert.Equal(2, await dl.CountAsync(default));
        var replaced = (await dl.ListAsync(10, 0, default)).Single(l => l.Id == id).Letter;
        Assert.Equal((9, FaultKind.Timeout, "timed out"), (replaced.Attempts, replaced.Fault, replaced.Error));
    }

    [Fact]
    public async Task List_PagesInIdOrder()
    {
        await using var t = await TempStore.OpenAsync();
        var ids = new List<long>();
        for (var i = 0; i < 7; i++) ids.Add(await t.Store.DeadLetters.AddAsync(Letter($"k{i}"), default));

        var page1 = await t.Store.DeadLetters.ListAsync(3, 0, default);
        var page2 = await t.Store.DeadLetters.ListAsync(3, page1[^1].Id, default);
        var page3 = await t.Store.DeadLetters.ListAsync(3, page2[^1].Id, default);

        Assert.Equal(ids, page1.Concat(page2).Concat(page3).Select(l => l.Id));
        Assert.Equal(["k0", "k1", "k2"], page1.Select(l => l.Letter.Key));
        Assert.Single(page3);
    }

    [Fact]
    public async Task Remove_DeletesOnce_AndIdsAreNotReused()
    {
        await using var t = await TempStore.OpenAsync();
        var dl = t.Store.DeadLetters;
        var a = await dl.AddAsync(Letter("a"), default);
        var b = await dl.AddAsync(Letter("b"), default);

        Assert.True(await dl.RemoveAsync(b, default));
        Assert.False(await dl.RemoveAsync(b, default));
        Assert.Equal(1, await dl.CountAsync(default));
        var c = await dl.AddAsync(Letter("c"), default);
        Assert.True(c > b, "a removed letter's id is not given again (replay pages by id)");
        Assert.Equal([a, c], (await dl.ListAsync(10, 0, default)).Select(l => l.Id));
    }

    [Fact]
    public async Task AFaultKindWrittenByANewerTgwatch_ReadsAsBug()
    {
        await using var t = await TempStore.OpenAsync();
        await t.Store.DeadLetters.AddAsync(Letter("k"), default);
        using (var raw = t.Raw()) Make.Scalar(raw, "UPDATE dead_letters SET fault = 'Quantum' RETURNING 0");
        Assert.Equal(FaultKind.Bug, Assert.Single(await t.Store.DeadLetters.ListAsync(1, 0, default)).Letter.Fault);
    }
}
