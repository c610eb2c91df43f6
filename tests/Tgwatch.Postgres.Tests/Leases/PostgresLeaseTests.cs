using Tgwatch.Connectors;
using Tgwatch.Leases;
using Tgwatch.Storage;
using Tgwatch.TestKit;

namespace Tgwatch.Postgres.Tests.Leases;

/// <summary>
/// Leases in a real PostgreSQL: one holder at a time, on the database's clock; taking over raises the generation, and a store
/// fenced with an older generation commits nothing. Each test in a database of its own, two stores on it as two runners.
/// Waits for a lease to run out are real sleeps: the lease's time is the database's clock, which no fake clock moves.
/// </summary>
public sealed class PostgresLeaseTests : IAsyncLifetime
{
    private const string Lease = "botapi/bot42";
    private static readonly RunnerInfo A = new("a:1:x", "host-a", 101, DateTimeOffset.UtcNow);
    private static readonly RunnerInfo B = new("b:2:y", "host-b", 202, DateTimeOffset.UtcNow);
    private PostgresStateStore _a = null!;
    private PostgresStateStore _b = null!;

    public async Task InitializeAsync()
    {
        var database = await (await PostgresCluster.SharedAsync()).CreateDatabaseAsync("leases");
        _a = await PostgresStateStore.OpenAsync(database, TimeProvider.System, default);
        _b = await PostgresStateStore.OpenAsync(database, TimeProvider.System, default);
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
    }

    private static StoreCommit Commit(long position, string key) =>
        new("bot42", "botapi", [new Checkpoint("updates", position)], [new ProcessedMessage(key, -100, "chat", position, DateTimeOffset.UtcNow)], DateTimeOffset.UtcNow);

    [Fact]
    public async Task TheFirstRunnerTakesTheLease_AndTheSecondIsToldWhoHoldsIt()
    {
        var first = await _a.TryAcquireAsync(Lease, A, TimeSpan.FromSeconds(30), default);
        var second = await _b.TryAcquireAsync(Lease, B, TimeSpan.FromSeconds(30), default);

        Assert.Equal(new LeaseGrant(Lease, 1, A.Id), first.Granted);
        Assert.Null(second.Granted);
        Assert.Equal(("host-a", 101, 1L), (second.Holder!.Host, second.Holder.Pid, second.Holder.Generation));
        Assert.True(second.Holder.ExpiresAt > DateTimeOffset.UtcNow);
        var runners = await _b.RunnersAsync(default);
        Assert.Equal([("host-a", true), ("host-b", false)], runners.Select(r => (r.Runner.Host, r.Active)).Order());
    }

    [Fact]
    public async Task ALeaseNotRenewed_IsTakenOver_AtTheNextGeneration_AndTheOldHolderCannotRenewIt()
    {
        var first = (await _a.TryAcquireAsync(Lease, A, TimeSpan.FromSeconds(1), default)).Granted!;
        await Task.Delay(TimeSpan.FromSeconds(1.2)); // the database's clock moves the lease's end
        var taken = await _b.TryAcquireAsync(Lease, B, TimeSpan.FromSeconds(30), default);

        Assert.Equal(2, taken.Granted!.Generation);
        Assert.Equal("host-a", taken.TakenFrom!.Host);
        Assert.False(await _a.RenewAsync(first, TimeSpan.FromSeconds(30), default));
        Assert.True(await _b.RenewAsync(taken.Granted, TimeSpan.FromSeconds(30), default));
        Assert.Single(await _b.RunnersAsync(default), r => r.Active && r.Runner.Host == "host-b");
    }

    [Fact]
    public async Task ARenewedLease_IsNotTakenOver()
    {
        var first = (await _a.TryAcquireAsync(Lease, A, TimeSpan.FromSeconds(2), default)).Granted!;
        for (var i = 0; i < 3; i++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1)); // less than the lease each time, more than it in all
            Assert.True(await _a.RenewAsync(first, TimeSpan.FromSeconds(2), default));
            Assert.Null((await _b.TryAcquireAsync(Lease, B, TimeSpan.FromSeconds(2), default)).Granted);
        }
    }

    [Fact]
    public async Task AReleasedLease_IsTakenAtOnce_AndSaidNotTakenFromAnyone()
    {
        var first = (await _a.TryAcquireAsync(Lease, A, TimeSpan.FromMinutes(5), default)).Granted!;
        await _a.ReleaseAsync(first, default);
        var taken = await _b.TryAcquireAsync(Lease, B, TimeSpan.FromMinutes(5), default);

        Assert.Equal(2, taken.Granted!.Generation);
        Assert.Null(taken.TakenFrom);
    }

    [Fact]
    public async Task AStoreFencedWithALostGeneration_CommitsNothing_WhileTheNewHolderCommits()
    {
        var first = (await _a.TryAcquireAsync(Lease, A, TimeSpan.FromSeconds(1), default)).Granted!;
        _a.Fence(first);
        await _a.CommitAsync(Commit(10, "k10"), default);
        await Task.Delay(TimeSpan.FromSeconds(1.2)); // the old holder "paused" past its lease
        var taken = (await _b.TryAcquireAsync(Lease, B, TimeSpan.FromSeconds(30), default)).Granted!;
        _b.Fence(taken);

        var refused = await Assert.ThrowsAsync<LeaseLostException>(async () => await _a.CommitAsync(Commit(20, "k20"), default));
        Assert.Equal(first, refused.Grant);
        await Assert.ThrowsAsync<LeaseLostException>(async () => await _a.ForgetCheckpointAsync("bot42", "botapi", "updates", default));
        await Assert.ThrowsAsync<LeaseLostException>(async () => await _a.Outbox.EnqueueAsync("webhook:x", [new OutboxItem("k20", [1])], default));
        await Assert.ThrowsAsync<LeaseLostException>(async () => await _a.SinkLedger.RecordAsync("jsonl:x", ["k20"], 5, default));
        await _b.CommitAsync(Commit(15, "k15"), default);

        Assert.Equal(15, (await _b.LoadCheckpointsAsync("bot42", "botapi", default))["updates"]);
        Assert.Equal(["k10", "k15"], (await _b.FindProcessedAsync(["k10", "k15", "k20"], [], default)).Keys.Order(StringComparer.Ordinal));
        Assert.Equal(0, await _b.Outbox.CountAsync("webhook:x", default));
        Assert.Null(await _b.SinkLedger.GetOffsetAsync("jsonl:x", default));
    }

    [Fact]
    public async Task AnUnfencedStore_IsNotChecked()
    {
        await _a.TryAcquireAsync(Lease, A, TimeSpan.FromSeconds(30), default);
        await _b.CommitAsync(Commit(3, "k3"), default); // status, import and such commands hold no lease
        Assert.Equal(3, (await _a.LoadCheckpointsAsync("bot42", "botapi", default))["updates"]);
    }
}
