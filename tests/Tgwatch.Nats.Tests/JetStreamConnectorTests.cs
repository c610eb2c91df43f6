using Microsoft.Extensions.Logging;
using Tgwatch.Connectors;
using Tgwatch.Messages;
using Tgwatch.Nats.Consumer;
using Tgwatch.Pipeline;
using Tgwatch.TestKit;

namespace Tgwatch.Nats.Tests;

public sealed class JetStreamConnectorTests : IAsyncLifetime
{
    private NatsServer _server = null!;
    private readonly CollectingLoggerProvider _logs = new();

    public async Task InitializeAsync() => _server = await NatsServer.StartNewAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private JetStreamConnector Connector(string durable = "sinks", TimeSpan? ackWait = null, int maxAckPending = 1000, TimeSpan? grace = null)
    {
        Assert.True(NatsServerAddress.TryParse(_server.Url, out var address, out var error), error);
        return new JetStreamConnector(new JetStreamConnectorOptions
        {
            Address = address!,
            Durable = durable,
            AckWait = ackWait ?? TimeSpan.FromSeconds(30),
            MaxAckPending = maxAckPending,
            RequestTimeout = TimeSpan.FromSeconds(2),
            Grace = grace ?? TimeSpan.FromSeconds(5),
            MinBackoff = TimeSpan.FromMilliseconds(50),
            MaxBackoff = TimeSpan.FromMilliseconds(300),
        }, new LoggerFactory([_logs]).CreateLogger<JetStreamConnector>());
    }

    private static async Task<ulong> AckPendingAsync(Streams streams, string durable = "sinks") =>
        (ulong)(await streams.Js.GetConsumerAsync("TGWATCH", durable)).Info.NumAckPending;

    /// <summary>Reads deliveries into a list until stopped.</summary>
    private static Task ReadInto(IConnector connector, List<Delivery> into, CancellationToken stop, IReadOnlyDictionary<string, long>? committed = null, Action? onEach = null) => Task.Run(async () =>
    {
        try
        {
            await foreach (var d in connector.ReadAsync(committed ?? new Dictionary<string, long>(), stop))
            {
                onEach?.Invoke();
                lock (into) into.Add(d);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    });

    private static int CountOf(List<Delivery> list)
    {
        lock (list) return list.Count;
    }

    [Fact]
    public async Task Messages_AreAcknowledged_OnlyUpToTheCommittedPosition()
    {
        await using var streams = new Streams(_server);
        await streams.PublishAsync(SomeMessage.Batch(1, 3));
        await using var connector = Connector();
        var got = new List<Delivery>();
        using var stop = new CancellationTokenSource();
        var reading = ReadInto(connector, got, stop.Token);
        await Eventually.TrueAsync(() => CountOf(got) == 3, "three deliveries");

        Assert.Equal([1L, 2L, 3L], got.Select(d => d.Position.Position));
        Assert.Equal(SomeMessage.Batch(1, 3).Select(m => m.Key), got.Select(d => d.Message!.Key));
        Assert.Equal(3UL, await AckPendingAsync(streams));
        await connector.CommitAsync(got[1].Position, CancellationToken.None);
        await Eventually.TrueAsync(async () => await AckPendingAsync(streams) == 1, "two acknowledged, one pending");
        await connector.CommitAsync(got[2].Position, CancellationToken.None);
        await Eventually.TrueAsync(async () => await AckPendingAsync(streams) == 0, "all acknowledged");
        await stop.CancelAsync();
        await reading;
    }

    [Fact]
    public async Task PositionsGoOn_FromTheLastCommittedOne()
    {
        await using var streams = new Streams(_server);
        await streams.PublishAsync(SomeMessage.Batch(1, 2));
        await using var connector = Connector();
        var got = new List<Delivery>();
        using var stop = new CancellationTokenSource();
        var reading = ReadInto(connector, got, stop.Token, new Dictionary<string, long> { [JetStreamConnector.CheckpointStream] = 41 });
        await Eventually.TrueAsync(() => CountOf(got) == 2, "two deliveries");
        Assert.Equal([42L, 43L], got.Select(d => d.Position.Position));
        await stop.CancelAsync();
        await reading;
    }

    [Fact]
    public async Task AMessageNotAcknowledged_IsDeliveredAgain_AfterAckWait()
    {
        await using var streams = new Streams(_server);
        await streams.PublishAsync([SomeMessage.New(1)]);
        var ackWait = TimeSpan.FromSeconds(3);
        // Started before the connector exists, so before the server's first delivery (which comes only once it reads).
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await using var connector = Connector(ackWait: ackWait);
        var got = new List<Delivery>();
        var arrived = new List<TimeSpan>();
        using var stop = new CancellationTokenSource();
        var reading = ReadInto(connector, got, stop.Token, onEach: () => { lock (arrived) arrived.Add(clock.Elapsed); });
        await Eventually.TrueAsync(() => CountOf(got) == 2, "the delivery again after the ack wait", TimeSpan.FromSeconds(15));
        Assert.Equal(got[0].Message!.Key, got[1].Message!.Key);
        // Not at once: the server waits its ack wait from its delivery. When the test sees the first one is the process's (a cold
        // test process on a busy machine saw it late once, and the second 271 ms after it with an ack wait of 1 s): the whole
        // ack wait is asked from a time before the first delivery.
        lock (arrived) Assert.True(arrived[1] >= ackWait, $"delivered again {arrived[1].TotalMilliseconds:F0} ms after the connector was made (the first seen at {arrived[0].TotalMilliseconds:F0} ms)");

        // Acknowledged once committed: not delivered a third time.
        await connector.CommitAsync(got[1].Position, CancellationToken.None);
        await Task.Delay(ackWait + TimeSpan.FromSeconds(1)); // a real wait: for a third delivery that must not come
        Assert.Equal(2, CountOf(got));
        await stop.CancelAsync();
        await reading;
    }

    [Fact]
    public async Task AProcessThatDiesWithoutAcknowledging_LeavesItsMessagesToTheOthersOfTheDurable()
    {
        await using var streams = new Streams(_server);
        await streams.PublishAsync(SomeMessage.Batch(1, 5));
        var first = Connector(ackWait: TimeSpan.FromSeconds(1));
        var lost = new List<Delivery>();
        using (var stop = new CancellationTokenSource())
        {
            var reading = ReadInto(first, lost, stop.Token);
            await Eventually.TrueAsync(() => CountOf(lost) == 5, "five deliveries to the first");
            await stop.CancelAsync();
            await reading;
            await first.DisposeAsync(); // gone without acknowledging
        }
        await using var second = Connector(ackWait: TimeSpan.FromSeconds(1));
        var got = new List<Delivery>();
        using var stop2 = new CancellationTokenSource();
        var reading2 = ReadInto(second, got, stop2.Token);
        await Eventually.TrueAsync(() => CountOf(got) >= 5, "the five again, to the second", TimeSpan.FromSeconds(10));
        Assert.Equal(SomeMessage.Batch(1, 5).Select(m => m.Key).Order(), got.Select(d => d.Message!.Key).Distinct().Order());
        await stop2.CancelAsync();
        await reading2;
    }

    [Fact]
    public async Task TwoProcessesOnOneDurable_ShareItsMessages()
    {
        await using var streams = new Streams(_server);
        await streams.PublishAsync([]); // the stream, empty
        await using var a = Connector();
        await using var b = Connector();
        var gotA = new List<Delivery>();
        var gotB = new List<Delivery>();
        using var stop = new CancellationTokenSource();
        var readingA = ReadInto(a, gotA, stop.Token);
        var readingB = ReadInto(b, gotB, stop.Token);
        await Eventually.TrueAsync(() => a.Status.State == ConnectionState.Ready && b.Status.State == ConnectionState.Ready, "both ready", TimeSpan.FromSeconds(20));
        await streams.PublishAsync(SomeMessage.Batch(1, 400));

        await Eventually.TrueAsync(() => CountOf(gotA) + CountOf(gotB) == 400, "400 deliveries over both", TimeSpan.FromSeconds(20));
        Assert.True(CountOf(gotA) > 0 && CountOf(gotB) > 0, $"one process got them all: {CountOf(gotA)} and {CountOf(gotB)}");
        var keys = gotA.Concat(gotB).Select(d => d.Message!.Key).ToList();
        Assert.Equal(400, keys.Distinct().Count());
        await stop.CancelAsync();
        await Task.WhenAll(readingA, readingB);
    }

    [Fact]
    public async Task MaxAckPending_HoldsBackWhatIsNotAcknowledged()
    {
        await using var streams = new Streams(_server);
        await streams.PublishAsync(SomeMessage.Batch(1, 30));
        await using var connector = Connector(maxAckPending: 10);
        var got = new List<Delivery>();
        using var stop = new CancellationTokenSource();
        var reading = ReadInto(connector, got, stop.Token);
        await Eventually.TrueAsync(() => CountOf(got) == 10, "ten deliveries");
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(10, CountOf(got));
        await connector.CommitAsync(got[9].Position, CancellationToken.None);
        await Eventually.TrueAsync(() => CountOf(got) == 20, "ten more once acknowledged");
        await stop.CancelAsync();
        await reading;
    }

    [Fact]
    public async Task AStreamThatDoesNotExistYet_IsWaitedFor_WithOneLine_ThenRead()
    {
        await using var connector = Connector(grace: TimeSpan.FromMilliseconds(300));
        var got = new List<Delivery>();
        using var stop = new CancellationTokenSource();
        var reading = ReadInto(connector, got, stop.Token);
        await Eventually.TrueAsync(() => _logs.Entries.Any(e => e.EventId.Id == 3810), "the line saying it waits");
        Assert.Equal(ConnectionState.Connecting, connector.Status.State);
        Assert.Contains("stream TGWATCH does not exist yet", connector.Status.Reason, StringComparison.Ordinal);
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.False(reading.IsCompleted);

        await using var streams = new Streams(_server);
        await streams.PublishAsync([SomeMessage.New(1)]);
        await Eventually.TrueAsync(() => CountOf(got) == 1, "the record once the stream exists", TimeSpan.FromSeconds(20));
        var down = Assert.Single(_logs.Entries, e => e.EventId.Id == 3810);
        Assert.Equal(LogLevel.Warning, down.Level);
        Assert.Contains("(Network: stream TGWATCH does not exist yet", down.Message, StringComparison.Ordinal); // waited for, not a bug
        Assert.Single(_logs.Entries, e => e.EventId.Id == 3811);
        Assert.Single(_logs.Entries, e => e.EventId.Id == 3812); // the durable was created
        await stop.CancelAsync();
        await reading;
    }

    [Fact]
    public async Task AServerDownAtTheStart_IsWaitedFor_ThenRead()
    {
        await _server.KillAsync();
        await using var connector = Connector(grace: TimeSpan.FromMilliseconds(300));
        var got = new List<Delivery>();
        using var stop = new CancellationTokenSource();
        var reading = ReadInto(connector, got, stop.Token);
        await Eventually.TrueAsync(() => _logs.Entries.Any(e => e.EventId.Id == 3810), "the line saying it waits");
        Assert.Contains("cannot be reached", connector.Status.Reason, StringComparison.Ordinal);
        await _server.StartAsync();
        await using var streams = new Streams(_server);
        await streams.PublishAsync([SomeMessage.New(1)]);
        await Eventually.TrueAsync(() => CountOf(got) == 1, "the record once the server is up", TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await reading;
    }

    [Fact]
    public async Task APipelineOverTheConnector_WritesEachRecordOnce_AndAcknowledgesAll_ThroughAServerRestart()
    {
        await using var streams = new Streams(_server);
        var records = SomeMessage.Batch(1, 300);
        await streams.PublishAsync(records[..150]);
        await using var connector = Connector(ackWait: TimeSpan.FromSeconds(2), grace: TimeSpan.FromMilliseconds(200));
        var sink = new CollectingSink();
        var store = new InMemoryStateStore();
        var pipeline = new MessagePipeline(connector, [sink], store, new PipelineOptions());
        using var stop = new CancellationTokenSource();
        var running = pipeline.RunAsync(stop.Token);
        await Eventually.TrueAsync(() => sink.Keys.Distinct().Count() == 150, "the first half written", TimeSpan.FromSeconds(20), running);

        await _server.KillAsync();
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        await _server.StartAsync();
        await using var again = new Streams(_server);
        await again.PublishAsync(records[150..]);

        await Eventually.TrueAsync(() => sink.Keys.Distinct().Count() == 300, "all written", TimeSpan.FromSeconds(30), running);
        await Eventually.TrueAsync(async () => await AckPendingAsync(again) == 0 && (await again.Js.GetConsumerAsync("TGWATCH", "sinks")).Info.NumPending == 0,
            "all acknowledged", TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await running;
        Assert.Equal(records.Select(r => r.Key).Order(StringComparer.Ordinal), sink.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task AMessageThatIsNoRecord_IsSaidOnce_AndAcknowledgedWithoutBeingWritten()
    {
        await using var streams = new Streams(_server);
        await streams.PublishAsync([SomeMessage.New(1)]);
        await streams.Js.PublishAsync("tgwatch.x.1", "not json"u8.ToArray());
        await streams.Js.PublishAsync("tgwatch.x.1", "{}"u8.ToArray());
        await using var connector = Connector();
        var got = new List<Delivery>();
        using var stop = new CancellationTokenSource();
        var reading = ReadInto(connector, got, stop.Token);
        await Eventually.TrueAsync(() => CountOf(got) == 3, "three deliveries");
        Assert.NotNull(got[0].Message);
        Assert.Null(got[1].Message);
        Assert.Null(got[2].Message);
        Assert.Single(_logs.Entries, e => e.EventId.Id == 3813);
        await connector.CommitAsync(got[2].Position, CancellationToken.None);
        await Eventually.TrueAsync(async () => await AckPendingAsync(streams) == 0, "all acknowledged");
        await stop.CancelAsync();
        await reading;
    }

    [Fact]
    public async Task AMissingStream_IsSaidOnlyOnceTheGraceIsOver_AndTriedAgainOnTheBackoff_OnTheConnectorsClock()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        Assert.True(NatsServerAddress.TryParse(_server.Url, out var address, out _));
        await using var connector = new JetStreamConnector(new JetStreamConnectorOptions
        {
            Address = address!, Durable = "sinks", Grace = TimeSpan.FromSeconds(5), MinBackoff = TimeSpan.FromSeconds(1), MaxBackoff = TimeSpan.FromSeconds(8),
        }, new LoggerFactory([_logs]).CreateLogger<JetStreamConnector>(), clock, randomizer: () => 0);
        var got = new List<Delivery>();
        using var stop = new CancellationTokenSource();
        var reading = ReadInto(connector, got, stop.Token);
        await Eventually.TrueAsync(() => connector.Status.Reason?.Contains("does not exist yet", StringComparison.Ordinal) == true, "the missing stream seen");
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        Assert.DoesNotContain(_logs.Entries, e => e.EventId.Id == 3810);

        var moved = await Eventually.OnClockAsync(clock, TimeSpan.FromMilliseconds(250), () => _logs.Entries.Any(e => e.EventId.Id == 3810), "the line, once the grace is over", TimeSpan.FromSeconds(10));
        Assert.InRange(moved, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(6));

        await using var streams = new Streams(_server);
        await streams.PublishAsync([SomeMessage.New(1)]);
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        Assert.Empty(got); // the next attempt waits for its backoff on the clock
        await Eventually.OnClockAsync(clock, TimeSpan.FromMilliseconds(500), () => CountOf(got) == 1, "the record, on the next attempt", TimeSpan.FromSeconds(30));
        Assert.Single(_logs.Entries, e => e.EventId.Id == 3810);
        Assert.Single(_logs.Entries, e => e.EventId.Id == 3811);
        await stop.CancelAsync();
        await reading;
    }
}
