using System.Diagnostics;
using System.Globalization;
using Npgsql;
using Tgwatch.Sandbox;
using Tgwatch.Sandbox.Admin;
using Tgwatch.TestKit;
using Xunit.Abstractions;

namespace Tgwatch.Postgres.Tests.Cli;

/// <summary>
/// Two real <c>tgwatch run</c> processes of one bot on one PostgreSQL state store (each with a data directory of its own, as
/// two machines): one is active, the other waits as standby and takes over when the active one is killed -9 or paused with
/// SIGSTOP; a paused one that wakes up (SIGCONT) commits nothing and waits as standby. Every message is in
/// <c>tgwatch_messages</c> and in the processed keys exactly once.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ActiveStandbyTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _dir = Some.TempDirectory("tgwatch-pg-lease");
    private readonly List<(string Name, LoggedProcess Process)> _runners = [];
    private BotApiSandbox _sandbox = null!;
    private PostgresCluster _cluster = null!;
    private string _database = "";
    private int _injected;

    private string BotId => _sandbox.Token.Split(':')[0];

    public async Task InitializeAsync()
    {
        _sandbox = await BotApiSandbox.StartAsync(new SandboxOptions(), CancellationToken.None);
        _cluster = await PostgresCluster.SharedAsync();
        _database = await _cluster.CreateDatabaseAsync("lease");
    }

    public async Task DisposeAsync()
    {
        LoggedProcess.EndAll(_runners, output);
        await _sandbox.DisposeAsync();
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { /* best effort */ }
    }

    private LoggedProcess Start(string name, NotifySocket? systemd = null, string? lease = null)
    {
        var args = Tgwatch.Runner(_dir, name, _sandbox, $"postgres:{_database}", $"postgres:{_database}");
        if (lease is not null) args[Array.IndexOf(args, "--lease") + 1] = lease;
        var runner = new LoggedProcess(systemd is null ? Tgwatch.Start(args)
            : Tgwatch.StartWith(new Dictionary<string, string> { ["NOTIFY_SOCKET"] = systemd.Path, ["WATCHDOG_USEC"] = "2000000" }, args));
        _runners.Add((name, runner));
        return runner;
    }

    private async Task InjectAsync(int count)
    {
        await _sandbox.Admin.SendBulkAsync(new InjectBulk { ChatIds = [-1001, -1002], Count = count });
        _injected += count;
    }

    private Task<long> RowsAsync() => PostgresCluster.MessageRowsAsync(_database);

    private Task AllWrittenAsync() => Eventually.TrueAsync(async () => await RowsAsync() >= _injected, $"{_injected} rows", TimeSpan.FromSeconds(90));

    private static async Task StopAsync(LoggedProcess runner)
    {
        Process.Start("kill", ["-TERM", runner.Pid])!.WaitForExit();
        await runner.Process.WaitForExitAsync().WaitAsync(Tgwatch.Patience);
        await runner.Reading;
        Assert.Equal(0, runner.Process.ExitCode);
    }

    private async Task EveryMessageOnceAsync()
    {
        Assert.Equal(_injected, (await _sandbox.Admin.ListInjectedAsync()).Count);
        Assert.Equal((long)_injected, await RowsAsync());
        Assert.Equal((long)_injected, await PostgresCluster.QueryAsync(_database, "SELECT count(DISTINCT key) FROM tgwatch_messages"));
        Assert.Equal((long)_injected, await PostgresCluster.QueryAsync(_database, "SELECT count(*) FROM tgwatch_processed"));
        foreach (var (_, r) in _runners) Assert.DoesNotContain(_cluster.Password, r.Log);
    }

    [Fact]
    public async Task ASecondRunner_WaitsAsStandby_AndTakesOverFromOneKilled9_FromItsLastCheckpoint_EveryMessageOnce()
    {
        var a = Start("a");
        await Eventually.TrueAsync(() => a.Count("active: botapi/bot") == 1, "a active", Tgwatch.Patience);
        await InjectAsync(100);
        await AllWrittenAsync();
        var b = Start("b");
        await Eventually.TrueAsync(() => b.Count($"standby: botapi/bot{_sandbox.Token.Split(':')[0]} is active on {Environment.MachineName} pid {a.Pid} since ") == 1,
            "b standby, naming a", Tgwatch.Patience);

        var status = await Tgwatch.RunAsync("status", "--state", $"postgres:{_database}");
        Assert.Contains($"active   {Environment.MachineName} pid {a.Pid},", status.Output);
        Assert.Contains($"standby  {Environment.MachineName} pid {b.Pid},", status.Output);
        var json = await Tgwatch.RunAsync("status", "--json", "--state", $"postgres:{_database}");
        Assert.Contains("\"role\": \"standby\"", json.Output);

        // Killed while it writes: b goes on from a's last checkpoint.
        await InjectAsync(300);
        await Eventually.TrueAsync(async () => await RowsAsync() > 100, "a writing the second batch", Tgwatch.Patience);
        a.Process.Kill();
        await a.Process.WaitForExitAsync();
        await Eventually.TrueAsync(() => b.Count($"taken over from {Environment.MachineName} pid {a.Pid}") == 1, "b took over", Tgwatch.Patience);
        await AllWrittenAsync();
        await InjectAsync(50);
        await AllWrittenAsync();
        await Task.Delay(500); // a duplicate written late would show
        await StopAsync(b);

        await EveryMessageOnceAsync();
        Assert.Equal(1, b.Count("standby:"));
        Assert.Equal(1, b.Count("released the lease"));
    }

    // Under systemd (Type=notify, a watchdog): the standby is up and says who is active, feeding the watchdog while it waits;
    // the runner that lost its lease says it is standby again, not that it stops (STOPPING=1 would have systemd kill it).
    [Fact]
    public async Task ARunnerPausedPastItsLease_CommitsNothingWhenItWakes_AndWaitsAsStandby()
    {
        await using var systemdA = new NotifySocket(Path.Combine(_dir, "a.sock"));
        await using var systemdB = new NotifySocket(Path.Combine(_dir, "b.sock"));
        var a = Start("a", systemdA);
        await Eventually.TrueAsync(() => a.Count("active: botapi/bot") == 1, "a active", Tgwatch.Patience);
        var b = Start("b", systemdB);
        await Eventually.TrueAsync(() => b.Count("standby: botapi/bot") == 1, "b standby", Tgwatch.Patience);
        await InjectAsync(60);
        await AllWrittenAsync();

        // Paused (a GC pause, a partition): b takes over and writes what comes meanwhile.
        await InjectAsync(200);
        await Eventually.TrueAsync(async () => await RowsAsync() > 60, "a writing", Tgwatch.Patience);
        Process.Start("kill", ["-STOP", a.Pid])!.WaitForExit();
        await Eventually.TrueAsync(() => b.Count($"taken over from {Environment.MachineName} pid {a.Pid}") == 1, "b took over", Tgwatch.Patience);
        await AllWrittenAsync();
        var checkpoint = (long)(await PostgresCluster.QueryAsync(_database, "SELECT max(position) FROM tgwatch_checkpoints"))!;

        // Woken up: it learns it lost the lease, commits nothing, and waits as standby behind b.
        Process.Start("kill", ["-CONT", a.Pid])!.WaitForExit();
        await Eventually.TrueAsync(() => a.Count("lost the lease of botapi/bot") == 1, "a lost its lease", Tgwatch.Patience);
        await Eventually.TrueAsync(() => a.Count($"is active on {Environment.MachineName} pid {b.Pid}") == 1, "a standby, naming b", Tgwatch.Patience);
        Assert.True((long)(await PostgresCluster.QueryAsync(_database, "SELECT max(position) FROM tgwatch_checkpoints"))! >= checkpoint);
        await InjectAsync(40);
        await AllWrittenAsync();
        await Task.Delay(500); // a duplicate written late would show
        var aBeforeStop = systemdA.Received;
        await StopAsync(a);
        await StopAsync(b);

        await Eventually.TrueAsync(() => systemdA.Received.Count(r => r.StartsWith("STOPPING=1", StringComparison.Ordinal)) == 1, "a (standby) says it stops, once", Tgwatch.Patience);
        // b: ready as standby naming a, its tries feeding the watchdog, then ready as the active runner.
        var standbyOfB = $"READY=1\nSTATUS=standby: botapi/bot{BotId} is active on {Environment.MachineName} pid {a.Pid} since ";
        Assert.StartsWith(standbyOfB, systemdB.Received[0]);
        Assert.Contains(systemdB.Received, r => r.StartsWith("WATCHDOG=1\nSTATUS=standby: ", StringComparison.Ordinal));
        Assert.Contains(systemdB.Received, r => r.StartsWith("READY=1\nSTATUS=ready; ", StringComparison.Ordinal));
        // a: ready, active; after the lost lease no STOPPING=1 (systemd would kill it at TimeoutStopSec) but standby naming b;
        // STOPPING=1 once it stops for good.
        Assert.StartsWith("READY=1\nSTATUS=ready; ", aBeforeStop.First(r => r.StartsWith("READY=1", StringComparison.Ordinal)));
        Assert.DoesNotContain(aBeforeStop, r => r.StartsWith("STOPPING=1", StringComparison.Ordinal));
        Assert.True(aBeforeStop.Any(r => r.StartsWith($"READY=1\nSTATUS=standby: botapi/bot{BotId} is active on {Environment.MachineName} pid {b.Pid} since ", StringComparison.Ordinal)), string.Join(" | ", aBeforeStop));

        await EveryMessageOnceAsync();
        // The lost lease is one line: no stack trace, no failure of a stage.
        Assert.Equal(0, a.Count(" crit "));
        Assert.Equal(0, a.Count("   at "));
        Assert.Equal(1, a.Count("standby:")); // active first, then standby behind b
    }

    // A standby whose --lease is longer than systemd's watchdog (WatchdogSec=2s; a 12 s lease is tried every 3 s) feeds the
    // watchdog in time all the same: fed only at its tries, it went 3 s without, and systemd would kill it again and again.
    [Fact]
    public async Task AStandbyWithALeaseLongerThanTheWatchdog_FeedsItInTime()
    {
        var a = Start("a");
        await Eventually.TrueAsync(() => a.Count("active: botapi/bot") == 1, "a active", Tgwatch.Patience);
        await using var systemd = new NotifySocket(Path.Combine(_dir, "b.sock"));
        var b = Start("b", systemd, lease: "12s");
        await Eventually.TrueAsync(() => b.Count("standby: botapi/bot") == 1, "b standby", Tgwatch.Patience);
        await Eventually.TrueAsync(() => systemd.Received.Count > 0, "b ready", Tgwatch.Patience);
        await Task.Delay(TimeSpan.FromSeconds(8)); // a real wait: systemd's watchdog runs on the real clock
        var end = systemd.Elapsed;
        await StopAsync(b);
        await StopAsync(a);

        var fed = systemd.Timed.Where(t => t.At <= end && (t.Message.StartsWith("READY=1", StringComparison.Ordinal) || t.Message.StartsWith("WATCHDOG=1", StringComparison.Ordinal)))
            .Select(t => t.At).Append(end).ToList();
        var longest = fed.Zip(fed.Skip(1), (x, y) => y - x).Max();
        Assert.True(longest < TimeSpan.FromSeconds(2), $"the watchdog went {longest.TotalSeconds:0.0} s without a WATCHDOG=1 (its timeout: 2 s)");
        Assert.StartsWith("READY=1\nSTATUS=standby: ", systemd.Received[0]);
    }
}
