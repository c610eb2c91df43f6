using System.Diagnostics;
using System.Globalization;
using NATS.Client.Core;
using NATS.Client.JetStream;
using Npgsql;
using Tgwatch.Sandbox;
using Tgwatch.Sandbox.Admin;
using Tgwatch.TestKit;
using Xunit.Abstractions;

namespace Tgwatch.Postgres.Tests.Cli;

/// <summary>
/// The whole set-up as real processes: two runners of one bot (active and standby) on a PostgreSQL state store publishing
/// to a real nats-server, two <c>tgwatch consume</c> on one durable writing to PostgreSQL. While messages arrive: the
/// active runner is killed -9, nats-server is killed -9 and restarted on its store, a consumer is killed -9 and restarted,
/// the active runner is paused with SIGSTOP past its lease and woken with SIGCONT. Every message is then in PostgreSQL
/// exactly once and in the stream exactly once.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ScaleOutChaosTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Wave = 80;
    private readonly string _dir = Some.TempDirectory("tgwatch-chaos");
    private readonly List<(string Name, LoggedProcess Process)> _processes = [];
    private BotApiSandbox _sandbox = null!;
    private PostgresCluster _cluster = null!;
    private NatsServer _nats = null!;
    private string _state = "";
    private string _messages = "";
    private int _injected;

    public async Task InitializeAsync()
    {
        _sandbox = await BotApiSandbox.StartAsync(new SandboxOptions(), CancellationToken.None);
        _cluster = await PostgresCluster.SharedAsync();
        _state = await _cluster.CreateDatabaseAsync("chaos_state");
        _messages = await _cluster.CreateDatabaseAsync("chaos_messages");
        _nats = await NatsServer.StartNewAsync();
    }

    public async Task DisposeAsync()
    {
        LoggedProcess.EndAll(_processes, output);
        await _nats.DisposeAsync();
        await _sandbox.DisposeAsync();
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { /* best effort */ }
    }

    private LoggedProcess Start(string name, params string[] args)
    {
        var p = new LoggedProcess(Tgwatch.Start(args));
        _processes.Add((name, p));
        return p;
    }

    private LoggedProcess Runner(string name) => Start(name, Tgwatch.Runner(_dir, name, _sandbox, $"postgres:{_state}", $"nats:{_nats.Url}"));

    private LoggedProcess Consumer(string name) =>
        Start(name, "consume", "--nats", _nats.Url, "--durable", "archive", "--ack-wait", "3s", "--data-dir", Path.Combine(_dir, name),
            "--state", Path.Combine(_dir, name + ".db"), "--sink", $"postgres:{_messages}");

    private async Task InjectAsync()
    {
        await _sandbox.Admin.SendBulkAsync(new InjectBulk { ChatIds = [-1001, -1002, -1003], Count = Wave });
        _injected += Wave;
    }

    private Task<long> RowsAsync() => PostgresCluster.MessageRowsAsync(_messages);

    private Task RowsAtLeastAsync(long rows) => Eventually.TrueAsync(async () => await RowsAsync() >= rows, $"{rows} rows", TimeSpan.FromSeconds(120));

    private static string Taken(LoggedProcess from) => $"taken over from {Environment.MachineName} pid {from.Pid}";

    [Fact]
    public async Task RunnersNatsAndConsumers_KilledAndPausedWhileMessagesArrive_EveryMessageIsInPostgresAndInTheStreamOnce()
    {
        var a = Runner("runner-a");
        await Eventually.TrueAsync(() => a.Count("active: botapi/bot") == 1, "runner a active", Tgwatch.Patience);
        var b = Runner("runner-b");
        await Eventually.TrueAsync(() => b.Count("standby: botapi/bot") == 1, "runner b standby", Tgwatch.Patience);
        var c1 = Consumer("consumer-1");
        var c2 = Consumer("consumer-2");
        await InjectAsync();
        await RowsAtLeastAsync(Wave);

        // The active runner killed -9 while it publishes: b takes over from its checkpoint; a comes back as standby.
        await InjectAsync();
        a.Process.Kill();
        await Eventually.TrueAsync(() => b.Count(Taken(a)) == 1, "runner b took over", Tgwatch.Patience);
        var a2 = Runner("runner-a2");
        await Eventually.TrueAsync(() => a2.Count("standby: botapi/bot") == 1, "runner a2 standby", Tgwatch.Patience);
        await RowsAtLeastAsync(2 * Wave);

        // nats-server killed -9 while messages arrive, and started again on its store.
        await InjectAsync();
        await _nats.KillAsync();
        await Task.Delay(TimeSpan.FromSeconds(1)); // down for a while, as a crashed server is
        await _nats.StartAsync();
        await RowsAtLeastAsync(3 * Wave);

        // A consumer killed -9 and started again: what it had not acknowledged goes to the other one, or to it again.
        await InjectAsync();
        c1.Process.Kill();
        var c1Again = Consumer("consumer-1-again");
        await RowsAtLeastAsync(4 * Wave);

        // The active runner paused past its lease and woken: the standby takes over; the woken one commits nothing.
        await InjectAsync();
        Process.Start("kill", ["-STOP", b.Pid])!.WaitForExit();
        await Eventually.TrueAsync(() => a2.Count(Taken(b)) == 1, "runner a2 took over", Tgwatch.Patience);
        Process.Start("kill", ["-CONT", b.Pid])!.WaitForExit();
        await Eventually.TrueAsync(() => b.Count("lost the lease of botapi/bot") == 1, "runner b lost its lease", Tgwatch.Patience);
        await InjectAsync();
        await RowsAtLeastAsync(_injected);
        await Task.Delay(TimeSpan.FromSeconds(4)); // past the ack wait: a redelivery written twice would show

        Assert.Equal(_injected, (await _sandbox.Admin.ListInjectedAsync()).Count);
        Assert.Equal((long)_injected, await RowsAsync());
        Assert.Equal((long)_injected, (long)(await PostgresCluster.QueryAsync(_messages, "SELECT count(DISTINCT key) FROM tgwatch_messages"))!);
        await using (var connection = new NatsConnection(new NatsOpts { Url = _nats.Url }))
        {
            var stream = await new NatsJSContext(connection).GetStreamAsync("TGWATCH");
            Assert.Equal(_injected, (long)stream.Info.State.Messages);
        }
        foreach (var (_, p) in _processes) Assert.DoesNotContain(_cluster.Password, p.Log);
        output.WriteLine($"{_injected} messages: {await RowsAsync()} rows; consumers {c2.Pid}, {c1Again.Pid}");
    }
}
