using System.Globalization;

namespace Tgwatch.Chaos;

/// <summary>
/// One fault a <see cref="FaultProxy"/> can apply: a <see cref="ProxyFaultKind"/> and its parameter. Values compare by content.
/// </summary>
public sealed record ProxyFault
{
    private ProxyFault(ProxyFaultKind kind, TimeSpan delay = default, long bytesPerSecond = 0, long byteLimit = 0, bool resetExisting = false)
    {
        Kind = kind;
        Delay = delay;
        BytesPerSecond = bytesPerSecond;
        ByteLimit = byteLimit;
        ResetExisting = resetExisting;
    }

    /// <summary>What the proxy does.</summary>
    public ProxyFaultKind Kind { get; }

    /// <summary>The added one-way delay of a <see cref="ProxyFaultKind.Latency"/> fault; zero otherwise.</summary>
    public TimeSpan Delay { get; }

    /// <summary>The rate limit of a <see cref="ProxyFaultKind.Bandwidth"/> fault, per connection and direction; zero otherwise.</summary>
    public long BytesPerSecond { get; }

    /// <summary>How many upstream bytes a connection may still carry under a <see cref="ProxyFaultKind.ResetAfterBytes"/> fault; zero otherwise.</summary>
    public long ByteLimit { get; }

    /// <summary>Whether a <see cref="ProxyFaultKind.Refuse"/> fault also resets the connections that are open.</summary>
    public bool ResetExisting { get; }

    /// <summary>Normal forwarding.</summary>
    public static ProxyFault Pass { get; } = new(ProxyFaultKind.Pass);

    /// <summary>Resets open connections and every new one.</summary>
    public static ProxyFault Reset { get; } = new(ProxyFaultKind.Reset);

    /// <summary>Refuses new connections; open ones keep going.</summary>
    public static ProxyFault Refuse { get; } = new(ProxyFaultKind.Refuse);

    /// <summary>Refuses new connections and resets the open ones.</summary>
    public static ProxyFault RefuseAndReset { get; } = new(ProxyFaultKind.Refuse, resetExisting: true);

    /// <summary>Stops every byte both ways; connections stay open.</summary>
    public static ProxyFault Stall { get; } = new(ProxyFaultKind.Stall);

    /// <summary>Closes the upstream side and swallows what the client sends; nothing comes back.</summary>
    public static ProxyFault HalfOpen { get; } = new(ProxyFaultKind.HalfOpen);

    /// <summary>Delays every forwarded chunk by <paramref name="delay"/>.</summary>
    /// <param name="delay">The added one-way delay; more than zero.</param>
    /// <returns>The fault.</returns>
    public static ProxyFault Latency(TimeSpan delay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(delay, TimeSpan.Zero);
        return new(ProxyFaultKind.Latency, delay: delay);
    }

    /// <summary>Delays every forwarded chunk by <paramref name="milliseconds"/>.</summary>
    /// <param name="milliseconds">The added one-way delay in milliseconds; more than zero.</param>
    /// <returns>The fault.</returns>
    public static ProxyFault Latency(int milliseconds) => Latency(TimeSpan.FromMilliseconds(milliseconds));

    /// <summary>Limits each direction of each connection to <paramref name="bytesPerSecond"/>.</summary>
    /// <param name="bytesPerSecond">The rate; more than zero.</param>
    /// <returns>The fault.</returns>
    public static ProxyFault Bandwidth(long bytesPerSecond)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(bytesPerSecond, 0);
        return new(ProxyFaultKind.Bandwidth, bytesPerSecond: bytesPerSecond);
    }

    /// <summary>Resets a connection after <paramref name="bytes"/> more bytes came from upstream.</summary>
    /// <param name="bytes">How many upstream bytes each connection still gets; zero or more.</param>
    /// <returns>The fault.</returns>
    public static ProxyFault ResetAfterBytes(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        return new(ProxyFaultKind.ResetAfterBytes, byteLimit: bytes);
    }

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        ProxyFaultKind.Latency => string.Create(CultureInfo.InvariantCulture, $"Latency({Delay.TotalMilliseconds:0.###}ms)"),
        ProxyFaultKind.Bandwidth => string.Create(CultureInfo.InvariantCulture, $"Bandwidth({BytesPerSecond}B/s)"),
        ProxyFaultKind.ResetAfterBytes => string.Create(CultureInfo.InvariantCulture, $"ResetAfterBytes({ByteLimit})"),
        ProxyFaultKind.Refuse when ResetExisting => "RefuseAndReset",
        _ => Kind.ToString(),
    };
}
