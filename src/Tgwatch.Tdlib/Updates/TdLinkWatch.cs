using Tgwatch.Connectors;
using Tgwatch.Faults;

namespace Tgwatch.Tdlib.Updates;

/// <summary>
/// TDLib's <c>updateConnectionState</c> as a link state (<see cref="TdLinkState"/>), debounced by a
/// <see cref="LinkMonitor"/>: a link down for the grace period gets its line, one up again after that gets its
/// line, short drops are counted. TDLib tells a state once, so the monitor is asked again when the grace is over:
/// a link that stays down gets its line without waiting for TDLib's next word. The connector's link, and the
/// one <c>tgwatch login</c> shows while it waits for Telegram.
/// </summary>
public sealed class TdLinkWatch : IDisposable
{
    private readonly TimeSpan _grace;
    private readonly TimeProvider _time;
    private readonly Lock _sync = new();
    private ITimer? _graceTimer;
    private bool _stopped;

    /// <summary>A watch starting in <see cref="ConnectionState.Connecting"/>, reporting to <paramref name="report"/>.</summary>
    /// <param name="grace">How long the link may be unusable before it is reported down.</param>
    /// <param name="time">The clock.</param>
    /// <param name="report">Where the monitor's lines go.</param>
    public TdLinkWatch(TimeSpan grace, TimeProvider time, ILinkReport report)
    {
        ArgumentNullException.ThrowIfNull(time);
        _grace = grace;
        _time = time;
        Monitor = new LinkMonitor(grace, time, report);
    }

    /// <summary>The link's state and its changes.</summary>
    public LinkMonitor Monitor { get; }

    /// <summary>Takes a state TDLib reported; returns what it means for the link.</summary>
    public TdLinkState OnConnection(TdConnectionState state)
    {
        var link = TdLinkState.From(state);
        lock (_sync)
        {
            if (_stopped) return link;
            _graceTimer?.Dispose();
            _graceTimer = link.State == ConnectionState.Ready ? null
                : _time.CreateTimer(static s => ((TdLinkWatch)s!).GraceOver(), this, _grace + TimeSpan.FromMilliseconds(10), Timeout.InfiniteTimeSpan);
        }
        if (link.State == ConnectionState.Ready) Monitor.Succeeded(0);
        else Monitor.Failed(FaultKind.Network, link.Reason);
        return link;
    }

    /// <summary>The link is closed on purpose: no line comes from this watch any more.</summary>
    public void Stop()
    {
        lock (_sync)
        {
            _stopped = true;
            _graceTimer?.Dispose();
            _graceTimer = null;
        }
        Monitor.Stopped();
    }

    /// <summary>Stops the watch (<see cref="Stop"/>).</summary>
    public void Dispose() => Stop();

    private void GraceOver()
    {
        lock (_sync)
        {
            if (_stopped) return;
        }
        // Still down with the reason TDLib last gave (a state since then replaced this timer).
        var status = Monitor.Status;
        if (status.State == ConnectionState.Connecting) Monitor.Failed(FaultKind.Network, status.Reason ?? "connecting");
    }
}
