using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Tgwatch.Connectors;
using Tgwatch.Pipeline;

namespace Tgwatch.Cli.Run;

/// <summary>What the heartbeat line tells, read when it is written.</summary>
/// <param name="Written">Messages written to every sink since the run began.</param>
/// <param name="Link">The connector's link now.</param>
/// <param name="DeadLetters">Dead letters since the run began (the pipeline's and the webhooks').</param>
internal readonly record struct HeartbeatFigures(long Written, ConnectionStatus Link, long DeadLetters);

/// <summary>
/// The one line every <c>--heartbeat</c> (15 minutes by default) that says a run works:
/// <c>up 3h02m; 1,234 messages in the last 15m (written to 2 sinks), lag p50 0.4s p99 2.1s; link up; 0 dead letters</c>.
/// The lag percentiles are those of the messages committed in the interval, taken from the pipeline's lag histogram
/// (<see cref="PipelineTimings.Lag"/>); beyond <see cref="Samples"/> messages, from a uniform sample of them.
/// </summary>
internal sealed class HeartbeatLine : IDisposable
{
    /// <summary>The interval when none is set.</summary>
    public static readonly TimeSpan Default = TimeSpan.FromMinutes(15);

    /// <summary>The interval of <paramref name="text"/> (the default when it is null or blank, zero for <c>0</c>: no line), or the reason it is not one.</summary>
    public static (TimeSpan Value, string? Error) Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return (Default, null);
        if (text.Trim() == "0") return (TimeSpan.Zero, null);
        if (!Hosting.SettingDuration.TryParse(text, out var value))
            return (Default, $"expected a duration such as 15m or 1h, or 0 for no heartbeat line, not '{text}'");
        if (value < TimeSpan.FromSeconds(1) || value > TimeSpan.FromDays(1))
            return (Default, $"must be between 1s and a day (or 0 for no heartbeat line), not '{text}'");
        return (value, null);
    }

    /// <summary>How many lags an interval keeps at most for its percentiles.</summary>
    public const int Samples = 4096;

    private readonly Func<HeartbeatFigures> _figures;
    private readonly int _sinks;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly TimeSpan _every;
    private readonly long _started;
    private readonly MeterListener _listener;
    private readonly Lock _sync = new();
    private readonly Reservoir _lags = new(Samples, new Random(20261205));
    private readonly ITimer _timer;
    private long _writtenBefore;

    public HeartbeatLine(TimeSpan every, Histogram<double> lag, int sinks, Func<HeartbeatFigures> figures, ILogger logger, TimeProvider time)
    {
        _every = every;
        _sinks = sinks;
        _figures = figures;
        _logger = logger;
        _time = time;
        _started = time.GetTimestamp();
        _listener = HistogramListener.Start(lag, Add);
        _timer = time.CreateTimer(static s => ((HeartbeatLine)s!).Beat(), this, every, every);
    }

    /// <summary>Writes the line now (the timer does it every interval).</summary>
    internal void Beat()
    {
        var figures = _figures();
        double[] lags;
        lock (_sync) lags = _lags.Take();
        var written = figures.Written - _writtenBefore;
        _writtenBefore = figures.Written;
        RunLog.Heartbeat(_logger, Line(Duration.Format(_time.GetElapsedTime(_started)), written, Interval(_every), _sinks, lags, figures.Link, figures.DeadLetters));
    }

    internal static string Line(string up, long written, string every, int sinks, double[] lags, ConnectionStatus link, long deadLetters)
    {
        var messages = string.Create(CultureInfo.InvariantCulture, $"{written:N0} {(written == 1 ? "message" : "messages")} in the last {every} (written to {sinks} {(sinks == 1 ? "sink" : "sinks")})");
        var lag = lags.Length == 0 ? "" : $", lag p50 {Seconds(Percentile(lags, 0.50))} p99 {Seconds(Percentile(lags, 0.99))}";
        var state = link.State switch
        {
            ConnectionState.Ready => "link up",
            ConnectionState.Connecting => LinkLine.DownSince(link),
            _ => "link stopped",
        };
        return string.Create(CultureInfo.InvariantCulture, $"up {up}; {messages}{lag}; {state}; {deadLetters:N0} dead {(deadLetters == 1 ? "letter" : "letters")}");
    }

    /// <summary>The nearest-rank percentile <paramref name="q"/> of the lags (sorted here when they are not).</summary>
    internal static double Percentile(double[] lags, double q)
    {
        Array.Sort(lags);
        var rank = (int)Math.Ceiling(q * lags.Length);
        return lags[Math.Clamp(rank - 1, 0, lags.Length - 1)];
    }

    // 15m, 1h, 90s: the interval as it is usually written.
    internal static string Interval(TimeSpan every) =>
        every.Ticks % TimeSpan.TicksPerHour == 0 ? $"{(long)every.TotalHours}h"
        : every.Ticks % TimeSpan.TicksPerMinute == 0 ? $"{(long)every.TotalMinutes}m"
        : Duration.Format(every);

    private static string Seconds(double seconds) => Duration.Format(TimeSpan.FromSeconds(seconds));

    // Every lag of the interval has the same chance to be among those kept.
    private void Add(double lag)
    {
        lock (_sync) _lags.Add(lag);
    }

    public void Dispose()
    {
        _timer.Dispose();
        _listener.Dispose();
    }
}
