using System.Globalization;
using Tgwatch.Sandbox;

namespace Tgwatch.Bench.Peers;

/// <summary>
/// <c>tgwatch run</c> (JSONL sink, its state store, fsync) beside the bots a user writes by hand — bench/PlainBot
/// (Telegram.Bot's receiving loop) and bench/grammy (grammY, when node and npm are there) — each a child process against
/// one Bot API sandbox on 127.0.0.1 (in this process), on the same work: a backlog drained, live messages, the start,
/// kill -9 in the middle of a drain, idle. Rounds take the peers in turns (the order moved on each round); figures are
/// medians of the rounds, printed as one table with tgwatch's ratio to each peer.
/// </summary>
internal static class PeersBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        PeersOptions options;
        try
        {
            options = PeersOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine($"usage: Tgwatch.Bench {PeersOptions.Usage}");
            return 2;
        }
        var root = QuietThroughput.FindRoot();
        var peers = new List<Peer>();
        foreach (var name in options.Peers)
        {
            switch (name)
            {
                case Peer.TgwatchName: peers.Add(Peer.Tgwatch(root, options.Build)); break;
                case Peer.PlainName: peers.Add(Peer.Plain(root)); break;
                default:
                    if (Peer.Grammy(root, out var why) is { } grammy) peers.Add(grammy);
                    else Console.WriteLine($"grammY left out: {why}");
                    break;
            }
        }
        var work = Path.Combine(Path.GetTempPath(), $"tgwatch-bench-peers-{Environment.ProcessId}");
        Directory.CreateDirectory(work);
        var tokens = PeerPhases.MakeTokens(peers.Count * (4 * options.Rounds + 2));
        await using var sandbox = await BotApiSandbox.StartAsync(new SandboxOptions { Tokens = tokens }, CancellationToken.None);
        var phases = new PeerPhases(sandbox, tokens, work, options);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"peers: {string.Join(", ", peers.Select(p => p.Label))} against one Bot API sandbox on 127.0.0.1; drain {options.Messages:N0} messages over {options.Chats} chats, " +
            $"kill -9 inside a drain of {options.KillMessages:N0}, {options.Live} live messages one every {options.LiveInterval.TotalMilliseconds:F0} ms, {options.Rounds} rounds; " +
            $"idle {options.IdleWindow.TotalSeconds:F0} s after {options.IdleSkip.TotalSeconds:F0} s; {Environment.ProcessorCount} cores, load average {LoadAverage()}; work in {work}"));

        // Warm-up, not counted: the sandbox's paths compiled, the programs' files in the page cache.
        foreach (var peer in peers) await phases.DrainAsync(peer, Math.Min(1_000, options.Messages));

        var results = peers.Select(p => new PeerResults(p)).ToList();
        var random = new Random(17);
        for (var round = 0; round < options.Rounds; round++)
        {
            var order = results.Skip(round % results.Count).Concat(results.Take(round % results.Count)).ToList();
            foreach (var r in order) r.StartSeconds.Add(Say(r, round, "first record after start, s", await phases.StartAsync(r.Peer), "F2"));
            foreach (var r in order)
            {
                var live = await phases.LiveAsync(r.Peer);
                r.Live.Add(live);
                Say(r, round, "live p50 / p99 / max / first, ms",
                    $"{Stats.Percentile(live, 50):F1} / {Stats.Percentile(live, 99):F1} / {live.Max():F1} / {live[0]:F1}");
            }
            foreach (var r in order)
            {
                var drain = await phases.DrainAsync(r.Peer, options.Messages);
                r.Drains.Add(drain);
                Say(r, round, "drain msg/s, CPU µs per message, CPU s, peak RSS MiB",
                    $"{drain.Rate:N0}, {drain.CpuPerMessage.TotalMicroseconds:N1}, {drain.Cpu.TotalSeconds:F2}, {drain.PeakRss / 1048576.0:F0}");
            }
            foreach (var r in order)
            {
                // A moment inside the drain, drawn for each run: 30 % to 70 % of this round's drain time of the peer (scaled to the count).
                var drain = r.Drains[^1];
                var killAfter = TimeSpan.FromSeconds(options.KillMessages / drain.Rate * (0.3 + 0.4 * random.NextDouble()));
                var kill = await phases.KillAsync(r.Peer, options.KillMessages, killAfter);
                r.Kills.Add(kill);
                Say(r, round, "kill -9: lost, duplicated, lines no record, lines at the kill", $"{kill.Lost}, {kill.Duplicated}, {kill.Corrupt}, {kill.LinesAtKill} ({killAfter.TotalMilliseconds:F0} ms after the first)");
            }
        }
        Console.WriteLine($"idle: every peer at once, {options.IdleSkip.TotalSeconds:F0} s + {options.IdleWindow.TotalSeconds:F0} s");
        var idle = await phases.IdleAsync(peers);
        for (var i = 0; i < results.Count; i++)
        {
            results[i].Idle = idle[i];
            Say(results[i], -1, "idle CPU-s per minute, wake-ups per second, RSS MiB", $"{idle[i].CpuSecondsPerMinute:F3}, {idle[i].WakeupsPerSecond:F1}, {idle[i].Rss / 1048576.0:F0}");
        }

        Console.WriteLine($"load average at the end: {LoadAverage()}");
        Console.WriteLine();
        PeersReport.Print(results, Console.Out);
        Directory.Delete(work, recursive: true);
        return 0;
    }

    /// <summary>The 1, 5 and 15 minute load averages (/proc/loadavg): how shared the machine was.</summary>
    private static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ')[..3]);

    private static double Say(PeerResults r, int round, string what, double value, string format)
    {
        Say(r, round, what, value.ToString(format, CultureInfo.InvariantCulture));
        return value;
    }

    private static void Say(PeerResults r, int round, string what, string value) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {(round >= 0 ? $"round {round + 1}" : "idle"),-8} {r.Peer.Label,-18} {what}: {value}"));
}
