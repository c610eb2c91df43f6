using Microsoft.Extensions.Logging;
using Tgwatch.Leases;
using Tgwatch.Pipeline;
using Tgwatch.Core.Tests.Pipeline;
using Tgwatch.Storage;
using Tgwatch.TestKit;

namespace Tgwatch.Core.Tests.Leases;

/// <summary>
/// A runner woken after its lease was taken over finds it out at its next commit, often before its renewal does: the run
/// must see the lost lease as such (it goes back to standby), not as a failed stage that stops the program.
/// </summary>
public sealed class LeaseLostInPipelineTests
{
    // Five messages and a live stream that stays open: the failed commit must end the run without a next batch to notice it.
    [Fact]
    public async Task ACommitRefusedForALostLease_EndsTheRunWithTheLostLease_NotAStageFailure()
    {
        var store = new FencedStore();
        var connector = ScriptedConnector.Of(SomeMessage.Batch(1, 5));
        connector.EndWhenDone = false;
        var logs = new CollectingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs));
        var pipeline = new MessagePipeline(connector, [new CollectingSink()], store, PipelineFixture.FastOptions(), logger: factory.CreateLogger("Tgwatch.Pipeline"));

        var thrown = await Assert.ThrowsAsync<LeaseLostException>(() => pipeline.RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal(7, thrown.Grant.Generation);
        // Nothing it received is acknowledged to the connector: the runner that took over receives it again.
        Assert.Empty(connector.Commits);
        Assert.DoesNotContain(logs.Entries, l => l.Level >= LogLevel.Error);
    }

    private sealed class FencedStore() : DelegatingStateStore(new InMemoryStateStore())
    {
        public override ValueTask CommitAsync(StoreCommit commit, CancellationToken ct) =>
            throw new LeaseLostException(new LeaseGrant("botapi/bot42", 7, "vm pid 1"));
    }
}
