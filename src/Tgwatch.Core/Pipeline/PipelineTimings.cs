using System.Diagnostics.Metrics;

namespace Tgwatch.Pipeline;

/// <summary>
/// The timings of a pipeline, as histograms of a <see cref="Meter"/> (ARCHITECTURE §5), in seconds: the lag of each
/// message written (its date, or its edit date, to the commit of every sink), each write of a batch to a sink (tagged
/// with the sink's name), each handler call. A histogram no listener takes costs nothing to record into; the metrics
/// endpoint and the heartbeat line listen.
/// </summary>
public sealed class PipelineTimings
{
    /// <summary>The lag histogram's name (<c>tgwatch_pipeline_lag_seconds</c> in Prometheus).</summary>
    public const string LagName = "tgwatch.pipeline.lag";

    /// <summary>The sink write histogram's name (<c>tgwatch_sink_write_seconds{sink}</c>).</summary>
    public const string SinkWriteName = "tgwatch.sink.write";

    /// <summary>The handler histogram's name (<c>tgwatch_handler_seconds</c>).</summary>
    public const string HandlerName = "tgwatch.handler";

    /// <summary>The upper bounds of the histograms' buckets, in seconds: from a millisecond to a minute.</summary>
    public static IReadOnlyList<double> Buckets { get; } = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    /// <summary>The histograms, made on <paramref name="meter"/>.</summary>
    public PipelineTimings(Meter meter)
    {
        ArgumentNullException.ThrowIfNull(meter);
        var advice = new InstrumentAdvice<double> { HistogramBucketBoundaries = Buckets };
        Lag = meter.CreateHistogram(LagName, "s", "From a message's date (or edit date) to the commit of every sink", tags: null, advice);
        SinkWrite = meter.CreateHistogram(SinkWriteName, "s", "One write of a batch to a sink, retries included", tags: null, advice);
        Handler = meter.CreateHistogram(HandlerName, "s", "One handler call on a message, retries included", tags: null, advice);
    }

    /// <summary>From a message's date (or edit date) to the commit of every sink.</summary>
    public Histogram<double> Lag { get; }

    /// <summary>One write of a batch to a sink (tag <c>sink</c>), retries included.</summary>
    public Histogram<double> SinkWrite { get; }

    /// <summary>One handler call on a message, retries included.</summary>
    public Histogram<double> Handler { get; }
}
