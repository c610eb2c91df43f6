using System.Text;
using Tgwatch.Connectors;
using Tgwatch.Faults;
using Tgwatch.Storage;

namespace Tgwatch.Sqlite.Tests.State;

public sealed class StatusTests
{
    [Fact]
    public async Task Empty_StoreHasEmptyStatus()
    {
        await using var t = await TempStore.OpenAsync();
        var status = await t.Store.GetStatusAsync(default);
        Assert.Empty(status.Checkpoints);
        Assert.Empty(status.Chats);
        Assert.Empty(status.Outbox);
        Assert.Equal((0L, 0L, 0L), (status.Processed, status.DeadLetters, status.PendingReplies));
    }

    [Fact]
    public async Task Status_HoldsEveryPartOfTheStore()
    {
        await using var t = await TempStore.OpenAsync();
        var s = t.Store;
        await s.CommitAsync(Make.Commit(TempStore.Start, [Make.Message(-1001, 10, TempStore.Start.AddMinutes(-5), "Channel"), Make.Message(-1001, 11, TempStore.Start.AddMinutes(-4))],
            new Checkpoint("updates", 500)), default);
        await s.CommitAsync(new("user7", "tdlib", [new("chat:5", 77)], [Make.Message(5, 77, TempStore.Start.AddMinutes(-1), "Alice", "user7")], TempStore.Start.AddSeconds(30)), default);
        await s.DeadLetters.AddAsync(new NewDeadLetter("k", "sink:webhook", "{}", FaultKind.Network, "E", "e", 5, TempStore.Start), default);
        await s.PendingReplies.AddAsync(new PendingReply("k", "{}", 0, TempStore.Start, TempStore.Start), default);
        await s.PendingReplies.AddAsync(new PendingReply("k2", "{}", 0, TempStore.Start, TempStore.Start), default);
        await s.Outbox.EnqueueAsync("webhook", [new OutboxItem("a", Encoding.UTF8.GetBytes("{}")), new OutboxItem("b", [])], default);
        await s.Outbox.EnqueueAsync("webhook-2", [new OutboxItem("a", [])], default);

        var status = await s.GetStatusAsync(default);

        Assert.Equal(
            [new CheckpointRow("bot1", "botapi", "updates", 500, TempStore.Start), new CheckpointRow("user7", "tdlib", "chat:5", 77, TempStore.Start.AddSeconds(30))],
            status.Checkpoints);
        Assert.Equal(
            [new ChatActivity(5, "Alice", 77, TempStore.Start.AddMinutes(-1), TempStore.Start.AddSeconds(30), 1),
             new ChatActivity(-1001, "Channel", 11, TempStore.Start.AddMinutes(-4), TempStore.Start, 2)],
            status.Chats);
        Assert.Equal(3, status.Processed);
        Assert.Equal(1, status.DeadLetters);
        Assert.Equal(2, status.PendingReplies);
        Assert.Equal(new Dictionary<string, long> { ["webhook"] = 2, ["webhook-2"] = 1 }, status.Outbox);
    }

    [Fact]
    public async Task Dates_KeepMilliseconds()
    {
        await using var t = await TempStore.OpenAsync();
        var at = TempStore.Start.AddMilliseconds(123);
        await t.Store.CommitAsync(Make.Commit(at, [Make.Message(1, 1, at.AddMilliseconds(-7))], new Checkpoint("updates", 1)), default);
        var status = await t.Store.GetStatusAsync(default);
        Assert.Equal(at, status.Checkpoints[0].UpdatedAt);
        Assert.Equal(at.AddMilliseconds(-7), status.Chats[0].LastDate);
    }
}
