namespace Tgwatch.Chaos;

/// <summary>A snapshot of what a <see cref="Socks5FaultProxy"/> has seen since it started.</summary>
/// <param name="ConnectionsAccepted">Client connections accepted (including those reset at once).</param>
/// <param name="ConnectionsActive">Connections open now.</param>
/// <param name="ConnectionsReset">Connections the proxy reset (by its mode, a bad or slow handshake, or at disposal).</param>
/// <param name="RefusePeriods">How many times the proxy stopped listening for <see cref="Socks5Mode.Refuse"/>.</param>
/// <param name="Greetings">Well-formed SOCKS5 greetings read.</param>
/// <param name="ConnectRequests">Well-formed CONNECT requests read.</param>
/// <param name="ConnectTargets">How often each target was asked for (<c>149.154.175.50:443</c>, <c>[2001:b28:f23d:f001::a]:443</c>); never dialled.</param>
public sealed record Socks5ProxyCounters(
    long ConnectionsAccepted,
    long ConnectionsActive,
    long ConnectionsReset,
    long RefusePeriods,
    long Greetings,
    long ConnectRequests,
    IReadOnlyDictionary<string, long> ConnectTargets);
