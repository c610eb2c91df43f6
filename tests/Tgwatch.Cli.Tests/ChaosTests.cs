using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.Data.Sqlite;
using Tgwatch.Chaos;
using Tgwatch.Messages;
using Tgwatch.Sandbox;
using Tgwatch.Sandbox.Admin;
using Tgwatch.Sandbox.Faults;
using Tgwatch.TestKit;
using Xunit.Abstractions;

namespace Tgwatch.Cli.Tests;

/// <summary>
/// The chaos suite: <c>tgwatch run</c> as a real process against the Bot API sandbox through a loopback fault proxy
/// that resets, refuses, stalls and half-opens connections on a seeded random schedule, while thousands of
/// messages arrive, the server answers 429 and 502 now and then, and the process is killed with SIGKILL again and
/// again. In the end: nothing lost, nothing duplicated in JSONL and SQLite, a bounded number of log lines, no token.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ChaosTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Messages = 3000;
    private const int Kills = 6;
    private readonly string _dir = Some.TempDirectory("tgwatch-chaos");
    private BotApiSandbox _sandbox = null!;
    private FaultProxy _proxy = null!;

    public async Task InitializeAsync()
    {
        _sandbox = await BotApiSandbox.StartAsync(new SandboxOptions(), CancellationToken.None);
        _proxy = FaultProxy.Start(new IPEndPoint(IPAddress.Loopback, _sandbox.BaseUrl.Port));
    }

    public async Task DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _sandbox.DisposeAsync();
    }

    private string P(string name) => Path.Combine(_dir, name);

    private static int Lines(string path) => File.Exists(path) ? File.ReadAllLines(path).Length : 0;

    [Fact]
    public async Task UnderChaosAndRepeatedKill9_NothingIsLost_NothingDuplicated_LogsStayBounded()
    {
        await File.WriteAllTextAsync(P("tgwatch.json"), """{"BotApi": {"PollTimeoutSeconds": 2, "HttpMarginSeconds": 2, "MaxBackoff": "00:00:02"}}""");
        string[] args = ["run", "--config", P("tgwatch.json"), "--bot-token", _sandbox.Token, "--bot-api-url", $"http://127.0.0.1:{_proxy.Port}/",
            "--sink", $"jsonl:{P("out.jsonl")}", "--sink", $"sqlite:{P("out.db")}", "--state", P("state.db")];
        using var stopChaos = new CancellationTokenSource();
        var schedule = ChaosSchedule.Random(seed: 20261125, total: TimeSpan.FromMinutes(5), meanUp: TimeSpan.FromSeconds(1.5), meanDown: TimeSpan.FromSeconds(0.8),
            kinds: [ProxyFault.Reset, ProxyFault.Refuse, ProxyFault.RefuseAndReset, ProxyFault.Stall, ProxyFault.HalfOpen, ProxyFault.ResetAfterBytes(200)]);
        var chaos = _proxy.RunScriptAsync(schedule, stopChaos.Token);
        var random = new Random(7);
        var injected = 0;
        var stderr = new List<string>();
        var runs = 0;
        for (var kill = 1; kill <= Kills; kill++)
        {
            runs++;
            using var process = Tgwatch.Start(args);
            process.StandardInput.Close();
            var log = process.StandardError.ReadToEndAsync();
            var batch = Math.Min(Messages - injected, Messages / (Kills + 1));
            await _sandbox.Admin.SendBulkAsync(new InjectBulk { ChatIds = [-1001, -1002, -1003, -1004], Count = batch });
            injected += batch;
            if (kill % 2 == 0) await _sandbox.Admin.AddFaultAsync(new FaultRequest { Kind = SandboxFaultKind.RateLimit, Count = 1, RetryAfter = 1, Method = "getUpdates" });
            else await _sandbox.Admin.AddFaultAsync(new FaultRequest { Kind = SandboxFaultKind.BadGateway, Count = 2, Method = "getUpdates" });
            // A real process, killed at a random moment of its work.
            await Task.Delay(random.Next(1500, 4000));
            process.Kill(); // SIGKILL
            await process.WaitForExitAsync();
            stderr.Add(await log);
            output.WriteLine($"kill -9 #{kill}: {Lines(P("out.jsonl"))} lines, {injected} injected");
        }
        await _sandbox.Admin.SendBulkAsync(new InjectBulk { ChatIds = [-1001, -1002, -1003, -1004], Count = Messages - injected });
        await stopChaos.CancelAsync();
        await chaos.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        runs++;
        using (var last = Tgwatch.Start(args))
        {
            last.StandardInput.Close();
            var log = last.StandardError.ReadToEndAsync();
            await Eventually.TrueAsync(() => Lines(P("out.jsonl")) >= Messages, $"{Messages} lines", TimeSpan.FromSeconds(90));
            // A real process: a moment more, so that a duplicate written late shows.
            await Task.Delay(500);
            Process.Start("kill", ["-TERM", last.Id.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
            await last.WaitForExitAsync().WaitAsync(Tgwatch.Patience);
            stderr.Add(await log);
            Assert.Equal(0, last.ExitCode);
        }

        var keys = File.ReadAllLines(P("out.jsonl")).Select(l => TgMessageJson.Parse(l).Key).ToList();
        var sent = (await _sandbox.Admin.ListInjectedAsync()).Select(u => u.MessageId).Count();
        long rows, distinctRows;
        await using (var db = new SqliteConnection($"Data Source={P("out.db")};Mode=ReadOnly;Pooling=False"))
        {
            db.Open();
            using var c = db.CreateCommand();
            c.CommandText = "SELECT count(*), count(DISTINCT key) FROM messages";
            using var r = c.ExecuteReader();
            r.Read();
            (rows, distinctRows) = (r.GetInt64(0), r.GetInt64(1));
        }
        var allLogs = string.Concat(stderr);
        var logLines = allLogs.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => !l.StartsWith(' ') && !l.StartsWith('\t'));
        var counters = _proxy.Stats;
        var serverFaults = (await _sandbox.Admin.GetStatsAsync()).FaultsInjected;
        output.WriteLine($"messages {sent}; faults: {counters.FaultsApplied} proxy faults ({counters.ConnectionsReset} connections reset, {counters.RefusePeriods} refused periods), {serverFaults} server faults; " +
            $"restarts {runs - 1} (kill -9 {Kills}); JSONL {keys.Count} lines, lost {sent - keys.Distinct().Count()}, duplicates {keys.Count - keys.Distinct().Count()}; " +
            $"SQLite {rows} rows; log lines {logLines} over {runs} runs");

        Assert.Equal(Messages, sent);
        Assert.Equal(Messages, keys.Distinct().Count()); // 0 lost
        Assert.Equal(keys.Count, keys.Distinct().Count()); // 0 duplicated
        Assert.Equal((long)Messages, rows);
        Assert.Equal(rows, distinctRows);
        Assert.True(counters.FaultsApplied >= 10, $"only {counters.FaultsApplied} faults were applied");
        // State changes and summaries, not a line per fault (a run killed while starting on a loaded machine may log nothing; the last one stops and says so).
        Assert.InRange(logLines, 1, runs * 12);
        Assert.DoesNotContain(_sandbox.Token, allLogs);
        Assert.DoesNotContain(_sandbox.Token.Split(':')[1], allLogs);
    }
}
