using System.Text;
using Tgwatch.Connectors;
using Tgwatch.Faults;
using Tgwatch.Storage;
using Xunit;

namespace Tgwatch.TestKit.Contracts;

// What `tgwatch status` reads: every part of the store, in a stable order; and each connector's link as its run left it.
public abstract partial class StateStoreContract
{
    [Fact]
    public async Task Status_OfAnEmptyStore_IsEmpty()
    {
        var status = await Store.GetStatusAsync(default);
        Assert.Empty(status.Checkpoints);
        Assert.Empty(status.Chats);
        Assert.Empty(status.Outbox);
        Assert.Empty(status.Links);
        Assert.Empty(status.Sinks);
        Assert.Equal((0L, 0L, 0L), (status.Processed, status.DeadLetters, status.PendingReplies));
        Assert.Empty(await Store.Outbox.WaitingAsync(default));
        Assert.Equal(0, await Store.DeadLetters.CountAsync(default));
    }

    [Fact]
    public async Task Status_HoldsEveryPartOfTheStore()
    {
        var s = Store;
        await s.CommitAsync(Commit(Start, [Message(-1001, 10, Start.AddMinutes(-5), "Channel"), Message(-1001, 11, Start.AddMinutes(-4))],
            new Checkpoint("updates", 500)), default);
        await s.CommitAsync(new("user7", "tdlib", [new("chat:5", 77)], [Message(5, 77, Start.AddMinutes(-1), "Alice", "user7")], Start.AddSeconds(30)), default);
        await s.DeadLetters.AddAsync(new NewDeadLetter("k", "sink:webhook", "{}", FaultKind.Network, "E", "e", 5, Start), default);
        await s.PendingReplies.AddAsync(new PendingReply("k", "{}", 0, Start, Start), default);
        await s.PendingReplies.AddAsync(new PendingReply("k2", "{}", 0, Start, Start), default);
        await s.Outbox.EnqueueAsync("webhook", [new OutboxItem("a", Encoding.UTF8.GetBytes("{}")), new OutboxItem("b", [])], default);
        await s.Outbox.EnqueueAsync("webhook-2", [new OutboxItem("a", [])], default);
        var link = new LinkRecord("bot1", "botapi", ConnectionState.Ready, null, Start, Start, TimeSpan.FromSeconds(30));
        await s.RecordLinkAsync(link, default);

        var status = await s.GetStatusAsync(default);

        Assert.Equal(
            [new CheckpointRow("bot1", "botapi", "updates", 500, Start), new CheckpointRow("user7", "tdlib", "chat:5", 77, Start.AddSeconds(30))],
            status.Checkpoints);
        Assert.Equal(
            [new ChatActivity(5, "Alice", 77, Start.AddMinutes(-1), Start.AddSeconds(30), 1),
             new ChatActivity(-1001, "Channel", 11, Start.AddMinutes(-4), Start, 2)],
            status.Chats);
        Assert.Equal(3, status.Processed);
        Assert.Equal(1, status.DeadLetters);
        Assert.Equal(2, status.PendingReplies);
        Assert.Equal(new Dictionary<string, long> { ["webhook"] = 2, ["webhook-2"] = 1 }, status.Outbox);
        Assert.Equal(status.Outbox, await s.Outbox.WaitingAsync(default));
        Assert.Equal([link], status.Links);
        Assert.Empty(status.Sinks); // keys committed for every sink name none
    }

    [Fact]
    public async Task Status_Dates_KeepMilliseconds()
    {
        var at = Start.AddMilliseconds(123);
        await Store.CommitAsync(Commit(at, [Message(1, 1, at.AddMilliseconds(-7))], new Checkpoint("updates", 1)), default);
        await Store.PendingReplies.AddAsync(new PendingReply("k", "{}", 0, at.AddMilliseconds(1), at.AddMilliseconds(-1)), default);
        await ReopenIfSupportedAsync();

        var status = await Store.GetStatusAsync(default);
        Assert.Equal(at, status.Checkpoints[0].UpdatedAt);
        Assert.Equal(at.AddMilliseconds(-7), status.Chats[0].LastDate);
        Assert.Equal(at, status.Chats[0].LastSeenAt);
        Assert.Equal(at.AddMilliseconds(1), await Store.PendingReplies.NextDueAsync(default));
        Assert.Empty(await Store.PendingReplies.DueAsync(at, 10, default));
        Assert.Equal(at.AddMilliseconds(-1), Assert.Single(await Store.PendingReplies.DueAsync(at.AddMilliseconds(1), 10, default)).Since);
    }

    [Fact]
    public async Task Status_NamesEverySinkKeysWereCommittedFor_InOrder_EvenAfterTheKeysArePruned()
    {
        await Store.CommitAsync(Commit(Start, [Message(1, 1) with { Sinks = ["webhook:b", "jsonl:/a"] }, Message(1, 2)]), default);
        await Store.CommitAsync(Commit(Start, [Message(1, 1) with { Sinks = ["sqlite:/c"] }]), default);
        Assert.Equal(["jsonl:/a", "sqlite:/c", "webhook:b"], (await Store.GetStatusAsync(default)).Sinks);

        Assert.Equal(2, await Store.PruneProcessedAsync(Start.AddDays(1), 0, default));
        await ReopenIfSupportedAsync();

        var status = await Store.GetStatusAsync(default);
        Assert.Equal(0, status.Processed);
        Assert.Equal(["jsonl:/a", "sqlite:/c", "webhook:b"], status.Sinks); // the store still knows them: none is new
    }

    [Fact]
    public async Task ALinkRecord_IsReplacedPerConnectorAndAccount_AndSurvivesAReopen()
    {
        var every = TimeSpan.FromSeconds(30);
        await Store.RecordLinkAsync(new LinkRecord("user7", "tdlib", ConnectionState.Connecting, "starting", Start, Start, every), default);
        await Store.RecordLinkAsync(new LinkRecord("bot1", "botapi", ConnectionState.Ready, null, Start, Start.AddSeconds(1), every), default);
        var ready = new LinkRecord("user7", "tdlib", ConnectionState.Ready, null, Start.AddSeconds(5), Start.AddSeconds(5), every);
        await Store.RecordLinkAsync(ready, default);
        var down = new LinkRecord("bot1", "botapi", ConnectionState.Disconnected, "stopped", Start.AddSeconds(9), Start.AddSeconds(40), TimeSpan.FromMilliseconds(1500), Ended: true);
        await Store.RecordLinkAsync(down, default);

        await ReopenIfSupportedAsync();

        Assert.Equal([down, ready], (await Store.GetStatusAsync(default)).Links);
    }
}
