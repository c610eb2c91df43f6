using Tgwatch.Connectors;
using Tgwatch.Storage;
using Xunit;

namespace Tgwatch.TestKit.Contracts;

// Checkpoints are low watermarks per account, connector and stream: they never move back, and one can be forgotten.
public abstract partial class StateStoreContract
{
    [Fact]
    public async Task Commit_OlderPosition_DoesNotMoveTheCheckpointBack()
    {
        await Store.CommitAsync(Commit(Start, [], new Checkpoint("updates", 100), new Checkpoint("chat:-1001", 7)), default);
        await Store.CommitAsync(Commit(Start.AddSeconds(1), [], new Checkpoint("updates", 99), new Checkpoint("chat:-1001", 7)), default);
        await Store.CommitAsync(Commit(Start.AddSeconds(2), [], new Checkpoint("updates", 50)), default);

        var positions = await Store.LoadCheckpointsAsync("bot1", "botapi", default);
        Assert.Equal(new Dictionary<string, long> { ["updates"] = 100, ["chat:-1001"] = 7 }, positions);
        var rows = (await Store.GetStatusAsync(default)).Checkpoints;
        Assert.All(rows, r => Assert.Equal(Start, r.UpdatedAt)); // a refused move is not an update
    }

    [Fact]
    public async Task Commit_NewerPosition_MovesItAndItsTime_OnlyForThatStream()
    {
        await Store.CommitAsync(Commit(Start, [], new Checkpoint("updates", 100), new Checkpoint("x", 5)), default);
        await Store.CommitAsync(Commit(Start.AddMinutes(1), [], new Checkpoint("updates", 101), new Checkpoint("x", 4)), default);

        Assert.Equal(
            [new CheckpointRow("bot1", "botapi", "updates", 101, Start.AddMinutes(1)), new CheckpointRow("bot1", "botapi", "x", 5, Start)],
            (await Store.GetStatusAsync(default)).Checkpoints);
    }

    [Fact]
    public async Task Checkpoints_AreKeptPerAccountAndConnector()
    {
        await Store.CommitAsync(new("bot1", "botapi", [new("updates", 10)], [], Start), default);
        await Store.CommitAsync(new("bot2", "botapi", [new("updates", 20)], [], Start), default);
        await Store.CommitAsync(new("bot1", "tdlib", [new("updates", 30)], [], Start), default);

        Assert.Equal(10, (await Store.LoadCheckpointsAsync("bot1", "botapi", default))["updates"]);
        Assert.Equal(20, (await Store.LoadCheckpointsAsync("bot2", "botapi", default))["updates"]);
        Assert.Equal(30, (await Store.LoadCheckpointsAsync("bot1", "tdlib", default))["updates"]);
        Assert.Empty(await Store.LoadCheckpointsAsync("bot3", "botapi", default));
        Assert.Empty(await Store.LoadCheckpointsAsync("bot2", "tdlib", default));
    }

    [Fact]
    public async Task Checkpoint_NegativePositions_AreOrderedAsNumbers()
    {
        await Store.CommitAsync(Commit(Start, [], new Checkpoint("s", -5)), default);
        await Store.CommitAsync(Commit(Start, [], new Checkpoint("s", -10)), default);
        Assert.Equal(-5, (await Store.LoadCheckpointsAsync("bot1", "botapi", default))["s"]);
        await Store.CommitAsync(Commit(Start, [], new Checkpoint("s", 3)), default);
        Assert.Equal(3, (await Store.LoadCheckpointsAsync("bot1", "botapi", default))["s"]);
    }

    [Fact]
    public async Task ForgetCheckpoint_ReadsThatStreamFromItsBeginning_AndKeepsEverythingElse()
    {
        var messages = Messages(1, 1, 3);
        await Store.CommitAsync(Commit(Start, messages, new Checkpoint("updates", 100), new Checkpoint("chat:1", 3)), default);
        await Store.CommitAsync(new StoreCommit("bot2", "botapi", [new("updates", 7)], [], Start), default);

        await Store.ForgetCheckpointAsync("bot1", "botapi", "updates", default);
        await Store.ForgetCheckpointAsync("bot1", "botapi", "never-was", default);
        await Store.ForgetCheckpointAsync("bot9", "botapi", "updates", default);
        await ReopenIfSupportedAsync();

        Assert.Equal(new Dictionary<string, long> { ["chat:1"] = 3 }, await Store.LoadCheckpointsAsync("bot1", "botapi", default));
        Assert.Equal(new Dictionary<string, long> { ["updates"] = 7 }, await Store.LoadCheckpointsAsync("bot2", "botapi", default));
        Assert.Equal(Keys(messages).Order(), (await ProcessedAsync(Keys(messages))).Order()); // what was processed stays processed
        Assert.Equal(3, Assert.Single((await Store.GetStatusAsync(default)).Chats).Count);

        // Forgotten, the stream takes any position again, even one below where it was.
        await Store.CommitAsync(Commit(Start.AddMinutes(1), [], new Checkpoint("updates", 5)), default);
        Assert.Equal(5, (await Store.LoadCheckpointsAsync("bot1", "botapi", default))["updates"]);
        Assert.Equal(Start.AddMinutes(1), (await Store.GetStatusAsync(default)).Checkpoints.Single(c => c.Account == "bot1" && c.Stream == "updates").UpdatedAt);
    }
}
