namespace Tgwatch.Bench.Peers;

/// <summary>Everything measured of one peer in a run: a value per round, and the idle figures.</summary>
internal sealed class PeerResults(Peer peer)
{
    public Peer Peer { get; } = peer;

    public List<double> StartSeconds { get; } = [];

    /// <summary>Each round's live latencies in ms, in the order sent (the first is the first message after the start).</summary>
    public List<IReadOnlyList<double>> Live { get; } = [];

    public List<DrainFigures> Drains { get; } = [];

    public List<KillFigures> Kills { get; } = [];

    public IdleFigures? Idle { get; set; }

    public double DrainRate => Stats.Median(Drains.Select(d => d.Rate));

    public double CpuMicrosecondsPerMessage => Stats.Median(Drains.Select(d => d.CpuPerMessage.TotalMicroseconds));

    public double DrainCpuSeconds => Stats.Median(Drains.Select(d => d.Cpu.TotalSeconds));

    public double PeakRssMiB => Stats.Median(Drains.Select(d => d.PeakRss / 1048576.0));

    public double LiveP50 => Stats.Median(Live.Select(l => Stats.Percentile(l, 50)));

    public double LiveP99 => Stats.Median(Live.Select(l => Stats.Percentile(l, 99)));

    public double LiveMax => Live.Count == 0 ? double.NaN : Live.Max(l => l.Max());

    public double FirstLive => Stats.Median(Live.Select(l => l[0]));

    public double FirstRecordSeconds => Stats.Median(StartSeconds);

    public double IdleCpuPerMinute => Idle?.CpuSecondsPerMinute ?? double.NaN;

    public double IdleWakeupsPerSecond => Idle?.WakeupsPerSecond ?? double.NaN;

    public double IdleRssMiB => Idle is null ? double.NaN : Idle.Rss / 1048576.0;
}
