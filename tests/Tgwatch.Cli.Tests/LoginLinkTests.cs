using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Tgwatch.Cli.Login;
using Tgwatch.Tdlib.Updates;
using Tgwatch.TestKit;

namespace Tgwatch.Cli.Tests;

/// <summary>The link to Telegram as a login tells it while it waits, on a fake clock.</summary>
public sealed class LoginLinkTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero));
    private readonly CollectingLoggerProvider _logs = new();

    private IReadOnlyList<string> Lines => [.. _logs.Entries.Select(e => e.Message)];

    [Fact]
    public void AConnectionThatWorksWithinTheGrace_SaysNothing()
    {
        using var link = new LoginLink(_logs.CreateLogger("Tgwatch.Login"), _time);
        link.OnConnection(TdConnectionState.Connecting);
        _time.Advance(TimeSpan.FromSeconds(1.5));
        link.OnConnection(TdConnectionState.Updating);
        link.OnConnection(TdConnectionState.Ready);
        _time.Advance(TimeSpan.FromMinutes(1));

        Assert.Empty(Lines);
    }

    [Fact]
    public void NoNetwork_IsOneLineAfterTheGrace_ThenOneLinePerChange_AndNoneAfterTheEnd()
    {
        var link = new LoginLink(_logs.CreateLogger("Tgwatch.Login"), _time);
        link.OnConnection(TdConnectionState.Connecting);
        _time.Advance(TimeSpan.FromSeconds(1.9));
        Assert.Empty(Lines);
        _time.Advance(TimeSpan.FromSeconds(0.2));
        Assert.Equal(["connecting to Telegram… (no network?)"], Lines);
        Assert.Equal(LogLevel.Warning, _logs.Entries[0].Level);
        Assert.Equal(8101, _logs.Entries[0].EventId.Id);

        // TDLib tells the same state again, and time passes: nothing new.
        link.OnConnection(TdConnectionState.Connecting);
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Single(Lines);

        link.OnConnection(TdConnectionState.WaitingForNetwork);
        link.OnConnection(TdConnectionState.Connecting);
        _time.Advance(TimeSpan.FromSeconds(5));
        link.OnConnection(TdConnectionState.Ready);
        Assert.Equal(["connecting to Telegram… (no network?)", "connecting to Telegram… (waiting for a network)",
            "connecting to Telegram… (no network?)", "connected to Telegram after 37s"], Lines);

        link.Dispose();
        link.OnConnection(TdConnectionState.Connecting);
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(4, Lines.Count);
    }

    [Fact]
    public void AProxyThatDoesNotAnswer_IsNamed()
    {
        using var link = new LoginLink(_logs.CreateLogger("Tgwatch.Login"), _time);
        link.OnConnection(TdConnectionState.ConnectingToProxy);
        _time.Advance(TimeSpan.FromSeconds(3));

        Assert.Equal(["connecting to Telegram… (through the proxy: is it up?)"], Lines);
    }
}
