namespace Tgwatch.Chaos;

/// <summary>A snapshot of what a <see cref="FaultProxy"/> has done since it started.</summary>
/// <param name="ConnectionsAccepted">Client connections accepted (including those reset at once).</param>
/// <param name="ConnectionsActive">Connections open now.</param>
/// <param name="ConnectionsReset">Client connections the proxy reset: by a fault, after an upstream failure, or at disposal.</param>
/// <param name="ConnectionsHalfOpened">Connections whose upstream side a <see cref="ProxyFaultKind.HalfOpen"/> fault closed (or never opened).</param>
/// <param name="RefusePeriods">How many times the proxy stopped listening for a <see cref="ProxyFaultKind.Refuse"/> fault.</param>
/// <param name="UpstreamConnectFailures">Connections to upstream that failed or timed out.</param>
/// <param name="BytesToUpstream">Bytes forwarded from clients to upstream.</param>
/// <param name="BytesToClients">Bytes forwarded from upstream to clients.</param>
/// <param name="BytesDiscarded">Client bytes swallowed by half-open connections.</param>
/// <param name="FaultsApplied">Calls of <see cref="FaultProxy.SetFault"/>, scripted steps included.</param>
public sealed record FaultProxyCounters(
    long ConnectionsAccepted,
    long ConnectionsActive,
    long ConnectionsReset,
    long ConnectionsHalfOpened,
    long RefusePeriods,
    long UpstreamConnectFailures,
    long BytesToUpstream,
    long BytesToClients,
    long BytesDiscarded,
    long FaultsApplied);
