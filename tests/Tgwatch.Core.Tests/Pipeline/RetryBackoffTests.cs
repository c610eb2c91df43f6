using Microsoft.Extensions.Logging.Abstractions;
using Tgwatch.Faults;
using Tgwatch.Messages;
using Tgwatch.Pipeline;
using Tgwatch.TestKit;

namespace Tgwatch.Core.Tests.Pipeline;

/// <summary>
/// The waits between the attempts of a sink and of a handler, on a fake clock with a fixed randomizer: each the backoff of
/// its attempt (from <see cref="PipelineOptions.MinBackoff"/> doubling up to <see cref="PipelineOptions.MaxBackoff"/>, three
/// quarters of the step with a randomizer of 0.5), unless the server named a wait.
/// </summary>
public sealed class RetryBackoffTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly InMemoryStateStore _store = new();
    private readonly PipelineStats _stats = new();

    private static PipelineOptions Options(int attempts = 3) => new()
    {
        MinBackoff = TimeSpan.FromMilliseconds(200),
        MaxBackoff = TimeSpan.FromSeconds(2),
        SinkAttempts = attempts,
        HandlerAttempts = attempts,
        HandlerTimeout = TimeSpan.FromHours(1),
    };

    // A handler's deadline is a timer too: only the waits shorter than it are the backoff's.
    private static SteppedClock Clock() => new(SomeMessage.Date) { Steps = due => due < TimeSpan.FromHours(1) };

    private HandlerRunner Handlers(PipelineOptions options, SteppedClock clock, params IMessageHandler[] handlers) =>
        new(handlers, new StoreCalls(_store, options, NullLogger.Instance, clock, () => 0.5), options, _stats, NullLogger.Instance, clock, () => 0.5);

    private SinkWriter Writer(IMessageSink sink, PipelineOptions options, SteppedClock clock) =>
        new(sink, options, _stats, new PipelineSinkStats(sink.Name), NullLogger.Instance, clock, Handlers(options, clock), () => 0.5);

    [Fact]
    public async Task ASinkFailingOnTheNetwork_IsRetriedForever_WaitingTheBackoffUpToItsMost()
    {
        var clock = Clock();
        var failures = 0;
        var sink = new CollectingSink { BeforeWrite = (_, _) => ++failures <= 7 ? throw new TimeoutException("the disk is slow") : ValueTask.CompletedTask };

        var write = Writer(sink, Options(), clock).WriteAsync(SomeMessage.Batch(1, 2), default).AsTask();

        // Steps 200, 400, 800, 1600 ms, then 2 s for as long as it lasts.
        Assert.Equal(SteppedClock.Milliseconds(150, 300, 600, 1200, 1500, 1500, 1500), await clock.StepThroughAsync(7));
        await write.WaitAsync(Patience);
        Assert.Equal(2, sink.Keys.Count);
        Assert.Equal(7, _stats.sinkRetries);
        Assert.Empty(_store.Snapshot().DeadLetters);
    }

    [Fact]
    public async Task ASinkRejectingAMessage_TriesItItsAttempts_WaitingTheBackoff_ThenDeadLettersIt()
    {
        var clock = Clock();
        var sink = new CollectingSink { BeforeWrite = (_, _) => throw new InvalidOperationException("no such column") };

        var write = Writer(sink, Options(attempts: 4), clock).WriteAsync([SomeMessage.New(1)], default).AsTask();

        Assert.Equal(SteppedClock.Milliseconds(150, 300, 600), await clock.StepThroughAsync(3));
        await write.WaitAsync(Patience);
        Assert.Equal(4, sink.Batches);
        var letter = Assert.Single(_store.Snapshot().DeadLetters);
        Assert.Equal(("sink:collect", 4), (letter.Letter.Stage, letter.Letter.Attempts));
    }

    [Fact]
    public async Task ASinkRateLimited_WaitsWhatTheServerAsked_AboveTheMostOfTheBackoff()
    {
        var clock = Clock();
        var failures = 0;
        var sink = new CollectingSink
        {
            BeforeWrite = (_, _) => ++failures switch
            {
                1 => throw new TimeoutException(),
                2 => throw new TelegramApiException(429, "Too Many Requests: retry after 7", TimeSpan.FromSeconds(7)),
                3 => throw new TimeoutException(),
                _ => ValueTask.CompletedTask,
            },
        };

        var write = Writer(sink, Options(), clock).WriteAsync([SomeMessage.New(1)], default).AsTask();

        Assert.Equal(SteppedClock.Milliseconds(150, 7000, 600), await clock.StepThroughAsync(3));
        await write.WaitAsync(Patience);
        Assert.Single(sink.Keys);
    }

    [Fact]
    public async Task AHandlerFailingOnTheNetwork_IsRetriedItsAttempts_WaitingTheBackoff_ThenDeadLettered()
    {
        var clock = Clock();
        var calls = 0;
        var handler = new DelegateHandler("enrich", (_, _) =>
        {
            calls++;
            throw new HttpRequestException("connection refused", null, System.Net.HttpStatusCode.ServiceUnavailable);
        });

        var run = Handlers(Options(attempts: 6), clock, handler).RunAsync(SomeMessage.New(1), default).AsTask();

        // Steps 200, 400, 800, 1600 ms, 2 s: five waits between six attempts.
        Assert.Equal(SteppedClock.Milliseconds(150, 300, 600, 1200, 1500), await clock.StepThroughAsync(5));
        await run.WaitAsync(Patience);
        Assert.Equal(6, calls);
        var letter = Assert.Single(_store.Snapshot().DeadLetters);
        Assert.Equal(("handler:enrich", 6), (letter.Letter.Stage, letter.Letter.Attempts));
    }
}
