using System.Diagnostics.Metrics;
using Tgwatch.Cli.Run;

namespace Tgwatch.Cli.Http;

/// <summary>
/// The lags of the latest <see cref="Capacity"/> messages committed (from the pipeline's lag histogram), for the live answers:
/// their median, 99th percentile and maximum.
/// </summary>
internal sealed class RecentLags : IDisposable
{
    /// <summary>How many of the latest lags are kept.</summary>
    public const int Capacity = 1024;

    private readonly MeterListener _listener;
    private readonly Lock _sync = new();
    private readonly double[] _lags = new double[Capacity];
    private long _seen;

    /// <summary>Lag figures: nearest-rank percentiles of <paramref name="Count"/> lags, in seconds.</summary>
    public readonly record struct Figures(double P50, double P99, double Max, int Count);

    public RecentLags(Histogram<double> lag)
    {
        _listener = HistogramListener.Start(lag, Add);
    }

    /// <summary>The figures of the lags kept; null before the first commit.</summary>
    public Figures? Now()
    {
        double[] lags;
        lock (_sync)
        {
            lags = _lags.AsSpan(0, (int)Math.Min(_seen, Capacity)).ToArray();
        }
        if (lags.Length == 0) return null;
        Array.Sort(lags);
        return new Figures(HeartbeatLine.Percentile(lags, 0.50), HeartbeatLine.Percentile(lags, 0.99), lags[^1], lags.Length);
    }

    private void Add(double lag)
    {
        lock (_sync)
        {
            _lags[_seen++ % Capacity] = lag;
        }
    }

    public void Dispose() => _listener.Dispose();
}
