namespace Tgwatch.Chaos;

/// <summary>What a <see cref="FaultProxy"/> has done since it started: live counters, each read atomically (ARCHITECTURE §5).</summary>
public sealed class FaultProxyStats : ProxyStats
{
    internal long halfOpened, upstreamFailures, toUpstream, toClients, discarded, faultsApplied;

    internal FaultProxyStats(LoopbackListener listener, Func<int> active)
        : base(listener, active)
    {
    }

    /// <summary>Connections whose upstream side a <see cref="ProxyFaultKind.HalfOpen"/> fault closed (or never opened).</summary>
    public long ConnectionsHalfOpened => Interlocked.Read(ref halfOpened);

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
