namespace Tgwatch.Chaos;

/// <summary>What a <see cref="FaultProxy"/> has done since it started: live counters, each read atomically (ARCHITECTURE §5).</summary>
public sealed class FaultProxyStats
{
    private readonly LoopbackListener _listener;
    private readonly Func<int> _active;
    internal long reset, halfOpened, upstreamFailures, toUpstream, toClients, discarded, faultsApplied;

    internal FaultProxyStats(LoopbackListener listener, Func<int> active)
    {
        _listener = listener;
        _active = active;
    }

    /// <summary>Client connections accepted (including those reset at once).</summary>
    public long ConnectionsAccepted => _listener.Accepted;

    /// <summary>Connections open now.</summary>
    public long ConnectionsActive => _active();

    /// <summary>Client connections the proxy reset: by a fault, after an upstream failure, or at disposal.</summary>
    public long ConnectionsReset => Interlocked.Read(ref reset);

    /// <summary>Connections whose upstream side a <see cref="ProxyFaultKind.HalfOpen"/> fault closed (or never opened).</summary>
    public long ConnectionsHalfOpened => Interlocked.Read(ref halfOpened);

    /// <summary>How many times the proxy stopped listening for a <see cref="ProxyFaultKind.Refuse"/> fault.</summary>
    public long RefusePeriods => _listener.RefusePeriods;

    /// <summary>Connections to upstream that failed or timed out.</summary>
    public long UpstreamConnectFailures => Interlocked.Read(ref upstreamFailures);

    /// <summary>Bytes forwarded from clients to upstream.</summary>
    public long BytesToUpstream => Interlocked.Read(ref toUpstream);

    /// <summary>Bytes forwarded from upstream to clients.</summary>
    public long BytesToClients => Interlocked.Read(ref toClients);

    /// <summary>Client bytes swallowed by half-open connections.</summary>
    public long BytesDiscarded => Interlocked.Read(ref discarded);

    /// <summary>Calls of <see cref="FaultProxy.SetFault"/>, scripted steps included.</summary>
    public long FaultsApplied => Interlocked.Read(ref faultsApplied);
}
