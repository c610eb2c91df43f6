using System.Text;
using Tgwatch.Connectors;
using Tgwatch.Faults;
using Tgwatch.Storage;
using Tgwatch.TestKit;

namespace Tgwatch.Sinks.Tests;

public sealed class InMemoryStateStoreTests
{
    private static readonly DateTimeOffset T0 = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly CancellationToken None = CancellationToken.None;

    private static ProcessedMessage P(string key, long chat = 1, long id = 1) => new(key, chat, "chat", id, T0);

    [Fact]
    public async Task Commit_CheckpointNeverMovesBack()
    {
        var store = new InMemoryStateStore();
        await store.CommitAsync(new StoreCommit("a", "botapi", [new Checkpoint("updates", 10), new Checkpoint("x", 5)], [], T0), None);
        await store.CommitAsync(new StoreCommit("a", "botapi", [new Checkpoint("updates", 7), new Checkpoint("x", 6)], [], T0.AddSeconds(1)), None);
        await store.CommitAsync(new StoreCommit("b", "botapi", [new Checkpoint("updates", 1)], [], T0), None);

        var a = await store.LoadCheckpointsAsync("a", "botapi", None);
        Assert.Equal(10, a["updates"]);
        Assert.Equal(6, a["x"]);
        Assert.Equal(1, (await store.LoadCheckpointsAsync("b", "botapi", None))["updates"]);
        Assert.Empty(await store.LoadCheckpointsAsync("a", "tdlib", None));
        var row = Assert.Single((await store.GetStatusAsync(None)).Checkpoints, c => c.Account == "a" && c.Stream == "updates");
        Assert.Equal(T0, row.UpdatedAt);
    }

    [Fact]
    public async Task Commit_CountsEachProcessedKeyOncePerChat()
    {
        var store = new InMemoryStateStore();
        await store.CommitAsync(new StoreCommit("a", "c", [], [P("k1", 1, 5), P("k2", 1, 6), P("k3", 2, 1)], T0), None);
        await store.CommitAsync(new StoreCommit("a", "c", [], [P("k2", 1, 6), P("k0", 1, 4)], T0.AddSeconds(1)), None);

        Assert.Equal(["k1", "k2"], (await store.FindProcessedAsync(["k1", "k2", "zz"], None)).Order());
        var status = await store.GetStatusAsync(None);
        Assert.Equal(4, status.Processed);
        var chat1 = Assert.Single(status.Chats, c => c.ChatId == 1);
        Assert.Equal(3, chat1.Count);
        Assert.Equal(6, chat1.LastMessageId);
    }

    [Fact]
    public async Task Prune_DropsByAgeAndBeyondNewestCount()
    {
        var store = new InMemoryStateStore();
        for (var i = 0; i < 10; i++)
            await store.CommitAsync(new StoreCommit("a", "c", [], [P($"k{i}")], T0.AddMinutes(i)), None);

        Assert.Equal(3, await store.PruneProcessedAsync(T0.AddMinutes(3), keepAtMost: 100, None));
        Assert.Equal(2, await store.PruneProcessedAsync(T0, keepAtMost: 5, None));

        Assert.Equal(["k5", "k6", "k7", "k8", "k9"], store.Snapshot().Processed);
        Assert.Empty(await store.FindProcessedAsync(["k0", "k4"], None));
    }

    [Fact]
    public async Task DeadLetters_SameKeyAndStageReplacesKeepingId()
    {
        var store = new InMemoryStateStore();
        NewDeadLetter L(string key, string stage, string error) => new(key, stage, "{}", FaultKind.Bug, "X", error, 3, T0);

        var first = await store.DeadLetters.AddAsync(L("k", "sink:jsonl", "one"), None);
        var other = await store.DeadLetters.AddAsync(L("k", "handler:h", "two"), None);
        var again = await store.DeadLetters.AddAsync(L("k", "sink:jsonl", "three"), None);

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
        Assert.Equal(2, await store.DeadLetters.CountAsync(None));
        var list = await store.DeadLetters.ListAsync(10, 0, None);
        Assert.Equal(["three", "two"], list.Select(l => l.Letter.Error));
        Assert.Equal(["two"], (await store.DeadLetters.ListAsync(10, first, None)).Select(l => l.Letter.Error));
        Assert.True(await store.DeadLetters.RemoveAsync(first, None));
        Assert.False(await store.DeadLetters.RemoveAsync(first, None));
        Assert.NotEqual(first, await store.DeadLetters.AddAsync(L("k", "sink:jsonl", "four"), None));
    }

    [Fact]
    public async Task PendingReplies_DueEarliestFirst()
    {
        var store = new InMemoryStateStore();
        var replies = store.PendingReplies;
        await replies.AddAsync(new PendingReply("late", "{}", 0, T0.AddSeconds(30), T0), None);
        await replies.AddAsync(new PendingReply("early", "{}", 0, T0.AddSeconds(10), T0), None);
        await replies.AddAsync(new PendingReply("future", "{}", 0, T0.AddHours(1), T0), None);

        Assert.Equal(T0.AddSeconds(10), await replies.NextDueAsync(None));
        Assert.Equal(["early", "late"], (await replies.DueAsync(T0.AddMinutes(1), 10, None)).Select(p => p.Key));

        await replies.RescheduleAsync("early", 1, T0.AddMinutes(5), None);
        Assert.Equal(["late", "early"], (await replies.DueAsync(T0.AddMinutes(10), 10, None)).Select(p => p.Key));
        Assert.Equal(1, (await replies.DueAsync(T0.AddMinutes(10), 10, None))[1].Attempts);

        await replies.RemoveAsync("late", None);
        await replies.RemoveAsync("early", None);
        Assert.Equal(T0.AddHours(1), await replies.NextDueAsync(None));
        await replies.RemoveAsync("future", None);
        Assert.Null(await replies.NextDueAsync(None));
        Assert.Equal(0, await replies.CountAsync(None));
    }

    [Fact]
    public async Task Ledger_RecordsKeysPerSinkAndSetsOffset()
    {
        var store = new InMemoryStateStore();
        Assert.Null(await store.SinkLedger.GetOffsetAsync("jsonl", None));
        await store.SinkLedger.RecordAsync("jsonl", ["a", "b"], 100, None);
        await store.SinkLedger.RecordAsync("jsonl", ["c"], 50, None);

        Assert.Equal(50, await store.SinkLedger.GetOffsetAsync("jsonl", None));
        Assert.Equal(["a", "c"], (await store.SinkLedger.FindWrittenAsync("jsonl", ["a", "c", "d"], None)).Order());
        Assert.Empty(await store.SinkLedger.FindWrittenAsync("other", ["a"], None));
    }

    [Fact]
    public async Task Outbox_NeverTakesAKeyTwiceEvenAfterDelete()
    {
        var store = new InMemoryStateStore();
        static OutboxItem I(string key) => new(key, Encoding.UTF8.GetBytes($"{{\"k\":\"{key}\"}}"));

        Assert.Equal(2, await store.Outbox.EnqueueAsync("webhook", [I("a"), I("b"), I("a")], None));
        Assert.Equal(1, await store.Outbox.EnqueueAsync("other", [I("a")], None));
        var peeked = await store.Outbox.PeekAsync("webhook", 10, None);
        Assert.Equal(["a", "b"], peeked.Select(e => e.Key));
        Assert.True(peeked[0].Id < peeked[1].Id);

        await store.Outbox.DeleteAsync("webhook", [peeked[0].Id], None);
        Assert.Equal(0, await store.Outbox.EnqueueAsync("webhook", [I("a")], None));
        Assert.Equal(1, await store.Outbox.CountAsync("webhook", None));
        Assert.Equal(new Dictionary<string, long> { ["webhook"] = 1, ["other"] = 1 }, (await store.GetStatusAsync(None)).Outbox);
    }

    [Fact]
    public async Task Outbox_MoveKeepsOrderAndDropsKeysTheNewSinkHad_DropDeletes_PeekAfterSkips()
    {
        var store = new InMemoryStateStore();
        static OutboxItem I(string key) => new(key, Encoding.UTF8.GetBytes($"{{\"k\":\"{key}\"}}"));
        await store.Outbox.EnqueueAsync("old", [I("a"), I("b")], None);
        await store.Outbox.EnqueueAsync("new", [I("b"), I("x")], None);
        await store.Outbox.EnqueueAsync("old", [I("c")], None);
        var first = (await store.Outbox.PeekAsync("new", 1, None))[0];

        Assert.Equal(["x"], (await store.Outbox.PeekAfterAsync("new", first.Id, 10, None)).Select(e => e.Key));
        Assert.Equal(new OutboxMove(2, 1), await store.Outbox.MoveAsync("old", "new", None));
        Assert.Equal(["a", "b", "x", "c"], (await store.Outbox.PeekAsync("new", 10, None)).Select(e => e.Key));
        Assert.Equal(0, await store.Outbox.EnqueueAsync("new", [I("a"), I("c")], None));
        Assert.Equal(new Dictionary<string, long> { ["new"] = 4 }, await store.Outbox.WaitingAsync(None));
        Assert.Equal(4, await store.Outbox.DropAsync("new", None));
        Assert.Empty(await store.Outbox.WaitingAsync(None));
    }

    [Fact]
    public async Task ConcurrentEnqueues_EachKeyOnce()
    {
        var store = new InMemoryStateStore();
        var keys = Enumerable.Range(0, 200).Select(i => $"k{i}").ToArray();
        var counts = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            var n = 0;
            foreach (var chunk in keys.Chunk(7))
                n += await store.Outbox.EnqueueAsync("w", [.. chunk.Select(k => new OutboxItem(k, [1]))], None);
            return n;
        })));

        Assert.Equal(keys.Length, counts.Sum());
        Assert.Equal(keys.Length, store.Snapshot().OutboxOf("w").Select(e => e.Key).Distinct().Count());
    }
}
