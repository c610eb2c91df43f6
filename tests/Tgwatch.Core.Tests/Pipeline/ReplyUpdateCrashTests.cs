using Tgwatch.Connectors;
using Tgwatch.Faults;
using Tgwatch.Messages;
using Tgwatch.Pipeline;
using Tgwatch.TestKit;

namespace Tgwatch.Core.Tests.Pipeline;

/// <summary>A reply update whose write reached the sinks but whose commit did not (a kill in between).</summary>
public sealed class ReplyUpdateCrashTests
{
    [Fact]
    public async Task AReplyUpdateWrittenButNotCommitted_IsWrittenAgainUnderTheSameKey_WhenTheNextRunResolvesItLater()
    {
        var reply = SomeMessage.New(2) with { ReplyTo = new ReplyRef(-1001234567890, 1, ReplyState.Unresolved) };
        var connector = ScriptedConnector.Of([reply]);
        connector.EndWhenDone = false;
        connector.Replies[new MessageRef(-1001234567890, 1)] = "found later";
        // The inline read fails: the reply goes to the background, where the next read works.
        connector.ReplyFault = (_, attempt, _) => ValueTask.FromResult(attempt == 1 ? ReplyResult.Failed(FaultKind.Network, "reset") : null);
        var store = new InMemoryStateStore();
        var sink = new CollectingSink();
        // The reply update reaches the sink, then the process "dies": the write never returns, nothing is committed.
        sink.BeforeWrite = async (batch, ct) =>
        {
            if (!batch.Any(m => m.IsReplyUpdate)) return;
            sink.Store(batch);
            await Task.Delay(Timeout.Infinite, ct);
        };
        var options = PipelineFixture.FastOptions();
        options.DrainTimeout = TimeSpan.FromMilliseconds(200);
        var first = new MessagePipeline(connector, [sink], store, options);
        using (var stop = new CancellationTokenSource())
        {
            var run = first.RunAsync(stop.Token);
            await Eventually.TrueAsync(() => sink.Writes.Count == 2, "the message and its reply update at the sink", TimeSpan.FromSeconds(30));
            stop.Cancel();
            await run.WaitAsync(TimeSpan.FromSeconds(30));
        }
        Assert.Equal(1, await store.PendingReplies.CountAsync(default)); // the update was not committed

        // The next run starts later (the clock is an hour on); the pending reply resolves again.
        sink.BeforeWrite = null;
        var again = ScriptedConnector.Of([reply]);
        again.EndWhenDone = false;
        again.Replies[new MessageRef(-1001234567890, 1)] = "found later";
        var second = new MessagePipeline(again, [sink], store, PipelineFixture.FastOptions(), time: new ShiftedTime(TimeSpan.FromHours(1)));
        using (var stop = new CancellationTokenSource())
        {
            var run = second.RunAsync(stop.Token);
            await Eventually.TrueAsync(() => sink.Writes.Count == 3, "the reply update written again", TimeSpan.FromSeconds(30));
            await Eventually.TrueAsync(async () => await store.PendingReplies.CountAsync(default) == 0, "no pending reply left", TimeSpan.FromSeconds(30));
            stop.Cancel();
            await run.WaitAsync(TimeSpan.FromSeconds(30));
        }

        var updates = sink.Writes.Where(m => m.IsReplyUpdate).ToList();
        Assert.Equal(2, updates.Count);
        // The redelivered update is the same record: sinks idempotent on the key keep one.
        Assert.Equal(updates[0].Key, updates[1].Key);
        Assert.Equal(TgMessageJson.ToJson(updates[0]), TgMessageJson.ToJson(updates[1]));
        Assert.Equal(2, sink.ByKey.Count);
    }

    /// <summary>The system clock, moved on by <paramref name="shift"/> (timers and timestamps as they are).</summary>
    private sealed class ShiftedTime(TimeSpan shift) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + shift;
    }
}
