using System.Globalization;
using Tgwatch.Connectors;
using Tgwatch.Storage;
using Xunit;

namespace Tgwatch.TestKit.Contracts;

// Every call: refuses a cancelled token (changing nothing) and out-of-range numbers; concurrent callers lose nothing.
public abstract partial class StateStoreContract
{
    private static readonly Dictionary<string, Func<IStateStore, CancellationToken, Task>> CallsByName = new(StringComparer.Ordinal)
    {
        ["LoadCheckpoints"] = async (s, ct) => await s.LoadCheckpointsAsync("bot1", "botapi", ct),
        ["ForgetCheckpoint"] = async (s, ct) => await s.ForgetCheckpointAsync("bot1", "botapi", "updates", ct),
        ["FindProcessed"] = async (s, ct) => await s.FindProcessedAsync([Message(1, 1).Key], ["jsonl"], ct),
        ["Commit"] = async (s, ct) => await s.CommitAsync(
            Commit(Start.AddHours(1), [Message(1, 1) with { Sinks = ["jsonl"] }, Message(1, 9)], new Checkpoint("updates", 200)) with
            {
                NewPendingReplies = [Pending("new", 5)],
                ResolvedPendingReplies = ["due"],
            }, ct),
        ["PruneProcessed"] = async (s, ct) => await s.PruneProcessedAsync(Start.AddYears(1), 0, ct),
        ["RecordLink"] = async (s, ct) => await s.RecordLinkAsync(new LinkRecord("bot1", "botapi", ConnectionState.Disconnected, "stopped", Start, Start, TimeSpan.FromSeconds(1), Ended: true), ct),
        ["GetStatus"] = async (s, ct) => await s.GetStatusAsync(ct),
        ["DeadLetters.Add"] = async (s, ct) => await s.DeadLetters.AddAsync(Letter("k2"), ct),
        ["DeadLetters.List"] = async (s, ct) => await s.DeadLetters.ListAsync(10, 0, ct),
        ["DeadLetters.Remove"] = async (s, ct) => await s.DeadLetters.RemoveAsync((await s.DeadLetters.ListAsync(1, 0, default))[0].Id, ct),
        ["DeadLetters.Count"] = async (s, ct) => await s.DeadLetters.CountAsync(ct),
        ["PendingReplies.Add"] = async (s, ct) => await s.PendingReplies.AddAsync(Pending("new", 5), ct),
        ["PendingReplies.Due"] = async (s, ct) => await s.PendingReplies.DueAsync(Start.AddHours(1), 10, ct),
        ["PendingReplies.NextDue"] = async (s, ct) => await s.PendingReplies.NextDueAsync(ct),
        ["PendingReplies.Reschedule"] = async (s, ct) => await s.PendingReplies.RescheduleAsync("due", 3, Start.AddHours(2), ct),
        ["PendingReplies.Remove"] = async (s, ct) => await s.PendingReplies.RemoveAsync("due", ct),
        ["PendingReplies.Count"] = async (s, ct) => await s.PendingReplies.CountAsync(ct),
        ["SinkLedger.GetOffset"] = async (s, ct) => await s.SinkLedger.GetOffsetAsync("jsonl", ct),
        ["SinkLedger.FindWritten"] = async (s, ct) => await s.SinkLedger.FindWrittenAsync("jsonl", ["j1"], ct),
        ["SinkLedger.Record"] = async (s, ct) => await s.SinkLedger.RecordAsync("jsonl", ["j2"], 99, ct),
        ["Outbox.Enqueue"] = async (s, ct) => await s.Outbox.EnqueueAsync("webhook", [Item("new")], ct),
        ["Outbox.Requeue"] = async (s, ct) => await s.Outbox.RequeueAsync("webhook", [Item("sent")], ct),
        ["Outbox.Peek"] = async (s, ct) => await s.Outbox.PeekAsync("webhook", 10, ct),
        ["Outbox.PeekAfter"] = async (s, ct) => await s.Outbox.PeekAfterAsync("webhook", 0, 10, ct),
        ["Outbox.Delete"] = async (s, ct) => await s.Outbox.DeleteAsync("webhook", [(await s.Outbox.PeekAsync("webhook", 1, default))[0].Id], ct),
        ["Outbox.Count"] = async (s, ct) => await s.Outbox.CountAsync("webhook", ct),
        ["Outbox.Waiting"] = async (s, ct) => await s.Outbox.WaitingAsync(ct),
        ["Outbox.Move"] = async (s, ct) => await s.Outbox.MoveAsync("webhook", "webhook-2", ct),
        ["Outbox.Drop"] = async (s, ct) => await s.Outbox.DropAsync("webhook", ct),
    };

    /// <summary>The name of every call of the store, for <see cref="ACall_WithACancelledToken_ThrowsAndChangesNothing"/>.</summary>
    public static TheoryData<string> Calls => [.. CallsByName.Keys];

    [Theory]
    [MemberData(nameof(Calls), MemberType = typeof(StateStoreContract))]
    public async Task ACall_WithACancelledToken_ThrowsAndChangesNothing(string call)
    {
        await Store.CommitAsync(Commit(Start, [Message(1, 1) with { Sinks = ["sqlite"] }], new Checkpoint("updates", 100)), default);
        await Store.DeadLetters.AddAsync(Letter("k1"), default);
        await Store.PendingReplies.AddAsync(Pending("due", 10), default);
        await Store.SinkLedger.RecordAsync("jsonl", ["j1"], 10, default);
        await Store.Outbox.EnqueueAsync("webhook", [Item("sent"), Item("waiting")], default);
        await Store.Outbox.DeleteAsync("webhook", [(await Store.Outbox.PeekAsync("webhook", 1, default))[0].Id], default);
        var before = await DescribeAsync();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => CallsByName[call](Store, cancelled.Token));

        Assert.Equal(before, await DescribeAsync());
    }

    [Fact]
    public async Task NegativeLimitsAndOffsets_AreRefused_AndRecordNothing()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await Store.PruneProcessedAsync(Start, -1, default));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await Store.DeadLetters.ListAsync(-1, 0, default));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await Store.PendingReplies.DueAsync(Start, -1, default));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await Store.Outbox.PeekAsync("webhook", -1, default));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await Store.Outbox.PeekAfterAsync("webhook", 0, -1, default));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await Store.SinkLedger.RecordAsync("jsonl", ["a"], -1, default));
        Assert.Null(await Store.SinkLedger.GetOffsetAsync("jsonl", default));
        Assert.Empty(await Store.SinkLedger.FindWrittenAsync("jsonl", ["a"], default));
    }

    [Fact]
    public async Task ManyTasksCommittingAndReadingAtOnce_AllKeysArePresent()
    {
        const int Writers = 8, Batches = 25, Size = 200;
        using var start = new ManualResetEventSlim();
        var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            start.Wait();
            for (var b = 0; b < Batches; b++)
            {
                var batch = Messages(w, b * Size, Size);
                await Store.CommitAsync(new StoreCommit("bot1", "botapi", [new Checkpoint($"chat:{w}", b)], batch, Start), default);
                await Store.Outbox.EnqueueAsync("webhook", [new OutboxItem(batch[0].Key, [])], default);
            }
        })).ToList();
        var readers = Enumerable.Range(0, 3).Select(r => Task.Run(async () =>
        {
            start.Wait();
            var probes = Keys(Messages(r, 0, 1_000));
            while (!writers.All(w => w.IsCompleted))
            {
                await ProcessedAsync(probes);
                await Store.GetStatusAsync(default);
            }
        })).ToList();
        start.Set();
        await Task.WhenAll(writers.Concat(readers));

        var status = await Store.GetStatusAsync(default);
        Assert.Equal(Writers * Batches * Size, status.Processed);
        Assert.Equal(Writers * Batches, status.Outbox["webhook"]);
        Assert.All(status.Checkpoints, c => Assert.Equal(Batches - 1, c.Position));
        Assert.All(status.Chats, c => Assert.Equal(Batches * Size, c.Count));
        for (var w = 0; w < Writers; w++)
            Assert.Equal(Batches * Size, (await ProcessedAsync(Keys(Messages(w, 0, Batches * Size)))).Count);
    }

    [Fact]
    public async Task ConcurrentEnqueues_TakeEachKeyOnce()
    {
        var keys = Enumerable.Range(0, 200).Select(i => $"k{i}").ToArray();
        var counts = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            var n = 0;
            foreach (var chunk in keys.Chunk(7))
                n += await Store.Outbox.EnqueueAsync("w", [.. chunk.Select(k => new OutboxItem(k, [1]))], default);
            return n;
        })));

        Assert.Equal(keys.Length, counts.Sum());
        var waiting = await Store.Outbox.PeekAsync("w", 1_000, default);
        Assert.Equal(keys.Length, waiting.Count);
        Assert.Equal(keys.Length, waiting.Select(e => e.Key).Distinct().Count());
    }

    /// <summary>Everything the store shows through its reads, as text, to compare before and after a call.</summary>
    private async Task<string> DescribeAsync()
    {
        var status = await Store.GetStatusAsync(default);
        var lines = new List<string>();
        lines.AddRange(status.Checkpoints.Select(c => c.ToString()));
        lines.AddRange(status.Chats.Select(c => c.ToString()));
        lines.Add(string.Create(CultureInfo.InvariantCulture, $"processed {status.Processed}, dead letters {status.DeadLetters}, pending {status.PendingReplies}"));
        lines.AddRange(status.Outbox.Select(o => string.Create(CultureInfo.InvariantCulture, $"outbox {o.Key}: {o.Value}")));
        lines.AddRange(status.Links.Select(l => l.ToString()));
        lines.Add("sinks " + string.Join(',', status.Sinks));
        lines.AddRange((await Store.FindProcessedAsync([Message(1, 1).Key, Message(1, 9).Key], ["sqlite", "jsonl"], default))
            .Select(f => $"{f.Key} lacks {string.Join(',', f.Value)}"));
        lines.AddRange((await Store.DeadLetters.ListAsync(100, 0, default)).Select(l => l.ToString()));
        lines.AddRange((await Store.PendingReplies.DueAsync(Start.AddYears(1), 100, default)).Select(p => p.ToString()));
        var offset = await Store.SinkLedger.GetOffsetAsync("jsonl", default);
        var written = await Store.SinkLedger.FindWrittenAsync("jsonl", ["j1", "j2"], default);
        lines.Add(string.Create(CultureInfo.InvariantCulture, $"ledger {offset}: {string.Join(',', written.Order(StringComparer.Ordinal))}"));
        foreach (var sink in new[] { "webhook", "webhook-2" })
            lines.AddRange((await Store.Outbox.PeekAsync(sink, 100, default)).Select(e => string.Create(CultureInfo.InvariantCulture, $"{sink} {e.Id} {e.Key}")));
        return string.Join('\n', lines);
    }
}
