using Tgwatch.TestKit;
using System.Collections;
using Tgwatch.Connectors;
using Tgwatch.Storage;

namespace Tgwatch.Sqlite.Tests.State;

/// <summary>A commit is all or nothing: processed keys, chat activity and checkpoints together.</summary>
public sealed class CommitTests
{
    [Fact]
    public async Task FailureMidBatch_LeavesNothingWritten_AndTheStoreGoesOn()
    {
        await using var t = await TempStore.OpenAsync();
        await t.Store.CommitAsync(Make.Commit(TempStore.Start, Make.Messages(1, 1, 10), new Checkpoint("updates", 10)), default);
        var before = await t.Store.GetStatusAsync(default);
        var batch = new ScriptedList(Make.Messages(1, 11, 1_000), atIndex: 700, () => throw new InvalidDataException("the batch broke"));

        await Assert.ThrowsAsync<InvalidDataException>(async () =>
            await t.Store.CommitAsync(Make.Commit(TempStore.Start.AddMinutes(1), batch, new Checkpoint("updates", 1_010)), default));

        await AssertUnchangedAsync(t, before, Make.Messages(1, 11, 1_000));
        await t.Store.CommitAsync(Make.Commit(TempStore.Start.AddMinutes(2), Make.Messages(1, 11, 5), new Checkpoint("updates", 15)), default);
        Assert.Equal(15, (await t.Store.LoadCheckpointsAsync("bot1", "botapi", default))["updates"]);
    }

    [Fact]
    public async Task PendingReplies_AreAddedAndRemovedInTheCommitOfTheirBatch()
    {
        await using var t = await TempStore.OpenAsync();
        var pending = new PendingReply("bot1:1:5:new:", "{}", 0, TempStore.Start.AddSeconds(5), TempStore.Start);
        await t.Store.CommitAsync(Make.Commit(TempStore.Start, Make.Messages(1, 5, 1)) with { NewPendingReplies = [pending] }, default);
        Assert.Equal([pending], await t.Store.PendingReplies.DueAsync(TempStore.Start.AddSeconds(5), 10, default));

        // A failed commit takes its pending entries with it.
        var broken = new ScriptedList(Make.Messages(1, 6, 10), atIndex: 5, () => throw new InvalidDataException("broke"));
        var other = pending with { Key = "bot1:1:6:new:" };
        await Assert.ThrowsAsync<InvalidDataException>(async () =>
            await t.Store.CommitAsync(Make.Commit(TempStore.Start, broken) with { NewPendingReplies = [other], ResolvedPendingReplies = [pending.Key] }, default));
        Assert.Equal(1, await t.Store.PendingReplies.CountAsync(default));

        await t.Store.CommitAsync(Make.Commit(TempStore.Start, []) with { ResolvedPendingReplies = [pending.Key] }, default);
        Assert.Equal(0, await t.Store.PendingReplies.CountAsync(default));
    }

    [Fact]
    public async Task RefusedCheckpointAfterTheKeys_RollsBackTheKeysAndChats()
    {
        await using var t = await TempStore.OpenAsync();
        var before = await t.Store.GetStatusAsync(default);
        var batch = Make.Messages(2, 1, 300);

        // A checkpoint without a stream fails after every key and chat row was written in the transaction.
        await Assert.ThrowsAnyAsync<Exception>(async () =>
            await t.Store.CommitAsync(Make.Commit(TempStore.Start, batch, new Checkpoint("updates", 1), default), default));

        await AssertUnchangedAsync(t, before, batch);
    }

    [Fact]
    public async Task CancelledMidBatch_LeavesNothingWritten()
    {
        await using var t = await TempStore.OpenAsync();
        var before = await t.Store.GetStatusAsync(default);
        using var cts = new CancellationTokenSource();
        var batch = new ScriptedList(Make.Messages(3, 1, 2_000), atIndex: 10, cts.Cancel);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            await t.Store.CommitAsync(Make.Commit(TempStore.Start, batch, new Checkpoint("updates", 2_000)), cts.Token));

        await AssertUnchangedAsync(t, before, Make.Messages(3, 1, 2_000));
    }

    [Fact]
    public async Task ChatActivity_CountsEachKeyOnce_KeepsTheLastMessageAndTitle()
    {
        await using var t = await TempStore.OpenAsync();
        var s = t.Store;
        var first = new[] { Make.Message(-100, 5, TempStore.Start.AddMinutes(5), "Old title"), Make.Message(-100, 3, TempStore.Start.AddMinutes(3)) };
        await s.CommitAsync(Make.Commit(TempStore.Start.AddHours(1), first), default);
        // Redelivery of 5 (not counted again), an older message, and a title change without a newer message.
        var second = new[] { Make.Message(-100, 5, TempStore.Start.AddMinutes(5)), Make.Message(-100, 1, TempStore.Start.AddMinutes(1), "New title") };
        await s.CommitAsync(Make.Commit(TempStore.Start.AddHours(2), second), default);
        await s.CommitAsync(Make.Commit(TempStore.Start.AddHours(3), [Make.Message(42, 9, TempStore.Start.AddMinutes(9))]), default);

        var chats = (await s.GetStatusAsync(default)).Chats;
        Assert.Equal([42L, -100L], chats.Select(c => c.ChatId)); // latest message first
        var chat = chats[1];
        Assert.Equal(new ChatActivity(-100, "New title", 5, TempStore.Start.AddMinutes(5), TempStore.Start.AddHours(2), 3), chat);
        Assert.Null(chats[0].Title);
    }

    private static async Task AssertUnchangedAsync(TempStore t, StoreStatus before, IEnumerable<ProcessedMessage> batch)
    {
        var after = await t.Store.GetStatusAsync(default);
        Assert.Equal(before.Processed, after.Processed);
        Assert.Equal(before.Checkpoints, after.Checkpoints);
        Assert.Equal(before.Chats, after.Chats);
        Assert.Empty(await t.Store.FindProcessedAsync(Make.Keys(batch), default));
    }

    /// <summary>A batch that does something (throw, cancel) when the store reads a given item.</summary>
    private sealed class ScriptedList(ProcessedMessage[] items, int atIndex, Action action) : IReadOnlyList<ProcessedMessage>
    {
        public ProcessedMessage this[int index]
        {
            get
            {
                if (index == atIndex) action();
                return items[index];
            }
        }

        public int Count => items.Length;
        public IEnumerator<ProcessedMessage> GetEnumerator() => Enumerable.Range(0, Count).Select(i => this[i]).GetEnumerator();
        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
