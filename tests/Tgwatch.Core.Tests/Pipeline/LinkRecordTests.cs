using Microsoft.Extensions.Time.Testing;
using Tgwatch.Connectors;
using Tgwatch.Messages;
using Tgwatch.Pipeline;
using Tgwatch.Storage;
using Tgwatch.TestKit;

namespace Tgwatch.Core.Tests.Pipeline;

/// <summary>The run keeps its connector's link state in the state store, for <c>tgwatch status</c> in another process.</summary>
public sealed class LinkRecordTests
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(10);

    /// <summary>A live run over five messages, renewing its link record every <paramref name="interval"/> of <paramref name="time"/>.</summary>
    private static (PipelineOptions Options, InMemoryStateStore Store, ScriptedConnector Connector, CancellationTokenSource Stop, Task Run) Start(TimeSpan interval, TimeProvider time)
    {
        var options = PipelineFixture.FastOptions();
        options.LinkReportInterval = interval;
        var store = new InMemoryStateStore();
        var connector = ScriptedConnector.Of(SomeMessage.Batch(1, 5));
        connector.EndWhenDone = false;
        var pipeline = PipelineFixture.Create(connector, [new CollectingSink()], store, options, time: time);
        var stop = new CancellationTokenSource();
        return (options, store, connector, stop, pipeline.RunAsync(stop.Token));
    }

    [Fact]
    public async Task ARun_RecordsItsLinkAtStart_OnEveryChange_EveryPeriod_AndStoppedAtTheEnd()
    {
        var time = new FakeTimeProvider(SomeMessage.Date);
        var (options, store, connector, stop, run) = Start(TimeSpan.FromMilliseconds(100), time);

        await Eventually.OnClockAsync(time, Step, () => store.LinkRecords.Count >= 3, "the record at the start and two renewals", TimeSpan.FromMinutes(1));
        var down = new ConnectionStatus(ConnectionState.Connecting, "connection refused", DateTimeOffset.UtcNow);
        connector.SetStatus(down);
        await Eventually.OnClockAsync(time, Step, () => store.LinkRecords.Any(l => l.State == ConnectionState.Connecting), "the change recorded", TimeSpan.FromMinutes(1));
        var renewed = store.LinkRecords.Count;
        await Eventually.OnClockAsync(time, Step, () => store.LinkRecords.Count >= renewed + 2, "two renewals after the change", TimeSpan.FromMinutes(1));
        stop.Cancel();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
        stop.Dispose();

        var records = store.LinkRecords;
        Assert.All(records, l => Assert.Equal(("bot42", "scripted", options.LinkReportInterval), (l.Account, l.Connector, l.ReportEvery)));
        Assert.Equal((ConnectionState.Ready, (string?)null, DateTimeOffset.UnixEpoch), (records[0].State, records[0].Reason, records[0].Since));
        var firstDown = records.First(l => l.State == ConnectionState.Connecting);
        Assert.Equal(("connection refused", down.Since), (firstDown.Reason, firstDown.Since));
        // Renewals between changes say the same thing, each at a later time.
        Assert.True(records.Zip(records.Skip(1)).All(p => p.Second.ReportedAt >= p.First.ReportedAt));
        Assert.True(records.Count(l => l.State == ConnectionState.Ready) >= 3);
        var last = records[^1];
        Assert.Equal((ConnectionState.Disconnected, "stopped", true), (last.State, last.Reason, last.Ended));
        Assert.All(records.SkipLast(1), l => Assert.False(l.Ended));
        var shown = Assert.Single((await store.GetStatusAsync(default)).Links);
        Assert.Equal(last, shown);
        Assert.False(shown.IsStale(DateTimeOffset.UtcNow + TimeSpan.FromDays(1)));
    }

    [Fact]
    public async Task ABurstOfChanges_IsRecordedAsItsLatestState_WithoutHoldingUpTheConnector()
    {
        var time = new FakeTimeProvider(SomeMessage.Date);
        var (_, store, connector, stop, run) = Start(TimeSpan.FromMinutes(10), time);
        await Eventually.TrueAsync(() => store.LinkRecords.Count >= 1, "the record at the start");

        for (var i = 0; i < 10_000; i++) connector.SetStatus(new ConnectionStatus(ConnectionState.Connecting, $"attempt {i}", DateTimeOffset.UtcNow));
        connector.SetStatus(new ConnectionStatus(ConnectionState.Ready, null, DateTimeOffset.UtcNow));
        await Eventually.OnClockAsync(time, TimeSpan.FromMilliseconds(100), () => store.LinkRecords[^1].State == ConnectionState.Ready && store.LinkRecords.Count > 1,
            "the burst's latest state recorded", TimeSpan.FromMinutes(1));
        stop.Cancel();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
        stop.Dispose();

        // A change only wakes the recorder, which writes the state as it is then, at most once a second.
        Assert.InRange(store.LinkRecords.Count, 3, 10);
    }

    [Fact]
    public async Task AStoreThatCannotRecordTheLink_HoldsUpNoMessage_AndTheStopStillReturns()
    {
        var options = PipelineFixture.FastOptions();
        options.LinkReportInterval = TimeSpan.FromMilliseconds(20);
        var store = new NoLinkStore();
        var sink = new CollectingSink();
        var connector = ScriptedConnector.Of(SomeMessage.Batch(1, 200));
        connector.EndWhenDone = false;
        var pipeline = new MessagePipeline(connector, [sink], store, options);
        using var stop = new CancellationTokenSource();
        var run = pipeline.RunAsync(stop.Token);

        await Eventually.TrueAsync(() => sink.Keys.Count == 200 && connector.Committed.GetValueOrDefault("updates") == 200, "all 200 written and committed");
        stop.Cancel();
        await run.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(store.Attempts > 1);
        Assert.Empty((await store.GetStatusAsync(default)).Links);
    }

    [Theory]
    [InlineData(ConnectionState.Ready, false, 89, false)]
    [InlineData(ConnectionState.Ready, false, 91, true)]
    [InlineData(ConnectionState.Connecting, false, 91, true)]
    [InlineData(ConnectionState.Disconnected, false, 91, true)] // a live run's connector may be disconnected (a file read to its end)
    [InlineData(ConnectionState.Disconnected, true, 100_000, false)]
    public void ARecordNotRenewedForThreePeriods_IsStale_UnlessItsRunRecordedItsEnd(ConnectionState state, bool ended, int secondsSinceReport, bool stale)
    {
        var at = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
        var link = new LinkRecord("bot1", "botapi", state, null, at, at, TimeSpan.FromSeconds(30), ended);
        Assert.Equal(stale, link.IsStale(at + TimeSpan.FromSeconds(secondsSinceReport)));
    }

    [Fact]
    public async Task ARunEndedByAFailure_RecordsThatFailure_NotAPlainStop()
    {
        var store = new InMemoryStateStore();
        var connector = new FailingConnector();
        var pipeline = PipelineFixture.Create(connector, [new CollectingSink()], store);

        await Assert.ThrowsAsync<IOException>(() => pipeline.RunToEndAsync());

        var last = store.LinkRecords[^1];
        Assert.Equal((ConnectionState.Disconnected, "stopped by a failure (Bug: IOException)", true), (last.State, last.Reason, last.Ended));
    }

    [Fact]
    public void AReportIntervalOfMoreThanADay_IsRefusedWithOneLine()
    {
        var options = new PipelineOptions { LinkReportInterval = TimeSpan.FromDays(2) };
        var e = Assert.Throws<ArgumentException>(() => options.Validate());
        Assert.Equal("PipelineOptions.LinkReportInterval: at most a day (1.00:00:00)", e.Message);
    }

    private sealed class FailingConnector : IConnector
    {
        public string Name => "failing";
        public string Account => "bot1";
        public ConnectionStatus Status { get; } = new(ConnectionState.Ready, null, DateTimeOffset.UnixEpoch);
        public event Action<ConnectionStatus>? StatusChanged { add { } remove { } }
#pragma warning disable CS1998 // the stream fails at once
        public async IAsyncEnumerable<Delivery> ReadAsync(IReadOnlyDictionary<string, long> committed, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
        {
            throw new IOException("disk I/O error");
#pragma warning disable CS0162
            yield break;
#pragma warning restore CS0162
        }
#pragma warning restore CS1998
        public ValueTask CommitAsync(Checkpoint upTo, CancellationToken ct) => ValueTask.CompletedTask;
        public ValueTask<ReplyResult> ResolveReplyAsync(MessageRef reply, CancellationToken ct) => throw new NotSupportedException();
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class NoLinkStore() : DelegatingStateStore(new InMemoryStateStore())
    {
        private int _attempts;

        public int Attempts => Volatile.Read(ref _attempts);

        public override ValueTask RecordLinkAsync(LinkRecord link, CancellationToken ct)
        {
            Interlocked.Increment(ref _attempts);
            throw new IOException("disk I/O error");
        }
    }
}
