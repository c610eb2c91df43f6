using Tgwatch.Storage;
using Xunit;

namespace Tgwatch.TestKit.Contracts;

// Pending media downloads: the shape of pending replies, in a place of their own, kept across a reopen and written with their batch.
public abstract partial class StateStoreContract
{
    [Fact]
    public async Task PendingDownloads_AreKeptApartFromPendingReplies_AndAcrossAReopen()
    {
        await Store.PendingDownloads.AddAsync(Pending("d", 10), default);
        await Store.PendingReplies.AddAsync(Pending("r", 5), default);
        await ReopenIfSupportedAsync();

        Assert.Equal(["d"], (await Store.PendingDownloads.DueAsync(Start.AddMinutes(1), 10, default)).Select(p => p.Key));
        Assert.Equal(["r"], (await Store.PendingReplies.DueAsync(Start.AddMinutes(1), 10, default)).Select(p => p.Key));
        await Store.PendingDownloads.RescheduleAsync("d", 3, Start.AddMinutes(2), default);
        Assert.Equal(Start.AddMinutes(2), await Store.PendingDownloads.NextDueAsync(default));
        Assert.Equal(Start.AddSeconds(5), await Store.PendingReplies.NextDueAsync(default));
        await Store.PendingDownloads.RemoveAsync("r", default);
        Assert.Equal(1, await Store.PendingReplies.CountAsync(default));
        await Store.PendingDownloads.RemoveAsync("d", default);
        Assert.Equal(0, await Store.PendingDownloads.CountAsync(default));
    }

    [Fact]
    public async Task Commit_PendingDownloads_AreAddedAndRemovedInTheCommitOfTheirBatch()
    {
        var pending = new PendingReply("bot1:1:5:new:", "{}", 0, Start, Start);
        await Store.CommitAsync(Commit(Start, Messages(1, 5, 1)) with { NewPendingDownloads = [pending] }, default);
        Assert.Equal([pending], await Store.PendingDownloads.DueAsync(Start, 10, default));
        Assert.Equal(0, await Store.PendingReplies.CountAsync(default));

        // A failed commit takes its pending entries with it.
        var broken = new ScriptedList(Messages(1, 6, 10), atIndex: 5, () => throw new InvalidDataException("broke"));
        await Assert.ThrowsAsync<InvalidDataException>(async () =>
            await Store.CommitAsync(Commit(Start, broken) with { NewPendingDownloads = [pending with { Key = "bot1:1:6:new:" }], EndedPendingDownloads = [pending.Key] }, default));
        Assert.Equal([pending], await Store.PendingDownloads.DueAsync(Start, 10, default));

        await Store.CommitAsync(Commit(Start, []) with { EndedPendingDownloads = [pending.Key] }, default);
        Assert.Equal(0, await Store.PendingDownloads.CountAsync(default));
    }
}
