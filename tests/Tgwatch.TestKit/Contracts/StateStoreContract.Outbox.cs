using System.Text;
using Tgwatch.Storage;
using Xunit;

namespace Tgwatch.TestKit.Contracts;

// The outbox: per-sink queues in enqueue order, never taking a (sink, key) twice, handed to another sink whole.
public abstract partial class StateStoreContract
{
    private static OutboxItem Item(string key) => new(key, Encoding.UTF8.GetBytes($"{{\"key\":\"{key}\"}}"));

    [Fact]
    public async Task Outbox_Enqueue_IsIdempotentOnKey_EvenAfterDeleteAndReopen()
    {
        var o = Store.Outbox;
        Assert.Equal(3, await o.EnqueueAsync("webhook", [Item("a"), Item("b"), Item("c")], default));
        Assert.Equal(0, await o.EnqueueAsync("webhook", [Item("a"), Item("b")], default));
        Assert.Equal(1, await o.EnqueueAsync("webhook", [Item("c"), Item("d"), Item("d")], default));
        Assert.Equal(["a", "b", "c", "d"], (await o.PeekAsync("webhook", 10, default)).Select(e => e.Key));

        var all = await o.PeekAsync("webhook", 10, default);
        await o.DeleteAsync("webhook", [.. all.Select(e => e.Id)], default);
        Assert.Equal(0, await o.CountAsync("webhook", default));
        await ReopenIfSupportedAsync();
        o = Store.Outbox;

        Assert.Equal(0, await o.EnqueueAsync("webhook", [Item("a"), Item("d")], default));
        Assert.Equal(0, await o.CountAsync("webhook", default));
        Assert.Equal(1, await o.EnqueueAsync("webhook", [Item("e")], default));
        Assert.Equal(0, await o.EnqueueAsync("webhook", [], default));
    }

    [Fact]
    public async Task Outbox_Requeue_QueuesKeysSentBefore_ButNeverDoublesOneWaiting()
    {
        var o = Store.Outbox;
        await o.EnqueueAsync("webhook", [Item("a"), Item("b")], default);
        var sent = (await o.PeekAsync("webhook", 1, default)).Select(e => e.Id).ToArray();
        await o.DeleteAsync("webhook", sent, default); // "a" was sent, "b" waits

        Assert.Equal(1, await o.RequeueAsync("webhook", [Item("a"), Item("b")], default));
        Assert.Equal(["b", "a"], (await o.PeekAsync("webhook", 10, default)).Select(e => e.Key));
        Assert.Equal(0, await o.EnqueueAsync("webhook", [Item("a")], default));
        Assert.Equal(1, await o.RequeueAsync("other", [Item("a"), Item("a")], default));
        Assert.Equal(0, await o.EnqueueAsync("other", [Item("a")], default)); // a requeued key is had like an enqueued one
    }

    [Fact]
    public async Task Outbox_Peek_OldestFirst_WithPayloads_PerSink()
    {
        var o = Store.Outbox;
        await o.EnqueueAsync("webhook", [Item("a"), Item("b")], default);
        await o.EnqueueAsync("other", [Item("a")], default);
        await o.EnqueueAsync("webhook", [Item("c")], default);
        await ReopenIfSupportedAsync();
        o = Store.Outbox;

        var peeked = await o.PeekAsync("webhook", 2, default);
        Assert.Equal(["a", "b"], peeked.Select(e => e.Key));
        Assert.True(peeked[0].Id < peeked[1].Id);
        Assert.Equal(Item("b").Payload, peeked[1].Payload);
        Assert.Equal(["a", "b", "c"], (await o.PeekAsync("webhook", 10, default)).Select(e => e.Key));
        Assert.Equal(["a"], (await o.PeekAsync("other", 10, default)).Select(e => e.Key));
        Assert.Empty(await o.PeekAsync("none", 10, default));
        Assert.Empty(await o.PeekAsync("webhook", 0, default));
        Assert.Equal(3, await o.CountAsync("webhook", default));
        Assert.Equal(1, await o.CountAsync("other", default));
        Assert.Equal(0, await o.CountAsync("none", default));
    }

    [Fact]
    public async Task Outbox_Delete_OnlyThatSinksEntries()
    {
        var o = Store.Outbox;
        await o.EnqueueAsync("webhook", [Item("a"), Item("b")], default);
        await o.EnqueueAsync("other", [Item("x")], default);
        var otherId = (await o.PeekAsync("other", 1, default))[0].Id;
        var first = (await o.PeekAsync("webhook", 1, default))[0].Id;

        await o.DeleteAsync("webhook", [first, otherId], default);
        await o.DeleteAsync("webhook", [first], default); // again: nothing

        Assert.Equal(["b"], (await o.PeekAsync("webhook", 10, default)).Select(e => e.Key));
        Assert.Equal(1, await o.CountAsync("other", default));
    }

    [Fact]
    public async Task Outbox_Ids_KeepRisingAfterTheQueueEmpties()
    {
        var o = Store.Outbox;
        await o.EnqueueAsync("webhook", [Item("a")], default);
        var a = (await o.PeekAsync("webhook", 1, default))[0].Id;
        await o.DeleteAsync("webhook", [a], default);
        await ReopenIfSupportedAsync();
        o = Store.Outbox;
        await o.EnqueueAsync("webhook", [Item("b")], default);
        Assert.True((await o.PeekAsync("webhook", 1, default))[0].Id > a);
    }

    [Fact]
    public async Task Outbox_PeekAfter_SkipsTheEntriesUpToTheId()
    {
        var o = Store.Outbox;
        await o.EnqueueAsync("webhook", [Item("a"), Item("b"), Item("c")], default);
        var all = await o.PeekAsync("webhook", 10, default);

        Assert.Equal(["b", "c"], (await o.PeekAfterAsync("webhook", all[0].Id, 10, default)).Select(e => e.Key));
        Assert.Equal(["c"], (await o.PeekAfterAsync("webhook", all[1].Id, 1, default)).Select(e => e.Key));
        Assert.Empty(await o.PeekAfterAsync("webhook", all[2].Id, 10, default));
    }

    [Fact]
    public async Task Outbox_Move_HandsTheQueueToTheNewSinkInOrder_DroppingKeysItHadAlready()
    {
        var o = Store.Outbox;
        await o.EnqueueAsync("old", [Item("a"), Item("b")], default);
        await o.EnqueueAsync("new", [Item("b"), Item("x")], default); // "b" reached the new one already
        await o.EnqueueAsync("old", [Item("c")], default);
        var sent = await o.PeekAsync("new", 1, default);
        await o.DeleteAsync("new", [sent[0].Id], default);

        Assert.Equal(new OutboxMove(2, 1), await o.MoveAsync("old", "new", default));
        Assert.Equal(["a", "x", "c"], (await o.PeekAsync("new", 10, default)).Select(e => e.Key));
        Assert.Equal(0, await o.CountAsync("old", default));
        Assert.Equal(0, await o.EnqueueAsync("new", [Item("a"), Item("c")], default));
        Assert.Equal(new Dictionary<string, long> { ["new"] = 3 }, await o.WaitingAsync(default));
        Assert.Equal(new OutboxMove(0, 0), await o.MoveAsync("old", "new", default));
        Assert.Equal(new OutboxMove(0, 0), await o.MoveAsync("new", "new", default));
        Assert.Equal(3, await o.CountAsync("new", default));
    }

    [Fact]
    public async Task Outbox_Move_AKeyStillWaitingForTheNewSink_StaysOnce_AndPeekAfterSkipsOnlyTheNewSinksFirst()
    {
        var o = Store.Outbox;
        await o.EnqueueAsync("old", [Item("a"), Item("b")], default);
        await o.EnqueueAsync("new", [Item("b"), Item("x")], default); // "b" waits for the new one too
        await o.EnqueueAsync("old", [Item("c")], default);
        var first = (await o.PeekAsync("new", 1, default))[0];

        Assert.Equal(["x"], (await o.PeekAfterAsync("new", first.Id, 10, default)).Select(e => e.Key));
        Assert.Equal(new OutboxMove(2, 1), await o.MoveAsync("old", "new", default));
        Assert.Equal(["a", "b", "x", "c"], (await o.PeekAsync("new", 10, default)).Select(e => e.Key));
        Assert.Equal(0, await o.EnqueueAsync("new", [Item("a"), Item("c")], default));
        Assert.Equal(new Dictionary<string, long> { ["new"] = 4 }, await o.WaitingAsync(default));
        Assert.Equal(4, await o.DropAsync("new", default));
        Assert.Empty(await o.WaitingAsync(default));
    }

    [Fact]
    public async Task Outbox_Drop_DeletesTheSinksQueueOnly_AndItsKeysStayHad()
    {
        var o = Store.Outbox;
        await o.EnqueueAsync("old", [Item("a"), Item("b")], default);
        await o.EnqueueAsync("new", [Item("a")], default);

        Assert.Equal(2, await o.DropAsync("old", default));
        Assert.Equal(0, await o.DropAsync("old", default));
        Assert.Equal(0, await o.DropAsync("none", default));
        Assert.Equal(new Dictionary<string, long> { ["new"] = 1 }, await o.WaitingAsync(default));
        Assert.Equal(0, await o.EnqueueAsync("old", [Item("a"), Item("b")], default));
    }
}
