using Tgwatch.Connectors;

namespace Tgwatch.Sqlite.Tests.State;

/// <summary>Checkpoints are low watermarks that never move back.</summary>
public sealed class CheckpointTests
{
    [Fact]
    public async Task Commit_OlderPosition_DoesNotMoveTheCheckpointBack()
    {
        await using var t = await TempStore.OpenAsync();
        var s = t.Store;
        await s.CommitAsync(Make.Commit(TempStore.Start, [], new Checkpoint("updates", 100), new Checkpoint("chat:-1001", 7)), default);
        await s.CommitAsync(Make.Commit(TempStore.Start.AddSeconds(1), [], new Checkpoint("updates", 99), new Checkpoint("chat:-1001", 7)), default);
        await s.CommitAsync(Make.Commit(TempStore.Start.AddSeconds(2), [], new Checkpoint("updates", 50)), default);

        var positions = await s.LoadCheckpointsAsync("bot1", "botapi", default);
        Assert.Equal(100, positions["updates"]);
        Assert.Equal(7, positions["chat:-1001"]);
        var rows = (await s.GetStatusAsync(default)).Checkpoints;
        Assert.All(rows, r => Assert.Equal(TempStore.Start, r.UpdatedAt)); // a refused move is not an update
    }

    [Fact]
    public async Task Commit_NewerPosition_MovesItAndItsTime()
    {
        await using var t = await TempStore.OpenAsync();
        var s = t.Store;
        await s.CommitAsync(Make.Commit(TempStore.Start, [], new Checkpoint("updates", 100)), default);
        await s.CommitAsync(Make.Commit(TempStore.Start.AddMinutes(1), [], new Checkpoint("updates", 101)), default);

        var row = Assert.Single((await s.GetStatusAsync(default)).Checkpoints);
        Assert.Equal(("bot1", "botapi", "updates", 101L, TempStore.Start.AddMinutes(1)), (row.Account, row.Connector, row.Stream, row.Position, row.UpdatedAt));
    }

    [Fact]
    public async Task Checkpoints_AreKeptPerAccountAndConnector()
    {
        await using var t = await TempStore.OpenAsync();
        var s = t.Store;
        await s.CommitAsync(new("bot1", "botapi", [new("updates", 10)], [], TempStore.Start), default);
        await s.CommitAsync(new("bot2", "botapi", [new("updates", 20)], [], TempStore.Start), default);
        await s.CommitAsync(new("bot1", "tdlib", [new("updates", 30)], [], TempStore.Start), default);

        Assert.Equal(10, (await s.LoadCheckpointsAsync("bot1", "botapi", default))["updates"]);
        Assert.Equal(20, (await s.LoadCheckpointsAsync("bot2", "botapi", default))["updates"]);
        Assert.Equal(30, (await s.LoadCheckpointsAsync("bot1", "tdlib", default))["updates"]);
        Assert.Empty(await s.LoadCheckpointsAsync("bot3", "botapi", default));
    }

    [Fact]
    public async Task NegativePositions_AreOrderedAsNumbers()
    {
        await using var t = await TempStore.OpenAsync();
        var s = t.Store;
        await s.CommitAsync(Make.Commit(TempStore.Start, [], new Checkpoint("s", -5)), default);
        await s.CommitAsync(Make.Commit(TempStore.Start, [], new Checkpoint("s", -10)), default);
        await s.CommitAsync(Make.Commit(TempStore.Start, [], new Checkpoint("s", 3)), default);
        Assert.Equal(3, (await s.LoadCheckpointsAsync("bot1", "botapi", default))["s"]);
    }
}
