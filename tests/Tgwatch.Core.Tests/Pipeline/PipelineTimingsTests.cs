using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Tgwatch.Pipeline;
using Tgwatch.TestKit;

namespace Tgwatch.Core.Tests.Pipeline;

/// <summary>The pipeline's timings as a listener of its meter sees them: lag to the commit, each sink write, each handler call.</summary>
public sealed class PipelineTimingsTests : IDisposable
{
    private readonly Meter _meter = new("Tgwatch.Tests." + Guid.NewGuid().ToString("N"));
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Name, double Value, string? Sink)> _seen = new();

    public PipelineTimingsTests()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, _meter)) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            string? sink = null;
            foreach (var tag in tags) if (tag.Key == "sink") sink = tag.Value as string;
            _seen.Enqueue((instrument.Name, value, sink));
        });
        _listener.Start();
    }

    public void Dispose()
    {
        _listener.Dispose();
        _meter.Dispose();
    }

    [Fact]
    public async Task EachMessageWritten_HasItsLag_FromItsDateOrEditDate_ToTheCommit()
    {
        var now = DateTimeOffset.UtcNow;
        var old = SomeMessage.New(1) with { Date = now.AddHours(-1) };
        var edited = SomeMessage.Edit(2) with { Date = now.AddDays(-1), EditDate = now.AddMinutes(-10) };
        var sink = new CollectingSink();
        var handled = 0;
        var pipeline = new MessagePipeline(ScriptedConnector.Of([old, edited]), [sink], new InMemoryStateStore(), PipelineFixture.FastOptions(),
            handlers: [new DelegateHandler("count", (_, _) => { Interlocked.Increment(ref handled); return ValueTask.CompletedTask; })])
        {
            Timings = new PipelineTimings(_meter),
        };
        await pipeline.RunToEndAsync();

        var lags = _seen.Where(s => s.Name == PipelineTimings.LagName).Select(s => s.Value).Order().ToArray();
        Assert.Equal(2, lags.Length);
        Assert.InRange(lags[0], 600, 660);   // the edit: from its edit date, not from the message's date a day ago
        Assert.InRange(lags[1], 3600, 3660);
        var writes = _seen.Where(s => s.Name == PipelineTimings.SinkWriteName).ToArray();
        Assert.NotEmpty(writes);
        Assert.All(writes, w => Assert.Equal(sink.Name, w.Sink));
        Assert.Equal(2, _seen.Count(s => s.Name == PipelineTimings.HandlerName));
        Assert.Equal(2, handled);
    }

    [Fact]
    public async Task APipelineWithoutTimings_RecordsNothing()
    {
        _ = new PipelineTimings(_meter); // made, and listened to, but not given to the pipeline
        var pipeline = new MessagePipeline(ScriptedConnector.Of([SomeMessage.New(1)]), [new CollectingSink()], new InMemoryStateStore(), PipelineFixture.FastOptions());
        await pipeline.RunToEndAsync();
        Assert.Null(pipeline.Timings);
        Assert.Empty(_seen);
    }
}
