namespace Tgwatch.Chaos;

/// <summary>What a <see cref="FaultProxy"/> does to the connections it carries.</summary>
public enum ProxyFaultKind
{
    /// <summary>Bytes are forwarded both ways unchanged.</summary>
    Pass,

    /// <summary>Open connections are reset (RST) and new ones are accepted and reset at once.</summary>
    Reset,

    /// <summary>The proxy stops listening, so new connections are refused (ECONNREFUSED); open ones keep going unless the fault says otherwise.</summary>
    Refuse,

    /// <summary>No byte is forwarded either way; connections stay open until the fault ends.</summary>
    Stall,

    /// <summary>The upstream side of every connection is closed while the client side stays open: client writes succeed, reads never return.</summary>
    HalfOpen,

    /// <summary>Every forwarded chunk is delayed by <see cref="ProxyFault.Delay"/>.</summary>
    Latency,

    /// <summary>Each direction of each connection is limited to <see cref="ProxyFault.BytesPerSecond"/>.</summary>
    Bandwidth,

    /// <summary>A connection is reset once <see cref="ProxyFault.ByteLimit"/> bytes came from upstream while the fault is in force.</summary>
    ResetAfterBytes,
}
