using System.Globalization;

namespace Tgwatch.Bench.Peers;

/// <summary>The peers table (Markdown, to paste into the README) with the ratios of tgwatch to each peer, and issue 17's goals.</summary>
internal static class PeersReport
{
    private sealed record Row(string Name, Func<PeerResults, double> Value, string Format);

    private static readonly Row[] Rows =
    [
        new("backlog drain, msg/s (first record to last)", r => r.DrainRate, "N0"),
        new("CPU per message in the drain, µs", r => r.CpuMicrosecondsPerMessage, "N0"),
        new("CPU from start to the last record, s", r => r.DrainCpuSeconds, "F2"),
        new("live latency p50, ms", r => r.LiveP50, "F1"),
        new("live latency p99, ms", r => r.LiveP99, "F1"),
        new("live latency max, ms (all rounds)", r => r.LiveMax, "F1"),
        new("first live message after start, ms", r => r.FirstLive, "F1"),
        new("first record after start, s", r => r.FirstRecordSeconds, "F2"),
        new("idle CPU-s per minute, after the first", r => r.IdleCpuPerMinute, "F3"),
        new("idle thread wake-ups per second (context switches)", r => r.IdleWakeupsPerSecond, "F1"),
        new("idle RSS, MiB", r => r.IdleRssMiB, "F0"),
        new("peak RSS in the drain, MiB", r => r.PeakRssMiB, "F0"),
    ];

    public static void Print(IReadOnlyList<PeerResults> results, TextWriter output)
    {
        var us = results.FirstOrDefault(r => r.Peer.Name == Peer.TgwatchName);
        var others = results.Where(r => r != us).ToList();
        var header = new List<string> { "" };
        header.AddRange(results.Select(r => r.Peer.Label));
        if (us is not null) header.AddRange(others.Select(o => $"tgwatch ÷ {o.Peer.Label}"));
        output.WriteLine("| " + string.Join(" | ", header) + " |");
        output.WriteLine("|---" + string.Concat(Enumerable.Repeat("|---:", header.Count - 1)) + "|");
        foreach (var row in Rows)
        {
            var cells = new List<string> { row.Name };
            cells.AddRange(results.Select(r => Format(row.Value(r), row.Format)));
            if (us is not null) cells.AddRange(others.Select(o => Ratio(row.Value(us), row.Value(o))));
            output.WriteLine("| " + string.Join(" | ", cells) + " |");
        }
        foreach (var (name, value) in new (string, Func<KillFigures, int>)[] { ("kill -9 mid-drain: lost, each round", k => k.Lost), ("kill -9 mid-drain: duplicated, each round", k => k.Duplicated) })
        {
            var cells = new List<string> { name };
            cells.AddRange(results.Select(r => string.Join(" / ", r.Kills.Select(value))));
            if (us is not null) cells.AddRange(others.Select(_ => ""));
            output.WriteLine("| " + string.Join(" | ", cells) + " |");
        }
        foreach (var r in results.Where(r => r.Kills.Any(k => k.Corrupt > 0)))
            output.WriteLine($"{r.Peer.Label}: kill -9 left {string.Join(" / ", r.Kills.Select(k => k.Corrupt))} lines that are no record");
        if (us is null) return;
        var plain = others.FirstOrDefault(o => o.Peer.Name == Peer.PlainName);
        output.WriteLine();
        output.WriteLine("issue 17's goals:");
        if (plain is not null)
        {
            Goal(output, "backlog drain >= 1.0x the Telegram.Bot loop's msg/s", Ratio(us.DrainRate, plain.DrainRate), us.DrainRate >= plain.DrainRate);
            Goal(output, "CPU per message <= 1.5x the Telegram.Bot loop's", Ratio(us.CpuMicrosecondsPerMessage, plain.CpuMicrosecondsPerMessage),
                us.CpuMicrosecondsPerMessage <= 1.5 * plain.CpuMicrosecondsPerMessage);
            output.WriteLine($"    round by round (the two drains of each round): drain {RoundRatios(us.Drains, plain.Drains, d => d.Rate)}, CPU per message {RoundRatios(us.Drains, plain.Drains, d => d.CpuPerMessage.TotalMicroseconds)}");
            Goal(output, "live latency p99 (first message included) <= the Telegram.Bot loop's", Ratio(us.LiveP99, plain.LiveP99), us.LiveP99 <= plain.LiveP99);
        }
        Goal(output, "first record <= 0.7 s after start", $"{Format(us.FirstRecordSeconds, "F2")} s", us.FirstRecordSeconds <= 0.7);
        Goal(output, "idle after the first minute <= 0.05 CPU-s per minute", $"{Format(us.IdleCpuPerMinute, "F3")} CPU-s per minute", us.IdleCpuPerMinute <= 0.05);
        Goal(output, "idle RSS <= 64 MiB", $"{Format(us.IdleRssMiB, "F0")} MiB", us.IdleRssMiB <= 64);
        Goal(output, "kill -9 mid-drain: 0 lost, 0 duplicated", $"{us.Kills.Sum(k => k.Lost)} lost, {us.Kills.Sum(k => k.Duplicated)} duplicated",
            us.Kills.All(k => k.Lost == 0 && k.Duplicated == 0));
    }

    /// <summary>
    /// tgwatch's figure over a peer's in each round, and their median: "1.78×, 2.15×, 1.66× (median 1.78×)". A peer's own
    /// figure spreads from round to round as the machine does; each round's ratio compares the two drains of that round.
    /// </summary>
    public static string RoundRatios(IReadOnlyList<DrainFigures> ours, IReadOnlyList<DrainFigures> theirs, Func<DrainFigures, double> value)
    {
        var ratios = ours.Zip(theirs, (o, t) => value(t) == 0 ? double.NaN : value(o) / value(t)).Where(r => !double.IsNaN(r)).ToList();
        if (ratios.Count == 0) return "–";
        return string.Join(", ", ratios.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r:F2}×")))
            + string.Create(CultureInfo.InvariantCulture, $" (median {Stats.Median(ratios):F2}×)");
    }

    /// <summary>tgwatch's figure over a peer's, as "0.41×"; a dash when either is missing or the peer's is 0.</summary>
    public static string Ratio(double ours, double theirs) =>
        double.IsNaN(ours) || double.IsNaN(theirs) || theirs == 0 ? "–" : string.Create(CultureInfo.InvariantCulture, $"{ours / theirs:F2}×");

    private static string Format(double value, string format) =>
        double.IsNaN(value) ? "–" : value.ToString(format, CultureInfo.InvariantCulture);

    private static void Goal(TextWriter output, string goal, string measured, bool met) =>
        output.WriteLine($"  {goal}: {measured}: {(met ? "met" : "MISSED")}");
}
