using Microsoft.Extensions.Logging;
using Tgwatch.Connectors;
using Tgwatch.Faults;
using Tgwatch.Tdlib.Updates;

namespace Tgwatch.Cli.Login;

/// <summary>
/// The link to Telegram while a login waits for it, told as <c>run</c> tells it (a <see cref="TdLinkWatch"/> over
/// TDLib's connection states): nothing while it connects as usual; once it has not worked for <see cref="Grace"/>, a
/// line (<c>connecting to Telegram… (no network?)</c>), then one line per change. Without it, a login with no network
/// was silent until its request timed out (30 s).
/// </summary>
internal sealed class LoginLink : ILinkReport, IDisposable
{
    /// <summary>
    /// Shorter than <c>run</c>'s 5 s: a person waits at the prompt, TDLib connects within a second when it can, and the
    /// line comes within 5 s of the command's start (the runtime and TDLib take about one).
    /// </summary>
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(2);

    private readonly ILogger _logger;
    private readonly TdLinkWatch _watch;
    private readonly Lock _sync = new();
    private string? _told; // the reason of the last line, while the link is reported down

    public LoginLink(ILogger logger, TimeProvider time)
    {
        _logger = logger;
        _watch = new TdLinkWatch(Grace, time, this);
        _watch.Monitor.Changed += OnChanged;
    }

    /// <summary>Takes a connection state TDLib reported.</summary>
    public void OnConnection(TdConnectionState state) => _watch.OnConnection(state);

    /// <summary>No line after this (the login is over, one way or the other).</summary>
    public void Dispose() => _watch.Dispose();

    void ILinkReport.Down(DateTimeOffset since, FaultKind fault, string reason) => Tell(reason);

    void ILinkReport.Up(TimeSpan downtime, int updates)
    {
        lock (_sync) _told = null;
        LoginLog.Connected(_logger, LinkMonitor.Format(downtime));
    }

    void ILinkReport.ShortDrops(int drops, TimeSpan window, TimeSpan grace)
    {
        // A login is short; drops that recovered say nothing a person waiting needs.
    }

    /// <summary>While the link is reported down, another reason (TDLib moved on to another way of failing) is a line of its own.</summary>
    private void OnChanged(ConnectionStatus status)
    {
        bool down;
        lock (_sync) down = _told is not null;
        if (down && status.State == ConnectionState.Connecting && status.Reason is { } reason) Tell(reason);
    }

    private void Tell(string reason)
    {
        lock (_sync)
        {
            if (_told == reason) return;
            _told = reason;
        }
        LoginLog.Connecting(_logger, Hint(reason));
    }

    /// <summary>What a person may check, for each of TDLib's ways of not being connected (<see cref="TdLinkState"/>).</summary>
    internal static string Hint(string reason) => reason switch
    {
        "waiting for network" => "waiting for a network",
        "connecting to proxy" => "through the proxy: is it up?",
        _ => "no network?",
    };
}
