using Tgwatch.Connectors;
using Tgwatch.Storage;
using Xunit;

namespace Tgwatch.TestKit.Contracts;

// A commit is all or nothing: processed keys, chat activity, checkpoints and pending replies together.
public abstract partial class StateStoreContract
{
    [Fact]
    public async Task Commit_FailureMidBatch_LeavesNothingWritten_AndTheStoreGoesOn()
    {
        await Store.CommitAsync(Commit(Start, Messages(1, 1, 10), new Checkpoint("updates", 10)), default);
        var before = await Store.GetStatusAsync(default);
        var batch = new ScriptedList(Messages(1, 11, 1_000), atIndex: 700, () => throw new InvalidDataException("the batch broke"));

        await Assert.ThrowsAsync<InvalidDataException>(async () =>
            await Store.CommitAsync(Commit(Start.AddMinutes(1), batch, new Checkpoint("updates", 1_010)), default));

        await AssertUnchangedAsync(before, Messages(1, 11, 1_000));
        await Store.CommitAsync(Commit(Start.AddMinutes(2), Messages(1, 11, 5), new Checkpoint("updates", 15)), default);
        Assert.Equal(15, (await Store.LoadCheckpointsAsync("bot1", "botapi", default))["updates"]);
    }

    [Fact]
    public async Task Commit_PendingReplies_AreAddedAndRemovedInTheCommitOfTheirBatch()
    {
        var pending = new PendingReply("bot1:1:5:new:", "{}", 0, Start.AddSeconds(5), Start);
        await Store.CommitAsync(Commit(Start, Messages(1, 5, 1)) with { NewPendingReplies = [pending] }, default);
        Assert.Equal([pending], await Store.PendingReplies.DueAsync(Start.AddSeconds(5), 10, default));

        // A failed commit takes its pending entries with it.
        var broken = new ScriptedList(Messages(1, 6, 10), atIndex: 5, () => throw new InvalidDataException("broke"));
        var other = pending with { Key = "bot1:1:6:new:" };
        await Assert.ThrowsAsync<InvalidDataException>(async () =>
            await Store.CommitAsync(Commit(Start, broken) with { NewPendingReplies = [other], ResolvedPendingReplies = [pending.Key] }, default));
        Assert.Equal(1, await Store.PendingReplies.CountAsync(default));

        await Store.CommitAsync(Commit(Start, []) with { ResolvedPendingReplies = [pending.Key] }, default);
        Assert.Equal(0, await Store.PendingReplies.CountAsync(default));
    }

    [Fact]
    public async Task Commit_RefusedCheckpointAfterTheKeys_RollsBackTheKeysAndChats()
    {
        var before = await Store.GetStatusAsync(default);
        var batch = Messages(2, 1, 300);

        // A checkpoint without a stream is refused, after the keys and chats of the batch (in a store that writes them first).
        await Assert.ThrowsAnyAsync<Exception>(async () =>
            await Store.CommitAsync(Commit(Start, batch, new Checkpoint("updates", 1), default), default));

        await AssertUnchangedAsync(before, batch);
    }

    [Fact]
    public async Task Commit_CancelledMidBatch_LeavesNothingWritten()
    {
        var before = await Store.GetStatusAsync(default);
        using var cts = new CancellationTokenSource();
        var batch = new ScriptedList(Messages(3, 1, 2_000), atIndex: 10, cts.Cancel);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            await Store.CommitAsync(Commit(Start, batch, new Checkpoint("updates", 2_000)), cts.Token));

        await AssertUnchangedAsync(before, Messages(3, 1, 2_000));
    }

    [Fact]
    public async Task Commit_AKeyCommittedAgain_IsOneProcessedKey_CountedOnceInItsChat()
    {
        static ProcessedMessage P(string key, long chat, long id) => new(key, chat, "chat", id, Start);
        await Store.CommitAsync(new StoreCommit("a", "c", [], [P("k1", 1, 5), P("k2", 1, 6), P("k3", 2, 1), P("k3", 2, 1)], Start), default);
        await Store.CommitAsync(new StoreCommit("a", "c", [], [P("k2", 1, 6), P("k0", 1, 4)], Start.AddSeconds(1)), default);

        Assert.Equal(["k1", "k2"], (await Store.FindProcessedAsync(["k1", "k2", "zz"], default)).Order());
        var status = await Store.GetStatusAsync(default);
        Assert.Equal(4, status.Processed);
        var chat1 = Assert.Single(status.Chats, c => c.ChatId == 1);
        Assert.Equal((3L, 6L), (chat1.Count, chat1.LastMessageId));
        Assert.Equal(1, Assert.Single(status.Chats, c => c.ChatId == 2).Count);
    }

    [Fact]
    public async Task Commit_ChatActivity_CountsEachKeyOnce_KeepsTheLastMessageAndTitle()
    {
        var first = new[] { Message(-100, 5, Start.AddMinutes(5), "Old title"), Message(-100, 3, Start.AddMinutes(3)) };
        await Store.CommitAsync(Commit(Start.AddHours(1), first), default);
        // Redelivery of 5 (not counted again), an older message, and a title change without a newer message.
        var second = new[] { Message(-100, 5, Start.AddMinutes(5)), Message(-100, 1, Start.AddMinutes(1), "New title") };
        await Store.CommitAsync(Commit(Start.AddHours(2), second), default);
        await Store.CommitAsync(Commit(Start.AddHours(3), [Message(42, 9, Start.AddMinutes(9))]), default);

        var chats = (await Store.GetStatusAsync(default)).Chats;
        Assert.Equal([42L, -100L], chats.Select(c => c.ChatId)); // latest message first
        Assert.Equal(new ChatActivity(-100, "New title", 5, Start.AddMinutes(5), Start.AddHours(2), 3), chats[1]);
        Assert.Null(chats[0].Title);
    }

    [Fact]
    public async Task Commit_ChatActivity_KeepsTheHighestIdAndTheLatestDateEachOnItsOwn_AndAKeySeenAgainMarksTheChatSeen()
    {
        // Chat 1: message 10, then an earlier id with a later date (the latest message by date is not the highest id).
        await Store.CommitAsync(Commit(Start, [Message(1, 10, Start.AddMinutes(1), "One")]), default);
        await Store.CommitAsync(Commit(Start.AddMinutes(10), [Message(1, 5, Start.AddMinutes(5))]), default);
        // Chat 2: seen after chat 1, with a message dated before chat 1's latest.
        await Store.CommitAsync(Commit(Start.AddMinutes(20), [Message(2, 1, Start.AddMinutes(3), "Two")]), default);
        // A key committed again counts no more, yet the chat was seen then, under its new title.
        await Store.CommitAsync(Commit(Start.AddMinutes(30), [Message(1, 10, Start.AddMinutes(1), "One, renamed")]), default);

        Assert.Equal(
            [new ChatActivity(1, "One, renamed", 10, Start.AddMinutes(5), Start.AddMinutes(30), 2),
             new ChatActivity(2, "Two", 1, Start.AddMinutes(3), Start.AddMinutes(20), 1)],
            (await Store.GetStatusAsync(default)).Chats); // latest message first, not latest seen
    }

    private async Task AssertUnchangedAsync(StoreStatus before, IEnumerable<ProcessedMessage> batch)
    {
        var after = await Store.GetStatusAsync(default);
        Assert.Equal(before.Processed, after.Processed);
        Assert.Equal(before.Checkpoints, after.Checkpoints);
        Assert.Equal(before.Chats, after.Chats);
        Assert.Equal(before.PendingReplies, after.PendingReplies);
        Assert.Empty(await ProcessedAsync(Keys(batch)));
    }
}
