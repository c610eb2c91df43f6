using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Microsoft.Extensions.Logging.Abstractions;
using Tgwatch.Cli.Run;
using Tgwatch.Connectors;
using Tgwatch.Pipeline;

namespace Tgwatch.Bench;

/// <summary>
/// What metrics cost on the pipeline's hot path, per call: a stats counter incremented as the pipeline does it (the
/// observable counters of <c>/metrics</c> read those at the scrape); and a record into the timings' histograms with
/// OpenTelemetry listening (the run's HTTP endpoint in this process, <see cref="MetricsEndpoint"/>), the lag with the
/// heartbeat line listening too, and with nothing listening.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ShortInProcess))]
public class MetricsBenchmarks
{
    private readonly PipelineStats _stats = new();
    private readonly string _sink = "sqlite:…/messages.db";
    private MetricsEndpoint _endpoint = null!;
    private MetricsEndpoint _endpointWithHeartbeat = null!;
    private Meter _ownMeter = null!;
    private Meter _unlistenedMeter = null!;
    private PipelineTimings _otel = null!;
    private PipelineTimings _otelAndHeartbeat = null!;
    private PipelineTimings _heartbeatOnly = null!;
    private PipelineTimings _unlistened = null!;
    private HeartbeatLine _heartbeat = null!;
    private HeartbeatLine _heartbeatWithOtel = null!;

    /// <summary>ShortRun in this process (no project generated and built for it): a couple of minutes for the lot.</summary>
    private sealed class ShortInProcess : ManualConfig
    {
        public ShortInProcess() => AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance));
    }

    [GlobalSetup]
    public void Setup()
    {
        _endpoint = MetricsEndpoint.StartAsync().GetAwaiter().GetResult();
        _otel = new PipelineTimings(_endpoint.Meter);
        _endpointWithHeartbeat = MetricsEndpoint.StartAsync().GetAwaiter().GetResult();
        _otelAndHeartbeat = new PipelineTimings(_endpointWithHeartbeat.Meter);
        _heartbeatWithOtel = Heartbeat(_otelAndHeartbeat.Lag);
        // Without --http: a meter of the run's own, the heartbeat line its only listener.
        _ownMeter = new Meter("Tgwatch");
        _heartbeatOnly = new PipelineTimings(_ownMeter);
        _heartbeat = Heartbeat(_heartbeatOnly.Lag);
        _unlistenedMeter = new Meter("Tgwatch");
        _unlistened = new PipelineTimings(_unlistenedMeter);
        // Past the samples an interval keeps: each lag now goes through the reservoir's draw, as in a busy interval.
        for (var i = 0; i < HeartbeatLine.Samples; i++)
        {
            _otelAndHeartbeat.Lag.Record(0.4);
            _heartbeatOnly.Lag.Record(0.4);
        }
    }

    private static HeartbeatLine Heartbeat(Histogram<double> lag) => new(HeartbeatLine.Default, lag, 1,
        () => new HeartbeatFigures(0, new ConnectionStatus(ConnectionState.Ready, null, DateTimeOffset.UnixEpoch), 0), NullLogger.Instance, TimeProvider.System);

    [GlobalCleanup]
    public void Cleanup()
    {
        _heartbeat.Dispose();
        _heartbeatWithOtel.Dispose();
        _ownMeter.Dispose();
        _unlistenedMeter.Dispose();
        _endpoint.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _endpointWithHeartbeat.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>A delivery counted, as the pipeline counts it (<c>Interlocked.Increment(ref Stats.received)</c>).</summary>
    [Benchmark(Baseline = true)]
    public long CounterIncrement() => Interlocked.Increment(ref _stats.received);

    /// <summary>A sink write timed, with its <c>sink</c> tag, OpenTelemetry listening.</summary>
    [Benchmark]
    public void SinkWriteRecord_OpenTelemetry() => _otel.SinkWrite.Record(0.004, new KeyValuePair<string, object?>("sink", _sink));

    /// <summary>A sink write timed with its tag, nothing listening (the pipeline does not even ask for the time then).</summary>
    [Benchmark]
    public void SinkWriteRecord_NoListener() => _unlistened.SinkWrite.Record(0.004, new KeyValuePair<string, object?>("sink", _sink));

    /// <summary>A message's lag, OpenTelemetry listening.</summary>
    [Benchmark]
    public void LagRecord_OpenTelemetry() => _otel.Lag.Record(0.4);

    /// <summary>A message's lag, the heartbeat line listening (<c>tgwatch run</c>).</summary>
    [Benchmark]
    public void LagRecord_Heartbeat() => _heartbeatOnly.Lag.Record(0.4);

    /// <summary>A message's lag, OpenTelemetry and the heartbeat line listening (<c>tgwatch run --http</c>).</summary>
    [Benchmark]
    public void LagRecord_OpenTelemetryAndHeartbeat() => _otelAndHeartbeat.Lag.Record(0.4);
}
