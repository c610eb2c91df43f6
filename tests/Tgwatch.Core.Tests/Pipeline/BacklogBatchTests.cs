using Microsoft.Extensions.Time.Testing;
using Tgwatch.Pipeline;
using Tgwatch.TestKit;

namespace Tgwatch.Core.Tests.Pipeline;

/// <summary>
/// While the connector drains a backlog (<see cref="Tgwatch.Connectors.IConnector.HasBacklog"/>), a batch is let fill before it is
/// written: the answers it hands over one after the other are written, synced and committed once, not answer by answer;
/// never longer than the backlog lasts or <see cref="MessagePipeline.BacklogLinger"/>.
/// </summary>
public sealed class BacklogBatchTests
{
    private static PipelineOptions Options(int batchSize)
    {
        var options = PipelineFixture.FastOptions();
        options.BatchSize = batchSize;
        options.Capacity = 64;
        return options;
    }

    /// <summary>A connector over <paramref name="count"/> messages that hands them over in answers of ten, each when released.</summary>
    private static (ScriptedConnector Connector, SemaphoreSlim Answers) InAnswersOfTen(int count)
    {
        var answers = new SemaphoreSlim(0);
        var connector = ScriptedConnector.Of(SomeMessage.Batch(1, count));
        connector.EndWhenDone = false;
        connector.BeforeDelivery = async (delivery, ct) =>
        {
            if (delivery.Position.Position % 10 == 1) await answers.WaitAsync(ct);
        };
        return (connector, answers);
    }

    [Fact]
    public async Task WhileTheConnectorDrainsABacklog_TheAnswersItHandsOverAreWrittenAsOneBatch()
    {
        var (connector, answers) = InAnswersOfTen(30);
        connector.HasBacklog = true;
        var sink = new CollectingSink();
        var store = new InMemoryStateStore();
        var time = new FakeTimeProvider(SomeMessage.Date);
        var pipeline = PipelineFixture.Create(connector, [sink], store, Options(batchSize: 30), time: time);
        using var stop = new CancellationTokenSource();
        var run = pipeline.RunAsync(stop.Token);

        // Each answer comes once the one before is taken in; the batch waits for the next (the clock does not move).
        for (var answer = 1; answer <= 3; answer++)
        {
            answers.Release();
            await Eventually.TrueAsync(() => pipeline.Stats.Received == answer * 10, $"answer {answer} taken in", running: run);
        }

        await Eventually.TrueAsync(() => sink.Writes.Count == 30, "the three answers written", running: run);
        Assert.Equal(1, sink.Batches);
        await Eventually.TrueAsync(() => connector.Committed.GetValueOrDefault("updates") == 30, "the checkpoint at the last", running: run);
        Assert.Equal(1L, pipeline.Stats.Commits);
        await stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task WithoutABacklog_EachAnswerIsWrittenAsItComes()
    {
        var (connector, answers) = InAnswersOfTen(30);
        var sink = new CollectingSink();
        var pipeline = PipelineFixture.Create(connector, [sink], new InMemoryStateStore(), Options(batchSize: 30), time: new FakeTimeProvider(SomeMessage.Date));
        using var stop = new CancellationTokenSource();
        var run = pipeline.RunAsync(stop.Token);

        for (var answer = 1; answer <= 3; answer++)
        {
            answers.Release();
            await Eventually.TrueAsync(() => sink.Writes.Count == answer * 10, $"answer {answer} written", running: run);
        }

        Assert.Equal(3, sink.Batches);
        await stop.CancelAsync();
        await run;
    }

    /// <summary>A pipeline running over a connector that says it drains a backlog, its first answer of ten taken in.</summary>
    private sealed class OneAnswerIn : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private Task _run = Task.CompletedTask;

        public ScriptedConnector Connector { get; private set; } = null!;

        public CollectingSink Sink { get; } = new();

        public FakeTimeProvider Time { get; } = new(SomeMessage.Date);

        public static async Task<OneAnswerIn> StartAsync(int count)
        {
            var started = new OneAnswerIn();
            var (connector, answers) = InAnswersOfTen(count);
            connector.HasBacklog = true;
            started.Connector = connector;
            var pipeline = PipelineFixture.Create(connector, [started.Sink], new InMemoryStateStore(), Options(batchSize: 30), time: started.Time);
            started._run = pipeline.RunAsync(started._stop.Token);
            answers.Release();
            await Eventually.TrueAsync(() => pipeline.Stats.Received == 10, "the answer taken in", running: started._run);
            return started;
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _run;
            _stop.Dispose();
        }
    }

    [Fact]
    public async Task ABatchWaitsNoLongerThanTheBacklogLasts()
    {
        await using var running = await OneAnswerIn.StartAsync(10);

        // The next answer turns out short, or empty: the backlog is over, and the batch is written at the next look.
        running.Connector.HasBacklog = false;
        var moved = TimeSpan.Zero;
        while (running.Sink.Writes.Count < 10 && moved < MessagePipeline.BacklogLinger)
        {
            running.Time.Advance(MessagePipeline.BacklogLook);
            moved += MessagePipeline.BacklogLook;
            // Real time (up to 200 ms) for the stage to look again before the clock moves on towards the linger's end: on a
            // loaded machine a step a few milliseconds apart could reach it before the stage has run.
            for (var waited = 0; waited < 40 && running.Sink.Writes.Count < 10; waited++) await Task.Delay(5);
        }

        Assert.True(running.Sink.Writes.Count == 10, $"not written after {moved} of the clock");
        Assert.True(moved < MessagePipeline.BacklogLinger, $"written after {moved}");
        Assert.Equal(1, running.Sink.Batches);
    }

    [Fact]
    public async Task ABatchWaitsNoLongerThanTheLinger_WhenNothingMoreComes()
    {
        await using var running = await OneAnswerIn.StartAsync(20);

        // The next answer is slow to come (a poll retried, or a far server): the batch goes once the linger is over.
        var took = await Eventually.OnClockAsync(running.Time, MessagePipeline.BacklogLook, () => running.Sink.Writes.Count == 10, "the answer written", TimeSpan.FromSeconds(1));

        Assert.True(took >= MessagePipeline.BacklogLinger, $"written after {took}");
        Assert.Equal(1, running.Sink.Batches);
    }
}
