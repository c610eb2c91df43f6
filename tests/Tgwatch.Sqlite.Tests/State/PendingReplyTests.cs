using Tgwatch.Storage;

namespace Tgwatch.Sqlite.Tests.State;

public sealed class PendingReplyTests
{
    private static PendingReply Pending(string key, int dueInSeconds, int attempts = 0) =>
        new(key, $"{{\"k\":\"{key}\"}}", attempts, TempStore.Start.AddSeconds(dueInSeconds), TempStore.Start.AddMinutes(-1));

    [Fact]
    public async Task Due_ReturnsThoseDueEarliestFirst_UpToTheLimit()
    {
        await using var t = await TempStore.OpenAsync();
        var p = t.Store.PendingReplies;
        await p.AddAsync(Pending("c", 30), default);
        await p.AddAsync(Pending("a", 10), default);
        await p.AddAsync(Pending("later", 3_600), default);
        await p.AddAsync(Pending("b", 20), default);

        Assert.Equal(["a", "b", "c"], (await p.DueAsync(TempStore.Start.AddMinutes(1), 10, default)).Select(r => r.Key));
        Assert.Equal(["a", "b"], (await p.DueAsync(TempStore.Start.AddMinutes(1), 2, default)).Select(r => r.Key));
        Assert.Equal(["a", "b"], (await p.DueAsync(TempStore.Start.AddSeconds(20), 10, default)).Select(r => r.Key));
        Assert.Empty(await p.DueAsync(TempStore.Start, 10, default));
        Assert.Equal(TempStore.Start.AddSeconds(10), await p.NextDueAsync(default));
        Assert.Equal(Pending("a", 10), (await p.DueAsync(TempStore.Start.AddMinutes(1), 1, default))[0]);
    }

    [Fact]
    public async Task Reschedule_MovesItLaterAndCountsTheAttempt()
    {
        await using var t = await TempStore.OpenAsync();
        var p = t.Store.PendingReplies;
        await p.AddAsync(Pending("a", 10), default);
        await p.AddAsync(Pending("b", 20), default);

        await p.RescheduleAsync("a", 1, TempStore.Start.AddMinutes(5), default);

        Assert.Equal(["b", "a"], (await p.DueAsync(TempStore.Start.AddHours(1), 10, default)).Select(r => r.Key));
        var a = (await p.DueAsync(TempStore.Start.AddHours(1), 10, default))[1];
        Assert.Equal((1, TempStore.Start.AddMinutes(5), TempStore.Start.AddMinutes(-1)), (a.Attempts, a.NextAttempt, a.Since));
        Assert.Equal(TempStore.Start.AddSeconds(20), await p.NextDueAsync(default));
    }

    [Fact]
    public async Task AddAgain_Replaces_RemoveDeletes_CountCounts()
    {
        await using var t = await TempStore.OpenAsync();
        var p = t.Store.PendingReplies;
        Assert.Null(await p.NextDueAsync(default));
        await p.AddAsync(Pending("a", 10), default);
        await p.AddAsync(Pending("a", 50, attempts: 2), default);
        await p.AddAsync(Pending("b", 20), default);
        Assert.Equal(2, await p.CountAsync(default));
        Assert.Equal(2, (await p.DueAsync(TempStore.Start.AddHours(1), 10, default)).Single(r => r.Key == "a").Attempts);

        await p.RemoveAsync("a", default);
        await p.RemoveAsync("a", default);
        await p.RemoveAsync("b", default);

        Assert.Equal(0, await p.CountAsync(default));
        Assert.Null(await p.NextDueAsync(default));
    }
}
