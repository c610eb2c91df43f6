using System.Net.Sockets;
using Tgwatch.TestKit;

namespace Tgwatch.Core.Tests.Pipeline;

/// <summary>Each sink's own figures: what was committed with it, and whether writing to it is failing now.</summary>
public sealed class PipelineSinkStatsTests
{
    [Fact]
    public async Task ASinkThatFailsForAWhile_IsFailingMeanwhile_ThenCountsWhatItGot_AndIsNotFailing()
    {
        var down = true;
        var flaky = new CollectingSink("webhook:flaky") { BeforeWrite = (_, _) => Volatile.Read(ref down) ? throw new SocketException((int)SocketError.ConnectionRefused) : ValueTask.CompletedTask };
        var steady = new CollectingSink("jsonl:steady");
        var connector = ScriptedConnector.Of(SomeMessage.Batch(1, 10));
        connector.EndWhenDone = false;
        var pipeline = PipelineFixture.Create(connector, [steady, flaky], new InMemoryStateStore());
        using var stop = new CancellationTokenSource();
        var run = pipeline.RunAsync(stop.Token);

        await Eventually.TrueAsync(() => pipeline.Stats.Sinks[1].Failing, "the flaky sink failing", TimeSpan.FromSeconds(30), run);
        Assert.False(pipeline.Stats.Sinks[0].Failing);
        Assert.Equal(0, pipeline.Stats.Sinks[1].Written);

        Volatile.Write(ref down, false);
        await Eventually.TrueAsync(() => pipeline.Stats.Written == 10, "ten committed", TimeSpan.FromSeconds(30), run);
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal([("jsonl:steady", 10L, false), ("webhook:flaky", 10L, false)], pipeline.Stats.Sinks.Select(s => (s.Name, s.Written, s.Failing)));
    }
}
