using Microsoft.Extensions.Logging;
using Tgwatch.Connectors;
using Tgwatch.Faults;
using Tgwatch.Tdlib.Updates;

namespace Tgwatch.Tdlib.Connector;

/// <summary>
/// TDLib's connection states as the connector's link state, debounced by a <see cref="LinkMonitor"/> (a line per real
/// outage, short drops summed up), and the moment to catch up: a return to Ready after a drop.
/// </summary>
internal sealed class ConnectionWatch : ILinkReport
{
    private readonly ILogger _logger;
    private readonly TdLinkWatch _link;
    private readonly Lock _gate = new();
    private bool _everReady;
    private bool _downSinceReady;

    public ConnectionWatch(TimeSpan grace, TimeProvider time, ILogger logger)
    {
        _logger = logger;
        _link = new TdLinkWatch(grace, time, this);
        _link.Monitor.Changed += s => Changed?.Invoke(s);
    }

    /// <summary>The link's state now.</summary>
    public ConnectionStatus Status => _link.Monitor.Status;

    /// <summary>The link's reconnections and time down.</summary>
    public LinkStats Stats => _link.Monitor.Stats;

    /// <summary>Raised on every change of <see cref="Status"/>.</summary>
    public event Action<ConnectionStatus>? Changed;

    /// <summary>TDLib reported <paramref name="state"/>; true when the link is back after a drop, so every chat should catch up.</summary>
    public bool OnConnection(TdConnectionState state)
    {
        var catchUp = false;
        lock (_gate)
        {
            if (state == TdConnectionState.Ready)
            {
                catchUp = _everReady && _downSinceReady;
                _everReady = true;
                _downSinceReady = false;
            }
            else if (TdLinkState.From(state).State != ConnectionState.Ready)
            {
                _downSinceReady = true;
            }
        }
        _link.OnConnection(state); // a link down past the grace gets its line without waiting for TDLib's next word
        return catchUp;
    }

    /// <summary>A rate limit is waited out for <paramref name="wait"/>.</summary>
    public void RateLimited(TimeSpan wait) => _link.Monitor.RateLimited(wait);

    /// <summary>The connector stopped: no more state lines.</summary>
    public void Stop() => _link.Stop();

    void ILinkReport.Down(DateTimeOffset since, FaultKind fault, string reason) => TdlibLog.Down(_logger, since.UtcDateTime, reason);

    void ILinkReport.Up(TimeSpan downtime, int updates) => TdlibLog.Up(_logger, LinkMonitor.Format(downtime));

    void ILinkReport.ShortDrops(int drops, TimeSpan window, TimeSpan grace) =>
        TdlibLog.ShortDrops(_logger, drops, LinkMonitor.Format(window), LinkMonitor.Format(grace));
}
