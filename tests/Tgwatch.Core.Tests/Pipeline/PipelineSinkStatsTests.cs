using System.Net.Sockets;
using Tgwatch.Faults;
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

        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        await Eventually.TrueAsync(() => pipeline.Stats.Sinks[1].Failing, "the flaky sink failing", TimeSpan.FromSeconds(30), run);
        Assert.False(pipeline.Stats.Sinks[0].Failing);
        Assert.Equal(0, pipeline.Stats.Sinks[1].Written);
        // Failing since its first failure, and each failed write counted by its kind.
        var since = pipeline.Stats.Sinks[1].FailingSince;
        Assert.True(since >= before && since <= DateTimeOffset.UtcNow, $"failing since {since}");
        await Eventually.TrueAsync(() => pipeline.Stats.Sinks[1].Failures[FaultKind.Network] >= 2, "two failed writes counted", TimeSpan.FromSeconds(30), run);
        Assert.Equal(since, pipeline.Stats.Sinks[1].FailingSince); // not moved by the next failures
        Assert.Equal([FaultKind.Network], pipeline.Stats.Sinks[1].Failures.NonZero.Select(f => f.Kind)); // a refused connection, no other kind
        Assert.Equal((0L, (DateTimeOffset?)null), (pipeline.Stats.Sinks[0].Failures.Total, pipeline.Stats.Sinks[0].FailingSince));

        Volatile.Write(ref down, false);
        await Eventually.TrueAsync(() => pipeline.Stats.Written == 10, "ten committed", TimeSpan.FromSeconds(30), run);
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal([("jsonl:steady", 10L, false), ("webhook:flaky", 10L, false)], pipeline.Stats.Sinks.Select(s => (s.Name, s.Written, s.Failing)));
        Assert.Null(pipeline.Stats.Sinks[1].FailingSince);
    }
}
