using System.Diagnostics;
using System.Globalization;
using Tgwatch.Bench.Peers;
using Tgwatch.Sandbox;
using Tgwatch.Sandbox.Admin;
using Tgwatch.TestKit;

namespace Tgwatch.Bench.Scale;

/// <summary>
/// <c>lease</c>: two real <c>tgwatch run --state postgres:… --lease 4s</c> of one bot on the Bot API sandbox, each with a data
/// directory of its own (as two machines); the active one is killed -9, a message is sent at once, and two times are measured
/// from the kill: to the standby's <c>taken over from HOST pid N</c> line, and to that message's row in PostgreSQL (what a
/// user waits for); the killed one is started again as the new standby, and so on.
/// </summary>
internal static class LeaseTakeover
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public static Task<int> RunAsync(string[] args) => ScaleServers.RequireAsync(nats: false, postgres: true, async () =>
    {
        var kills = ScaleMath.Option(args, "--kills", 10);
        var dll = Repo.Path("src", "Tgwatch.Cli", "bin", "Release", "net10.0", "tgwatch.dll");
        if (!File.Exists(dll)) throw new InvalidOperationException($"{dll} is missing: dotnet build -c Release Tgwatch.sln");
        var dir = Path.Combine(Path.GetTempPath(), $"tgwatch-bench-lease-{Environment.ProcessId}");
        await using var sandbox = await BotApiSandbox.StartAsync(new SandboxOptions(), CancellationToken.None);
        var cluster = await PostgresCluster.SharedAsync();
        var database = await cluster.CreateDatabaseAsync("lease");
        Console.WriteLine($"lease: {kills} kills -9 of the active one of two `tgwatch run --state postgres:… --lease 4s`; {Environment.ProcessorCount} cores, load {ScaleServers.Load()}");
        var started = 0;
        Runner Start(string name)
        {
            var data = Path.Combine(dir, name);
            Directory.CreateDirectory(data);
            File.WriteAllText(Path.Combine(data, "tgwatch.json"), """{"BotApi": {"PollTimeoutSeconds": 1, "HttpMarginSeconds": 2, "MaxBackoff": "00:00:02"}}""");
            var logs = Path.Combine(dir, $"{name}-{started++}");
            return new Runner(PeerProcess.Start(["dotnet", dll, "run", "--config", Path.Combine(data, "tgwatch.json"), "--data-dir", data, "--bot-token", sandbox.Token,
                "--bot-api-url", sandbox.BaseUrl.ToString(), "--state", $"postgres:{database}", "--sink", $"postgres:{database}", "--lease", "4s"], logs), logs);
        }
        var active = Start("a");
        Runner? standby = null;
        List<TimeSpan> takeovers = [], firstRecords = [];
        try
        {
            // One after the other: started together, either may take the lease first.
            await WaitForAsync(active, "active: botapi/bot");
            standby = Start("b");
            await WaitForAsync(standby, "standby: botapi/bot");
            for (var kill = 0; kill < kills; kill++)
            {
                var killed = active.Process.Id;
                var rows = await PostgresCluster.MessageRowsAsync(database);
                active.Process.Kill();
                var clock = Stopwatch.StartNew();
                // A message sent while no runner is active: written once the standby has taken over.
                await sandbox.Admin.SendMessageAsync(new InjectMessage { ChatId = -1001, Text = $"sent after kill {kill + 1}" });
                await WaitForAsync(standby, TakenOver(Environment.MachineName, killed), poll: TimeSpan.FromMilliseconds(10));
                takeovers.Add(clock.Elapsed);
                while (await PostgresCluster.MessageRowsAsync(database) <= rows)
                {
                    if (clock.Elapsed > Patience) throw new InvalidOperationException($"the message sent after kill {kill + 1} was not written within {Patience.TotalSeconds} s");
                    await Task.Delay(TimeSpan.FromMilliseconds(10));
                }
                firstRecords.Add(clock.Elapsed);
                Console.WriteLine($"  kill {kill + 1,2}: taken over after {Seconds(takeovers[^1])} s, the message sent meanwhile written after {Seconds(firstRecords[^1])} s");
                active.Process.Dispose();
                (active, standby) = (standby, Start(active.Name));
                await WaitForAsync(standby, "standby: botapi/bot");
            }
        }
        finally
        {
            active.Process.Dispose();
            standby?.Process.Dispose();
            Directory.Delete(dir, recursive: true);
        }
        Console.WriteLine($"  takeover: median {Seconds(ScaleMath.Median(takeovers))} s, max {Seconds(takeovers.Max())} s over {takeovers.Count} kills (lease 4 s); load after {ScaleServers.Load()}");
        Console.WriteLine($"  first record after the kill: median {Seconds(ScaleMath.Median(firstRecords))} s, max {Seconds(firstRecords.Max())} s");
        return 0;
    });

    /// <summary>The words of the line a standby writes when it takes over from the runner that was <paramref name="host"/> pid <paramref name="pid"/>.</summary>
    internal static string TakenOver(string host, int pid) => $"taken over from {host} pid {pid.ToString(CultureInfo.InvariantCulture)},";

    /// <summary>Seconds with two decimals, as the table quotes them.</summary>
    internal static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture);

    private static async Task WaitForAsync(Runner runner, string line, TimeSpan? poll = null)
    {
        var clock = Stopwatch.StartNew();
        while (!runner.Log().Contains(line, StringComparison.Ordinal))
        {
            if (runner.Process.HasExited || clock.Elapsed > Patience)
                throw new InvalidOperationException($"no '{line}' from pid {runner.Process.Id}: {OutputTailOf(runner.Log())}");
            await Task.Delay(poll ?? TimeSpan.FromMilliseconds(100));
        }
    }

    private static string OutputTailOf(string log) => log.Length > 2_000 ? log[^2_000..] : log;

    private sealed record Runner(PeerProcess Process, string Logs)
    {
        public string Name => Path.GetFileName(Logs).Split('-')[0];

        public string Log()
        {
            var path = Path.Combine(Logs, "log.txt");
            return File.Exists(path) ? File.ReadAllText(path) : "";
        }
    }
}
