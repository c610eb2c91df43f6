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
    private readonly TimeSpan _grace;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly LinkMonitor _link;
    private readonly Lock _gate = new();
    private bool _everReady;
    private bool _downSinceReady;
    private ITimer? _graceTimer;

    public ConnectionWatch(TimeSpan grace, TimeProvider time, ILogger logger)
    {
        _grace = grace;
        _time = time;
        _logger = logger;
        _link = new LinkMonitor(grace, time, this);
        _link.Changed += s => Changed?.Invoke(s);
    }

    /// <summary>The link's state now.</summary>
    public ConnectionStatus Status => _link.Status;

    /// <summary>Raised on every change of <see cref="Status"/>.</summary>
    public event Action<ConnectionStatus>? Changed;

    /// <summary>TDLib reported <paramref name="state"/>; true when the link is back after a drop, so every chat should catch up.</summary>
    public bool OnConnection(TdConnectionState state)
    {
        var (linkState, reason) = TdLinkState.From(state);
        var catchUp = false;
        lock (_gate)
        {
            _graceTimer?.Dispose();
            _graceTimer = null;
            if (linkState == ConnectionState.Ready)
            {
                catchUp = _everReady && _downSinceReady && state == TdConnectionState.Ready;
                if (state == TdConnectionState.Ready)
                {
                    _everReady = true;
                    _downSinceReady = false;
                }
            }
            else
            {
                _downSinceReady = true;
                // TDLib tells a state once; the monitor is asked again when the grace is over, so a long outage gets its line.
                _graceTimer = _time.CreateTimer(_ => _link.Failed(FaultKind.Network, reason), null,
                    _grace + TimeSpan.FromMilliseconds(10), Timeout.InfiniteTimeSpan);
            }
        }
        if (linkState == ConnectionState.Ready) _link.Succeeded(0);
        else _link.Failed(FaultKind.Network, reason);
        return catchUp;
    }

    /// <summary>The connector stopped: no more state lines.</summary>
    public void Stop()
    {
        lock (_gate)
        {
            _graceTimer?.Dispose();
            _graceTimer = null;
        }
        _link.Stopped();
    }

    void ILinkReport.Down(DateTimeOffset since, FaultKind fault, string reason) => TdlibLog.Down(_logger, since.UtcDateTime, reason);

    void ILinkReport.Up(TimeSpan downtime, int updates) => TdlibLog.Up(_logger, LinkMonitor.Format(downtime));

    void ILinkReport.ShortDrops(int drops, TimeSpan window, TimeSpan grace) =>
        TdlibLog.ShortDrops(_logger, drops, LinkMonitor.Format(window), LinkMonitor.Format(grace));
}
