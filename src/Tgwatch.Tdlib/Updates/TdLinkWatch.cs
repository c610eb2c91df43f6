using Tgwatch.Connectors;
using Tgwatch.Faults;

namespace Tgwatch.Tdlib.Updates;

/// <summary>
/// TDLib's <c>updateConnectionState</c> as a link state (<see cref="TdLinkState"/>), debounced by a
/// <see cref="LinkMonitor"/>: a link down for the grace period gets its line (at the end of the grace, from the
/// monitor's timer: TDLib tells a state once), one up again after that gets its line, short drops are counted.
/// The connector's link, and the one <c>tgwatch login</c> shows while it waits for Telegram.
/// </summary>
public sealed class TdLinkWatch : IDisposable
{
    private volatile bool _stopped;

    /// <summary>A watch starting in <see cref="ConnectionState.Connecting"/>, reporting to <paramref name="report"/>.</summary>
    /// <param name="grace">How long the link may be unusable before it is reported down.</param>
    /// <param name="time">The clock.</param>
    /// <param name="report">Where the monitor's lines go.</param>
    public TdLinkWatch(TimeSpan grace, TimeProvider time, ILinkReport report)
    {
        ArgumentNullException.ThrowIfNull(time);
        Monitor = new LinkMonitor(grace, time, report);
    }

    /// <summary>The link's state and its changes.</summary>
    public LinkMonitor Monitor { get; }

    /// <summary>Takes a state TDLib reported; returns what it means for the link.</summary>
    public TdLinkState OnConnection(TdConnectionState state)
    {
        var link = TdLinkState.From(state);
        if (_stopped) return link;
        if (link.State == ConnectionState.Ready) Monitor.Succeeded(0);
        else Monitor.Failed(FaultKind.Network, link.Reason);
        return link;
    }

    /// <summary>The link is closed on purpose: no line comes from this watch any more.</summary>
    public void Stop()
    {
        _stopped = true;
        Monitor.Stopped();
    }

    /// <summary>Stops the watch (<see cref="Stop"/>).</summary>
    public void Dispose() => Stop();
}
