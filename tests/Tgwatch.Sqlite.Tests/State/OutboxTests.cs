using System.Text;
using Tgwatch.Storage;

namespace Tgwatch.Sqlite.Tests.State;

public sealed class OutboxTests
{
    private static OutboxItem Item(string key) => new(key, Encoding.UTF8.GetBytes($"{{\"key\":\"{key}\"}}"));

    [Fact]
    public async Task Enqueue_IsIdempotentOnKey_EvenAfterDelete()
    {
        await using var t = await TempStore.OpenAsync();
        var o = t.Store.Outbox;
        Assert.Equal(3, await o.EnqueueAsync("webhook", [Item("a"), Item("b"), Item("c")], default));
        Assert.Equal(0, await o.EnqueueAsync("webhook", [Item("a"), Item("b")], default));
        Assert.Equal(1, await o.EnqueueAsync("webhook", [Item("c"), Item("d"), Item("d")], default));

        var all = await o.PeekAsync("webhook", 10, default);
        await o.DeleteAsync("webhook", all.Select(e => e.Id).ToArray(), default);
        Assert.Equal(0, await o.CountAsync("webhook", default));

        Assert.Equal(0, await o.EnqueueAsync("webhook", [Item("a"), Item("d")], default));
        Assert.Equal(0, await o.CountAsync("webhook", default));
        Assert.Equal(1, await o.EnqueueAsync("webhook", [Item("e")], default));
    }

    [Fact]
    public async Task Requeue_QueuesKeysSentBefore_ButNeverDoublesOneWaiting()
    {
        await using var t = await TempStore.OpenAsync();
        var o = t.Store.Outbox;
        await o.EnqueueAsync("webhook", [Item("a"), Item("b")], default);
        var sent = (await o.PeekAsync("webhook", 1, default)).Select(e => e.Id).ToArray();
        await o.DeleteAsync("webhook", sent, default); // "a" was sent, "b" waits

        Assert.Equal(1, await o.RequeueAsync("webhook", [Item("a"), Item("b")], default));
        Assert.Equal(["b", "a"], (await o.PeekAsync("webhook", 10, default)).Select(e => e.Key));
        Assert.Equal(0, await o.EnqueueAsync("webhook", [Item("a")], default));
        Assert.Equal(1, await o.RequeueAsync("other", [Item("a")], default));
    }

    [Fact]
    public async Task Peek_OldestFirst_WithPayloads_PerSink()
    {
        await using var t = await TempStore.OpenAsync();
        var o = t.Store.Outbox;
        await o.EnqueueAsync("webhook", [Item("a"), Item("b")], default);
        await o.EnqueueAsync("other", [Item("a")], default);
        await o.EnqueueAsync("webhook", [Item("c")], default);

        var peeked = await o.PeekAsync("webhook", 2, default);
        Assert.Equal(["a", "b"], peeked.Select(e => e.Key));
        Assert.True(peeked[0].Id < peeked[1].Id);
        Assert.Equal(Item("b").Payload, peeked[1].Payload);
        Assert.Equal(["a", "b", "c"], (await o.PeekAsync("webhook", 10, default)).Select(e => e.Key));
        Assert.Equal(["a"], (await o.PeekAsync("other", 10, default)).Select(e => e.Key));
        Assert.Equal(3, await o.CountAsync("webhook", default));
        Assert.Equal(1, await o.CountAsync("other", default));
    }

    [Fact]
    public async Task Delete_OnlyThatSinksEntries()
    {
        await using var t = await TempStore.OpenAsync();
        var o = t.Store.Outbox;
        await o.EnqueueAsync("webhook", [Item("a"), Item("b")], default);
        await o.EnqueueAsync("other", [Item("x")], default);
        var otherId = (await o.PeekAsync("other", 1, default))[0].Id;
        var first = (await o.PeekAsync("webhook", 1, default))[0].Id;

        await o.DeleteAsync("webhook", [first, otherId], default);

        Assert.Equal(["b"], (await o.PeekAsync("webhook", 10, default)).Select(e => e.Key));
        Assert.Equal(1, await o.CountAsync("other", default));
    }

    [Fact]
    public async Task Ids_KeepRisingAfterTheQueueEmpties()
    {
        await using var t = await TempStore.OpenAsync();
        var o = t.Store.Outbox;
        await o.EnqueueAsync("webhook", [Item("a")], default);
        var a = (await o.PeekAsync("webhook", 1, default))[0].Id;
        await o.DeleteAsync("webhook", [a], default);
        await o.EnqueueAsync("webhook", [Item("b")], default);
        Assert.True((await o.PeekAsync("webhook", 1, default))[0].Id > a);
    }

    [Fact]
    public async Task PeekAfter_SkipsTheEntriesUpToTheId()
    {
        await using var t = await TempStore.OpenAsync();
        var o = t.Store.Outbox;
        await o.EnqueueAsync("webhook", [Item("a"), Item("b"), Item("c")], default);
        var all = await o.PeekAsync("webhook", 10, default);

        Assert.Equal(["b", "c"], (await o.PeekAfterAsync("webhook", all[0].Id, 10, default)).Select(e => e.Key));
        Assert.Equal(["c"], (await o.PeekAfterAsync("webhook", all[1].Id, 1, default)).Select(e => e.Key));
        Assert.Empty(await o.PeekAfterAsync("webhook", all[2].Id, 10, default));
    }

    [Fact]
    public async Task Move_HandsTheQueueToTheNewSinkInOrder_DroppingKeysItHadAlready()
    {
        await using var t = await TempStore.OpenAsync();
        var o = t.Store.Outbox;
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
    }

    [Fact]
    public async Task Drop_DeletesTheSinksQueueOnly()
    {
        await using var t = await TempStore.OpenAsync();
        var o = t.Store.Outbox;
        await o.EnqueueAsync("old", [Item("a"), Item("b")], default);
        await o.EnqueueAsync("new", [Item("a")], default);

        Assert.Equal(2, await o.DropAsync("old", default));
        Assert.Equal(0, await o.DropAsync("old", default));
        Assert.Equal(new Dictionary<string, long> { ["new"] = 1 }, await o.WaitingAsync(default));
    }
}
