using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Tgwatch.Sandbox;
using Tgwatch.Sandbox.Admin;

namespace Tgwatch.Bench.Peers;

/// <summary>
/// The measurements of one peer against the sandbox, each on a bot of its own (a fresh update queue) and a fresh
/// directory (output, state): start, live, drain, kill -9, idle.
/// </summary>
internal sealed class PeerPhases(BotApiSandbox sandbox, IReadOnlyList<string> tokens, string work, PeersOptions options)
{
    /// <summary>A bound that catches a hang, not a speed.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(180);

    private static readonly long[] ChatIds = [-1001000000001, -1001000000002, -1001000000003, -1001000000004, -1001000000005, -1001000000006];

    private int _nextToken;
    private int _nextDir;

    private Uri Api => sandbox.BaseUrl;

    private IReadOnlyList<long> Chats => ChatIds[..Math.Min(options.Chats, ChatIds.Length)];

    /// <summary>Tokens for <paramref name="count"/> bots with ids of their own.</summary>
    public static IReadOnlyList<string> MakeTokens(int count) =>
        [.. Enumerable.Range(0, count).Select(i => string.Create(CultureInfo.InvariantCulture, $"{7_000_000_001L + i}:AA{Convert.ToHexString(RandomNumberGenerator.GetBytes(16))}"))];

    /// <summary>From the start of the process to its first record, with one message waiting for it.</summary>
    public async Task<double> StartAsync(Peer peer)
    {
        var (token, dir) = Fresh(peer, "start");
        var first = await sandbox.Admin.SendMessageAsync(new InjectMessage { BotId = Bot(token), ChatId = Chats[0], Text = "first" });
        using var process = PeerProcess.Start(peer.Command(Api, token, dir), dir);
        using var tail = new OutputTail(Peer.OutputIn(dir));
        await tail.WhenDistinctAsync(1, Patience);
        return Stopwatch.GetElapsedTime(process.Started, tail.SeenAt(Key(first))!.Value).TotalSeconds;
    }

    /// <summary>
    /// Latencies in ms, in the order sent, from the injection of a message to its record: <see cref="PeersOptions.Live"/>
    /// messages one every <see cref="PeersOptions.LiveInterval"/>, the first as soon as the peer's first getUpdates arrived.
    /// </summary>
    public async Task<IReadOnlyList<double>> LiveAsync(Peer peer)
    {
        var (token, dir) = Fresh(peer, "live");
        var polls = GetUpdatesServed();
        using var process = PeerProcess.Start(peer.Command(Api, token, dir), dir);
        using var tail = new OutputTail(Peer.OutputIn(dir));
        var waited = Stopwatch.StartNew();
        while (GetUpdatesServed() == polls)
        {
            if (waited.Elapsed > Patience || process.HasExited) throw new TimeoutException($"{peer.Name}: no getUpdates after {waited.Elapsed.TotalSeconds:F0} s (see {dir}/log.txt)");
            await Task.Delay(1);
        }
        var sent = new List<(RecordKey Key, long At)>(options.Live);
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < options.Live; i++)
        {
            var wait = options.LiveInterval * i - Stopwatch.GetElapsedTime(start);
            if (wait > TimeSpan.Zero) await Task.Delay(wait);
            var at = Stopwatch.GetTimestamp();
            var injected = await sandbox.Admin.SendMessageAsync(new InjectMessage { BotId = Bot(token), ChatId = Chats[i % Chats.Count], Text = $"live {i + 1}" });
            sent.Add((Key(injected), at));
        }
        await tail.WhenDistinctAsync(options.Live, Patience);
        return [.. sent.Select(s => Stopwatch.GetElapsedTime(s.At, tail.SeenAt(s.Key)!.Value).TotalMilliseconds)];
    }

    /// <summary><paramref name="messages"/> waiting over the chats when the peer starts, until every one is written.</summary>
    public async Task<DrainFigures> DrainAsync(Peer peer, int messages)
    {
        var (token, dir) = Fresh(peer, "drain");
        await sandbox.Admin.SendBulkAsync(new InjectBulk { BotId = Bot(token), ChatIds = Chats, Count = messages });
        using var process = PeerProcess.Start(peer.Command(Api, token, dir), dir);
        long firstAt = 0, lastAt = 0;
        TimeSpan firstCpu = default, lastCpu = default;
        using (var tail = new OutputTail(Peer.OutputIn(dir), distinct =>
               {
                   // On the tail's thread, as soon as it has seen the lines: the CPU time the peer had spent by then.
                   if (firstAt == 0) (firstAt, firstCpu) = (Stopwatch.GetTimestamp(), process.Cpu());
                   if (lastAt == 0 && distinct >= messages) (lastAt, lastCpu) = (Stopwatch.GetTimestamp(), process.Cpu());
               }))
        {
            await tail.WhenDistinctAsync(messages, Patience);
        }
        var peak = process.Memory().Peak;
        var window = Stopwatch.GetElapsedTime(firstAt, lastAt);
        return new DrainFigures(
            Rate: (messages - 1) / window.TotalSeconds,
            CpuPerMessage: (lastCpu - firstCpu) / Math.Max(1, messages - 1),
            Cpu: lastCpu,
            Elapsed: Stopwatch.GetElapsedTime(process.Started, lastAt),
            PeakRss: peak);
    }

    /// <summary>
    /// <paramref name="messages"/> waiting; the peer is killed with SIGKILL <paramref name="killAfter"/> after its first
    /// record (a moment inside its drain), started again on the same output (and state), and left until every message is
    /// written or nothing moves for 15 s.
    /// </summary>
    public async Task<KillFigures> KillAsync(Peer peer, int messages, TimeSpan killAfter)
    {
        var (token, dir) = Fresh(peer, "kill");
        var output = Peer.OutputIn(dir);
        await sandbox.Admin.SendBulkAsync(new InjectBulk { BotId = Bot(token), ChatIds = Chats, Count = messages });
        using (var first = PeerProcess.Start(peer.Command(Api, token, dir), dir))
        using (var tail = new OutputTail(output))
        {
            await tail.WhenDistinctAsync(1, Patience);
            await Task.Delay(killAfter);
            first.Kill();
        }
        var atKill = JsonlCount.Read(output);
        using var second = PeerProcess.Start(peer.Command(Api, token, dir), dir);
        var count = atKill;
        var moved = Stopwatch.StartNew();
        while (moved.Elapsed < TimeSpan.FromSeconds(15))
        {
            await Task.Delay(100);
            var now = JsonlCount.Read(output);
            if (now != count) moved.Restart();
            count = now;
            if (count.Distinct >= messages && moved.Elapsed >= TimeSpan.FromSeconds(0.5)) break;
        }
        return new KillFigures(messages - count.Distinct, count.Duplicated, count.Corrupt, atKill.Lines);
    }

    /// <summary>
    /// Every peer started at once (a few messages waiting for each, so each has done its work once), left idle: CPU time
    /// per minute after <see cref="PeersOptions.IdleSkip"/> (or once they are written, if later), over <see cref="PeersOptions.IdleWindow"/>,
    /// and RSS at the end.
    /// </summary>
    public async Task<IReadOnlyList<IdleFigures>> IdleAsync(IReadOnlyList<Peer> peers)
    {
        const int Waiting = 10;
        var processes = new List<(Peer Peer, PeerProcess Process, string Dir)>();
        try
        {
            foreach (var peer in peers)
            {
                var (token, dir) = Fresh(peer, "idle");
                await sandbox.Admin.SendBulkAsync(new InjectBulk { BotId = Bot(token), ChatIds = Chats, Count = Waiting });
                processes.Add((peer, PeerProcess.Start(peer.Command(Api, token, dir), dir), dir));
            }
            var started = Stopwatch.GetTimestamp();
            foreach (var (_, _, dir) in processes)
            {
                using var tail = new OutputTail(Peer.OutputIn(dir));
                await tail.WhenDistinctAsync(Waiting, Patience);
            }
            var skip = options.IdleSkip - Stopwatch.GetElapsedTime(started);
            if (skip > TimeSpan.Zero) await Task.Delay(skip);
            var before = processes.Select(p => (Cpu: p.Process.Cpu(), Switches: p.Process.ContextSwitches())).ToList();
            await Task.Delay(options.IdleWindow);
            var figures = new List<IdleFigures>();
            for (var i = 0; i < processes.Count; i++)
            {
                var (peer, process, dir) = processes[i];
                if (process.HasExited) throw new InvalidOperationException($"{peer.Name} stopped while idle (see {dir}/log.txt)");
                figures.Add(new IdleFigures(
                    (process.Cpu() - before[i].Cpu).TotalSeconds / options.IdleWindow.TotalMinutes,
                    PeerProcess.SwitchesBetween(before[i].Switches, process.ContextSwitches()) / options.IdleWindow.TotalSeconds,
                    process.Memory().Rss));
            }
            return figures;
        }
        finally
        {
            foreach (var p in processes) p.Process.Dispose();
        }
    }

    private (string Token, string Dir) Fresh(Peer peer, string phase)
    {
        if (_nextToken == tokens.Count) throw new InvalidOperationException("out of bot tokens");
        var dir = Path.Combine(work, string.Create(CultureInfo.InvariantCulture, $"{++_nextDir:D3}-{peer.Name}-{phase}"));
        Directory.CreateDirectory(dir);
        return (tokens[_nextToken++], dir);
    }

    private long GetUpdatesServed() => sandbox.Stats().RequestsByMethod.GetValueOrDefault("getUpdates");

    private static long Bot(string token) => Secrets.BotToken.IdOf(token);

    private static RecordKey Key(InjectedUpdate update) => new(update.ChatId, update.MessageId);
}

internal sealed record DrainFigures(double Rate, TimeSpan CpuPerMessage, TimeSpan Cpu, TimeSpan Elapsed, long PeakRss);

internal sealed record KillFigures(int Lost, int Duplicated, int Corrupt, int LinesAtKill);

internal sealed record IdleFigures(double CpuSecondsPerMinute, double WakeupsPerSecond, long Rss);
