using Tgwatch.Storage;
using Xunit;

namespace Tgwatch.TestKit.Contracts;

// Pending replies: one per key, due earliest first, rescheduled after a failed attempt, removed once resolved.
public abstract partial class StateStoreContract
{
    private static PendingReply Pending(string key, int dueInSeconds, int attempts = 0) =>
        new(key, $"{{\"k\":\"{key}\"}}", attempts, Start.AddSeconds(dueInSeconds), Start.AddMinutes(-1));

    [Fact]
    public async Task PendingReplies_Due_ReturnsThoseDueEarliestFirst_UpToTheLimit()
    {
        var p = Store.PendingReplies;
        await p.AddAsync(Pending("c", 30), default);
        await p.AddAsync(Pending("a", 10), default);
        await p.AddAsync(Pending("later", 3_600), default);
        await p.AddAsync(Pending("b", 20), default);
        await ReopenIfSupportedAsync();
        p = Store.PendingReplies;

        Assert.Equal(["a", "b", "c"], (await p.DueAsync(Start.AddMinutes(1), 10, default)).Select(r => r.Key));
        Assert.Equal(["a", "b"], (await p.DueAsync(Start.AddMinutes(1), 2, default)).Select(r => r.Key));
        Assert.Equal(["a", "b"], (await p.DueAsync(Start.AddSeconds(20), 10, default)).Select(r => r.Key));
        Assert.Empty(await p.DueAsync(Start, 10, default));
        Assert.Equal(Start.AddSeconds(10), await p.NextDueAsync(default));
        Assert.Equal(Pending("a", 10), (await p.DueAsync(Start.AddMinutes(1), 1, default))[0]);
        Assert.Equal(4, await p.CountAsync(default));
    }

    [Fact]
    public async Task PendingReplies_Reschedule_MovesItLaterAndCountsTheAttempt()
    {
        var p = Store.PendingReplies;
        await p.AddAsync(Pending("a", 10), default);
        await p.AddAsync(Pending("b", 20), default);

        await p.RescheduleAsync("a", 1, Start.AddMinutes(5), default);
        await p.RescheduleAsync("gone", 1, Start, default); // one that does not wait (any more): nothing

        Assert.Equal(["b", "a"], (await p.DueAsync(Start.AddHours(1), 10, default)).Select(r => r.Key));
        var a = (await p.DueAsync(Start.AddHours(1), 10, default))[1];
        Assert.Equal((1, Start.AddMinutes(5), Start.AddMinutes(-1), Pending("a", 0).MessageJson), (a.Attempts, a.NextAttempt, a.Since, a.MessageJson));
        Assert.Equal(Start.AddSeconds(20), await p.NextDueAsync(default));
        Assert.Equal(2, await p.CountAsync(default));
    }

    [Fact]
    public async Task PendingReplies_AddAgain_Replaces_RemoveDeletes_CountCounts()
    {
        var p = Store.PendingReplies;
        Assert.Null(await p.NextDueAsync(default));
        await p.AddAsync(Pending("a", 10), default);
        await p.AddAsync(Pending("a", 50, attempts: 2), default);
        await p.AddAsync(Pending("b", 20), default);
        Assert.Equal(2, await p.CountAsync(default));
        Assert.Equal(2, (await p.DueAsync(Start.AddHours(1), 10, default)).Single(r => r.Key == "a").Attempts);
        Assert.Equal(Start.AddSeconds(20), await p.NextDueAsync(default)); // "a" was moved past "b"

        await p.RemoveAsync("b", default);
        Assert.Equal(Start.AddSeconds(50), await p.NextDueAsync(default));
        await p.RemoveAsync("a", default);
        await p.RemoveAsync("a", default);

        Assert.Equal(0, await p.CountAsync(default));
        Assert.Null(await p.NextDueAsync(default));
    }
}
