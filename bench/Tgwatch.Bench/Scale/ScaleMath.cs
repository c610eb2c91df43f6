using System.Globalization;
using Tgwatch.Bench.Peers;

namespace Tgwatch.Bench.Scale;

/// <summary>What the scale benchmarks compute from what they measured: options, rates, ratios, medians.</summary>
internal static class ScaleMath
{
    /// <summary>The integer after <paramref name="name"/> in <paramref name="args"/>, or <paramref name="fallback"/>.</summary>
    /// <exception cref="ArgumentException">The option has no value, or a value that is not a positive integer.</exception>
    public static int Option(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        if (i < 0) return fallback;
        if (i + 1 >= args.Length || !int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value <= 0)
            throw new ArgumentException($"{name} needs a positive integer");
        return value;
    }

    /// <summary>Messages per second.</summary>
    public static double Rate(int messages, TimeSpan elapsed) => elapsed > TimeSpan.Zero ? messages / elapsed.TotalSeconds : double.NaN;

    /// <summary>
    /// The candidate's throughput as a percentage of the baseline's over the same work: the best run against the best run, and
    /// the median against the median (a burst of load elsewhere slows single runs, not both figures alike).
    /// </summary>
    public static (double Best, double Median) Ratio(IReadOnlyCollection<TimeSpan> baseline, IReadOnlyCollection<TimeSpan> candidate)
    {
        if (baseline.Count == 0 || candidate.Count == 0) return (double.NaN, double.NaN);
        return (baseline.Min() / candidate.Min() * 100, Median(baseline) / Median(candidate) * 100);
    }

    /// <summary>
    /// The median over the rounds of each round's ratio (baseline time over candidate time, in %): each pair ran back to back,
    /// so a burst of load elsewhere moves one pair, not the figure.
    /// </summary>
    /// <exception cref="ArgumentException">The two have not as many runs.</exception>
    public static double PairedRatio(IReadOnlyList<TimeSpan> baseline, IReadOnlyList<TimeSpan> candidate)
    {
        if (baseline.Count != candidate.Count) throw new ArgumentException("one run of each per round");
        return Stats.Median(baseline.Zip(candidate, (b, c) => b / c * 100));
    }

    /// <summary>The median of durations (the mean of the two middle ones for an even count).</summary>
    public static TimeSpan Median(IEnumerable<TimeSpan> values) => TimeSpan.FromTicks((long)Stats.Median(values.Select(v => (double)v.Ticks)));

    /// <summary>A percentage as the tables show it, with whether it meets <paramref name="goal"/>.</summary>
    public static string Percent(double value, double goal) =>
        $"{value.ToString("F0", CultureInfo.InvariantCulture)} % ({(value >= goal ? "goal met" : "goal MISSED")}: >= {goal.ToString("F0", CultureInfo.InvariantCulture)} %)";

    /// <summary>Messages per second as the tables show it.</summary>
    public static string Rate(double perSecond) => perSecond.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>The median of the runs' CPU times per record, in microseconds, as the tables show it.</summary>
    public static string CpuPer(IEnumerable<TimeSpan> cpu, int records) =>
        (Median(cpu).TotalMicroseconds / records).ToString("F1", CultureInfo.InvariantCulture);
}
