using Tgwatch.TestKit;
using Tgwatch.Connectors;
using Tgwatch.Storage;

namespace Tgwatch.Sqlite.Tests.State;

/// <summary>The store is shared by the pipeline's tasks: concurrent callers see no error and lose nothing.</summary>
public sealed class ConcurrencyTests
{
    [Fact]
    public async Task ManyTasksCommittingAndReadingAtOnce_AllKeysArePresent()
    {
        await using var t = await TempStore.OpenAsync();
        const int Writers = 8, Batches = 25, Size = 200;
        using var start = new ManualResetEventSlim();
        var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            start.Wait();
            for (var b = 0; b < Batches; b++)
            {
                var batch = Make.Messages(w, b * Size, Size);
                await t.Store.CommitAsync(new StoreCommit("bot1", "botapi", [new Checkpoint($"chat:{w}", b)], batch, TempStore.Start), default);
                await t.Store.Outbox.EnqueueAsync("webhook", [new OutboxItem(batch[0].Key, [])], default);
            }
        })).ToList();
        var readers = Enumerable.Range(0, 3).Select(r => Task.Run(async () =>
        {
            start.Wait();
            var probes = Make.Keys(Make.Messages(r, 0, 1_000));
            while (!writers.All(w => w.IsCompleted))
            {
                await t.Store.FindProcessedAsync(probes, default);
                await t.Store.GetStatusAsync(default);
            }
        })).ToList();
        start.Set();
        await Task.WhenAll(writers.Concat(readers));

        var status = await t.Store.GetStatusAsync(default);
        Assert.Equal(Writers * Batches * Size, status.Processed);
        Assert.Equal(Writers * Batches, status.Outbox["webhook"]);
        Assert.All(status.Checkpoints, c => Assert.Equal(Batches - 1, c.Position));
        Assert.All(status.Chats, c => Assert.Equal(Batches * Size, c.Count));
        for (var w = 0; w < Writers; w++)
            Assert.Equal(Batches * Size, (await t.Store.FindProcessedAsync(Make.Keys(Make.Messages(w, 0, Batches * Size)), default)).Count);
    }

    [Fact]
    public async Task TwoStoresOnOneFile_BothWrite_NothingIsLost()
    {
        await using var t = await TempStore.OpenAsync();
        await using var second = await SqliteStateStore.OpenAsync(t.Path, t.Time, default);
        var a = Task.Run(async () => { for (var b = 0; b < 30; b++) await t.Store.CommitAsync(Make.Commit(TempStore.Start, Make.Messages(1, b * 50, 50)), default); });
        var c = Task.Run(async () => { for (var b = 0; b < 30; b++) await second.CommitAsync(Make.Commit(TempStore.Start, Make.Messages(2, b * 50, 50)), default); });
        await Task.WhenAll(a, c);
        Assert.Equal(3_000, (await t.Store.GetStatusAsync(default)).Processed);
    }
}
