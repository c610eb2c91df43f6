using Microsoft.Extensions.Time.Testing;
using Tgwatch.Connectors;
using Tgwatch.Core.Tests.Pipeline;
using Tgwatch.Health;
using Tgwatch.TestKit;

namespace Tgwatch.Core.Tests.Health;

/// <summary>A loop is stuck when it is busy without a beat for longer than the bound; a loop that waits for work never is.</summary>
public sealed class HeartbeatTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(2);

    [Fact]
    public void ALoopThatBeats_IsNotStuck_HoweverLongItRuns()
    {
        var time = new FakeTimeProvider();
        var heartbeat = new Heartbeat(time);
        for (var i = 0; i < 100; i++)
        {
            heartbeat.Beat("pipeline");
            time.Advance(TimeSpan.FromMinutes(1));
        }
        Assert.Empty(heartbeat.Stuck(Bound));
    }

    [Fact]
    public void ABusyLoopWithoutABeat_IsStuck_OnlyPastTheBound_AndNamed()
    {
        var time = new FakeTimeProvider();
        var heartbeat = new Heartbeat(time);
        heartbeat.Beat("pipeline");
        heartbeat.Beat("connector");
        time.Advance(Bound);
        heartbeat.Beat("connector");
        Assert.Empty(heartbeat.Stuck(Bound));

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(["pipeline"], heartbeat.Stuck(Bound));

        heartbeat.Beat("pipeline");
        Assert.Empty(heartbeat.Stuck(Bound));
    }

    [Fact]
    public void ALoopWaitingForWork_IsNotStuck_UntilItTakesUpWorkAgainAndStopsBeating()
    {
        var time = new FakeTimeProvider();
        var heartbeat = new Heartbeat(time);
        heartbeat.Beat("pipeline");
        heartbeat.Idle("pipeline");
        time.Advance(TimeSpan.FromHours(5));
        Assert.Empty(heartbeat.Stuck(Bound));

        heartbeat.Beat("pipeline");
        time.Advance(Bound + TimeSpan.FromSeconds(1));
        Assert.Equal(["pipeline"], heartbeat.Stuck(Bound));
    }

    [Fact]
    public async Task ThePipeline_IsStuckWhileASinkBlocks_AndNotWhileItWaitsForMessages()
    {
        var time = new FakeTimeProvider();
        var heartbeat = new Heartbeat(time);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var blocking = new CollectingSink("blocking") { BeforeWrite = async (_, _) => { entered.TrySetResult(); await release.Task; } };
        var connector = ScriptedConnector.Of(SomeMessage.Batch(1, 3));
        connector.EndWhenDone = false;
        var pipeline = new Tgwatch.Pipeline.MessagePipeline(connector, [blocking], new InMemoryStateStore(), PipelineFixture.FastOptions()) { Heartbeat = heartbeat };
        using var stop = new CancellationTokenSource();
        var run = pipeline.RunAsync(stop.Token);

        await entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        time.Advance(Bound + TimeSpan.FromSeconds(1));
        Assert.Equal([Tgwatch.Pipeline.MessagePipeline.LoopName], heartbeat.Stuck(Bound));

        release.SetResult();
        // The stage goes back to waiting for messages once the batch is written: idle, so the fake clock's hours do not count.
        await Eventually.TrueAsync(() => pipeline.Stats.Written == 3, "the batch committed", TimeSpan.FromSeconds(30));
        await Eventually.TrueAsync(() =>
        {
            time.Advance(TimeSpan.FromHours(1));
            return heartbeat.Stuck(Bound).Count == 0;
        }, "the stage idle", TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Empty(heartbeat.Stuck(Bound));
    }
}
