namespace Tgwatch.Chaos;

/// <summary>What a <see cref="Socks5FaultProxy"/> does with a connection. The proxy never connects anywhere.</summary>
public enum Socks5Mode
{
    /// <summary>The port stops listening: connects get ECONNREFUSED (the port stays reserved and listens again after the mode).</summary>
    Refuse,

    /// <summary>Each connection is accepted and reset (RST) at once, before any byte is read.</summary>
    Reset,

    /// <summary>Each connection is accepted and its greeting read (and counted), but nothing is ever answered; the connection stays open.</summary>
    Stall,

    /// <summary>
    /// The greeting and the CONNECT request are answered as RFC 1928 says (no authentication; "succeeded" with bound
    /// address 0.0.0.0:0), then the connection is reset as soon as the client sends its first bytes through the
    /// "tunnel" (or after <see cref="Socks5FaultProxyOptions.HandshakeTimeout"/>).
    /// </summary>
    HandshakeThenReset,

    /// <summary>The greeting is answered, the CONNECT request gets reply 5 ("connection refused"), then the connection is closed.</summary>
    HandshakeThenRefuse,
}
