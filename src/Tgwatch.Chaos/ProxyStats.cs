namespace Tgwatch.Chaos;

/// <summary>
/// What every proxy of this project counts: connections accepted, open, reset, and the periods it refused them. Live
/// counters, each read atomically (ARCHITECTURE §5); each proxy's own figures are in its subclass.
/// </summary>
public abstract class ProxyStats
{
    private readonly LoopbackListener _listener;
    private readonly Func<int> _active;
    internal long reset;

    private protected ProxyStats(LoopbackListener listener, Func<int> active)
    {
        _listener = listener;
        _active = active;
    }

    /// <summary>Client connections accepted (including those reset at once).</summary>
    public long ConnectionsAccepted => _listener.Accepted;

    /// <summary>Connections open now.</summary>
    public long ConnectionsActive => _active();

    /// <summary>Client connections the proxy reset: by a fault or mode, after a failure, or at disposal.</summary>
    public long ConnectionsReset => Interlocked.Read(ref reset);

    /// <summary>How many times the proxy stopped listening to refuse connections.</summary>
    public long RefusePeriods => _listener.RefusePeriods;
}
