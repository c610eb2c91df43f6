using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Time.Testing;
using Tgwatch.Cli.Run;
using Tgwatch.Connectors;
using Tgwatch.Health;
using Tgwatch.Sandbox;
using Tgwatch.Sandbox.Admin;
using Tgwatch.TestKit;

namespace Tgwatch.Cli.Tests;

/// <summary>systemd's notify protocol: ready once the link is, a status line, stopping, and a watchdog fed only while the loops progress.</summary>
public sealed class SystemdNotifyTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 5, 18, 0, 0, TimeSpan.Zero);

    private sealed class Notes : ISystemdNotifier
    {
        public ConcurrentQueue<string> Sent { get; } = new();

        public bool Enabled { get; init; } = true;

        public bool IsEnabled => Enabled;

        public void Notify(ServiceState state) => Sent.Enqueue(state.ToString());
    }

    [Fact]
    public void Ready_OnceTheLinkFirstIs_NotAgainAfterADrop()
    {
        var notes = new Notes();
        var time = new FakeTimeProvider(Start);
        var connector = new ScriptedConnector([]);
        connector.SetStatus(new ConnectionStatus(ConnectionState.Connecting, "starting", Start));
        using var notify = SystemdNotify.Start(notes, connector, new Heartbeat(time), TimeSpan.FromMinutes(2), () => "ready; 0 messages written", null, null, time);
        Assert.Empty(notes.Sent);
        connector.SetStatus(new ConnectionStatus(ConnectionState.Ready, null, Start));
        connector.SetStatus(new ConnectionStatus(ConnectionState.Connecting, "reset", Start));
        connector.SetStatus(new ConnectionStatus(ConnectionState.Ready, null, Start));
        notify!.Stopping();
        Assert.Equal(["READY=1\nSTATUS=ready; 0 messages written", "STOPPING=1\nSTATUS=stopping: draining what is in flight"], notes.Sent);
    }

    [Fact]
    public void TheWatchdog_IsFedAtHalfItsTimeout_WhileTheLoopsProgress_AndNotWhileOneIsStuck()
    {
        var notes = new Notes();
        var time = new FakeTimeProvider(Start);
        var heartbeat = new Heartbeat(time);
        using var notify = SystemdNotify.Start(notes, new ScriptedConnector([]), heartbeat, TimeSpan.FromMinutes(2), () => "ready", "60000000", null, time);
        notes.Sent.Clear(); // READY=1 (the scripted link is ready)
        heartbeat.Beat("pipeline");
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(["WATCHDOG=1\nSTATUS=ready"], notes.Sent);
        // The pipeline is busy and beats no more: fed while within the bound, then not.
        time.Advance(TimeSpan.FromSeconds(90)); // 2 minutes since the beat: not over the bound yet
        Assert.Equal(4, notes.Sent.Count);
        time.Advance(TimeSpan.FromSeconds(30));
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(4, notes.Sent.Count);
        heartbeat.Idle("pipeline"); // waiting for messages is not stuck
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(5, notes.Sent.Count);
    }

    // A standby under Type=notify is up (systemctl start returns) and says who is active; the watchdog is fed at half its
    // timeout while its tries go on (however far apart --lease makes them), not once they hung; a new holder changes the status line.
    [Fact]
    public void AStandby_IsReadyAtItsFirstTry_SaysWhoIsActive_AndFeedsTheWatchdogWhileItsTriesGoOn()
    {
        var notes = new Notes();
        var time = new FakeTimeProvider(Start);
        using var standby = SystemdStandby.Start(notes, "60000000", null, TimeSpan.FromSeconds(90), time)!;
        const string AOnHost = "standby: botapi/bot1 is active on a pid 7 since 2026-12-05 18:00:00Z";
        const string BOnHost = "standby: botapi/bot1 is active on b pid 9 since 2026-12-05 18:00:40Z";
        standby.Waiting(AOnHost);
        time.Advance(TimeSpan.FromSeconds(20));
        standby.Waiting(AOnHost);
        time.Advance(TimeSpan.FromSeconds(20)); // 40 s: fed at 30 s
        standby.Waiting(AOnHost);
        standby.Waiting(BOnHost);
        time.Advance(TimeSpan.FromSeconds(20)); // tries that hang after 40 s: fed at 60, 90, 120 s, then no more
        for (var i = 0; i < 9; i++) time.Advance(TimeSpan.FromSeconds(30));
        standby.Stopping();

        Assert.Equal(["READY=1\nSTATUS=" + AOnHost, "WATCHDOG=1\nSTATUS=" + AOnHost, "STATUS=" + BOnHost,
            "WATCHDOG=1\nSTATUS=" + BOnHost, "WATCHDOG=1\nSTATUS=" + BOnHost, "WATCHDOG=1\nSTATUS=" + BOnHost, "STOPPING=1\nSTATUS=stopping"], notes.Sent);
        Assert.Null(SystemdStandby.Start(new Notes { Enabled = false }, "60000000", null, TimeSpan.FromSeconds(90), time));
    }

    // The first try may take a while (a loaded machine, a slow store): until it has said READY=1, nothing feeds the watchdog.
    [Fact]
    public void AStandby_FeedsNothingBeforeItsFirstTry()
    {
        var notes = new Notes();
        var time = new FakeTimeProvider(Start);
        using var standby = SystemdStandby.Start(notes, "2000000", null, TimeSpan.FromSeconds(90), time)!;
        time.Advance(TimeSpan.FromSeconds(3));
        Assert.Empty(notes.Sent);
        standby.Waiting("standby: botapi/bot1 is active on a pid 7 since 2026-12-05 18:00:00Z");
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(["READY=1\nSTATUS=standby: botapi/bot1 is active on a pid 7 since 2026-12-05 18:00:00Z",
            "WATCHDOG=1\nSTATUS=standby: botapi/bot1 is active on a pid 7 since 2026-12-05 18:00:00Z"], notes.Sent);
    }

    [Theory]
    [InlineData(null, null, null)]
    [InlineData("0", null, null)]
    [InlineData("soon", null, null)]
    [InlineData("60000000", null, 30.0)]
    [InlineData("60000000", "1", null)] // another process's watchdog
    public void TheWatchdogInterval_IsHalfOfWatchdogUsec_ForThisProcessOnly(string? usec, string? pid, double? seconds) =>
        Assert.Equal(seconds is { } s ? TimeSpan.FromSeconds(s) : null, SystemdNotify.WatchdogInterval(usec, pid));

    [Fact]
    public void WithoutNotifySocket_NothingIsSent()
    {
        var time = new FakeTimeProvider(Start);
        var notifier = new SystemdNotifier(); // NOTIFY_SOCKET is not set for the tests
        Assert.False(notifier.IsEnabled);
        Assert.Null(SystemdNotify.Start(notifier, new ScriptedConnector([]), new Heartbeat(time), TimeSpan.FromMinutes(2), () => "", "60000000", null, time));
    }
}

/// <summary>A real run told by systemd's environment where to notify: a datagram socket the test listens on.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SystemdNotifyRunTests : IAsyncLifetime
{
    private readonly string _dir = Some.TempDirectory("tgwatch-notify");
    private BotApiSandbox _sandbox = null!;

    public async Task InitializeAsync() => _sandbox = await BotApiSandbox.StartAsync(new SandboxOptions(), CancellationToken.None);

    public async Task DisposeAsync() => await _sandbox.DisposeAsync();

    [LinuxFact]
    public async Task ARunUnderTypeNotify_SaysReady_FeedsTheWatchdog_AndSaysStopping()
    {
        await _sandbox.Admin.SendMessageAsync(new InjectMessage { ChatId = -100780, Text = "one", From = new SandboxUser { Id = 5, FirstName = "Eve" } });
        var path = Path.Combine(_dir, "notify.sock");
        await using var notify = new NotifySocket(path);
        using var process = Tgwatch.StartWith(new Dictionary<string, string> { ["NOTIFY_SOCKET"] = path, ["WATCHDOG_USEC"] = "1000000" },
            "run", "--bot-token", _sandbox.Token, "--bot-api-url", _sandbox.BaseUrl.ToString(),
            "--sink", $"jsonl:{Path.Combine(_dir, "out.jsonl")}", "--state", Path.Combine(_dir, "state.db"));
        process.StandardInput.Close();
        var stderr = process.StandardError.ReadToEndAsync();
        await Eventually.TrueAsync(() => notify.Received.Any(r => r.StartsWith("READY=1", StringComparison.Ordinal))
            && notify.Received.Count(r => r.StartsWith("WATCHDOG=1\nSTATUS=ready; 1 message written", StringComparison.Ordinal)) >= 2, "ready, then the watchdog fed twice", Tgwatch.Patience);
        Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
        await process.WaitForExitAsync().WaitAsync(Tgwatch.Patience);
        Assert.Equal(0, process.ExitCode);
        await Eventually.TrueAsync(() => notify.Received.Any(r => r.StartsWith("STOPPING=1", StringComparison.Ordinal)), "stopping said", Tgwatch.Patience);
        var all = notify.Received.ToArray();
        Assert.StartsWith("READY=1\nSTATUS=ready; ", Assert.Single(all, r => r.StartsWith("READY=1", StringComparison.Ordinal)));
        Assert.True(Array.FindIndex(all, r => r.StartsWith("STOPPING=1", StringComparison.Ordinal)) > Array.FindIndex(all, r => r.StartsWith("READY=1", StringComparison.Ordinal)));
        Assert.Contains(all, r => r.StartsWith("WATCHDOG=1\nSTATUS=ready; ", StringComparison.Ordinal));
        // The status line says what was written and the lag of the latest messages.
        Assert.Contains(all, r => System.Text.RegularExpressions.Regex.IsMatch(r, @"^WATCHDOG=1\nSTATUS=ready; 1 message written, lag \d+(\.\d+)?(ms|s)$"));
        Assert.DoesNotContain(all, r => r.Contains(_sandbox.Token, StringComparison.Ordinal));
        Assert.DoesNotContain(_sandbox.Token, await stderr);
    }
}
