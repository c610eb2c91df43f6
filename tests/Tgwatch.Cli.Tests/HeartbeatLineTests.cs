using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;
using Tgwatch.Cli.Run;
using Tgwatch.Connectors;
using Tgwatch.Sandbox;
using Tgwatch.Sandbox.Admin;
using Tgwatch.TestKit;

namespace Tgwatch.Cli.Tests;

/// <summary>The heartbeat line: the one line every interval that says a run works.</summary>
public sealed class HeartbeatLineTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 12, 5, 18, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Start);
    private readonly Meter _meter = new("Tgwatch.Tests." + Guid.NewGuid().ToString("N"));
    private readonly CollectingLoggerProvider _logs = new();

    public void Dispose()
    {
        _meter.Dispose();
        _logs.Dispose();
    }

    private string[] Beats => [.. _logs.Entries.Where(e => e.EventId.Id == 8010).Select(e => e.Message)];

    [Fact]
    public void EveryInterval_OneLine_WithTheMessagesOfThatInterval_TheirLag_TheLink_AndTheDeadLetters()
    {
        var lag = _meter.CreateHistogram<double>("lag");
        var figures = new HeartbeatFigures(0, new ConnectionStatus(ConnectionState.Ready, null, Start), 0);
        using var heartbeat = new HeartbeatLine(TimeSpan.FromMinutes(15), lag, 2, () => figures, _logs.CreateLogger("Tgwatch.Run"), _time);

        // 1,234 messages in the first quarter of an hour: lags of 125 ms to 2.5 s, then a slow one.
        for (var i = 0; i < 1_233; i++) lag.Record(0.125 * (1 + i % 20));
        lag.Record(90);
        figures = figures with { Written = 1_234 };
        _time.Advance(TimeSpan.FromMinutes(15) - TimeSpan.FromSeconds(1));
        Assert.Empty(Beats);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(["up 15m00s; 1,234 messages in the last 15m (written to 2 sinks), lag p50 1.3s p99 2.5s; link up; 0 dead letters"], Beats);

        // Then nothing comes: the link is down, a dead letter was recorded.
        figures = figures with { Link = new ConnectionStatus(ConnectionState.Connecting, "connection refused", Start.AddMinutes(20)), DeadLetters = 1 };
        _time.Advance(TimeSpan.FromMinutes(15));
        Assert.Equal("up 30m00s; 0 messages in the last 15m (written to 2 sinks); link down since 18:20:00Z (connection refused); 1 dead letter", Beats[^1]);
    }

    [Fact]
    public void ManyMoreMessagesThanItKeeps_StillGiveThePercentilesOfAll()
    {
        var lag = _meter.CreateHistogram<double>("lag");
        using var heartbeat = new HeartbeatLine(TimeSpan.FromHours(1), lag, 1,
            () => new HeartbeatFigures(100_000, new ConnectionStatus(ConnectionState.Ready, null, Start), 0), _logs.CreateLogger("Tgwatch.Run"), _time);
        for (var i = 0; i < 100_000; i++) lag.Record(i < 50_000 ? 0.2 : 3); // half fast, half slow: p50 fast (or just at), p99 slow
        _time.Advance(TimeSpan.FromHours(1));
        Assert.Matches(@"^up 1h00m; 100,000 messages in the last 1h \(written to 1 sink\), lag p50 (200ms|3s) p99 3s; link up; 0 dead letters$", Assert.Single(Beats));
    }

    [Fact]
    public void AfterDispose_NoLine()
    {
        var lag = _meter.CreateHistogram<double>("lag");
        var heartbeat = new HeartbeatLine(TimeSpan.FromMinutes(1), lag, 1,
            () => new HeartbeatFigures(0, new ConnectionStatus(ConnectionState.Ready, null, Start), 0), _logs.CreateLogger("Tgwatch.Run"), _time);
        heartbeat.Dispose();
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.Empty(Beats);
    }

    [Theory]
    [InlineData(null, 900.0, null)]
    [InlineData("0", 0.0, null)]
    [InlineData("1h", 3600.0, null)]
    [InlineData("90s", 90.0, null)]
    [InlineData("00:05:00", 300.0, null)]
    [InlineData("soon", 900.0, "expected a duration such as 15m or 1h, or 0 for no heartbeat line, not 'soon'")]
    [InlineData("500ms", 900.0, "must be between 1s and a day (or 0 for no heartbeat line), not '500ms'")]
    public void TheInterval_IsReadAsUsersWriteIt(string? text, double seconds, string? error) =>
        Assert.Equal((TimeSpan.FromSeconds(seconds), error), HeartbeatLine.Parse(text));
}

/// <summary>The heartbeat line of a real run against the Bot API sandbox.</summary>
public sealed class HeartbeatLineRunTests : IAsyncLifetime
{
    private readonly string _dir = Some.TempDirectory("tgwatch-heartbeat");
    private BotApiSandbox _sandbox = null!;

    public async Task InitializeAsync() => _sandbox = await BotApiSandbox.StartAsync(new SandboxOptions(), CancellationToken.None);

    public async Task DisposeAsync() => await _sandbox.DisposeAsync();

    [Fact]
    public async Task ARun_SaysEveryInterval_ThatItWorks_AndItsLinesCountEveryMessage()
    {
        for (var i = 0; i < 3; i++)
            await _sandbox.Admin.SendMessageAsync(new InjectMessage { ChatId = -100779, Text = $"beat {i}", From = new SandboxUser { Id = 5, FirstName = "Eve" } });
        using var process = Tgwatch.Start("run", "--bot-token", _sandbox.Token, "--bot-api-url", _sandbox.BaseUrl.ToString(),
            "--sink", $"jsonl:{Path.Combine(_dir, "out.jsonl")}", "--state", Path.Combine(_dir, "state.db"), "--heartbeat", "2s");
        process.StandardInput.Close();
        var lines = new ConcurrentQueue<string>();
        var reading = Task.Run(async () =>
        {
            while (await process.StandardError.ReadLineAsync() is { } line) lines.Enqueue(line);
        });
        var beat = new Regex(@"up [^;]+; (?<n>\d+) messages? in the last 2s \(written to 1 sink\)(, lag p50 \S+ p99 \S+)?; link up; 0 dead letters$");
        int Counted() => lines.Select(l => beat.Match(l)).Where(m => m.Success).Sum(m => int.Parse(m.Groups["n"].Value, System.Globalization.CultureInfo.InvariantCulture));
        await Eventually.TrueAsync(() => Counted() == 3, "heartbeat lines counting the 3 messages", Tgwatch.Patience);
        Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
        await process.WaitForExitAsync().WaitAsync(Tgwatch.Patience);
        await reading.WaitAsync(Tgwatch.Patience);
        Assert.Equal(0, process.ExitCode);
        // The lags of the messages are in a line (the one that counts them, unless the beat fell between their commit's lags
        // and its count: then the line before, which says none yet).
        Assert.Contains(lines, l => beat.Match(l).Success && l.Contains(", lag p50 ", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains(_sandbox.Token, StringComparison.Ordinal));
    }
}
