using System.Globalization;

namespace Tgwatch.Chaos;

/// <summary>
/// One fault a <see cref="FaultProxy"/> can apply: a <see cref="FaultType"/> and its parameter. Values compare by content.
/// </summary>
/// <remarks>Not to be confused with <c>Tgwatch.Faults.Fault</c>, the classifier's verdict on an exception.</remarks>
public sealed record Fault
{
    private Fault(FaultType type, TimeSpan delay = default, long bytesPerSecond = 0, long byteLimit = 0, bool resetExisting = false)
    {
        Type = type;
        Delay = delay;
        BytesPerSecond = bytesPerSecond;
        ByteLimit = byteLimit;
        ResetExisting = resetExisting;
    }

    /// <summary>What the proxy does.</summary>
    public FaultType Type { get; }

    /// <summary>The added one-way delay of a <see cref="FaultType.Latency"/> fault; zero otherwise.</summary>
    public TimeSpan Delay { get; }

    /// <summary>The rate limit of a <see cref="FaultType.Bandwidth"/> fault, per connection and direction; zero otherwise.</summary>
    public long BytesPerSecond { get; }

    /// <summary>How many upstream bytes a connection may still carry under a <see cref="FaultType.ResetAfterBytes"/> fault; zero otherwise.</summary>
    public long ByteLimit { get; }

    /// <summary>Whether a <see cref="FaultType.Refuse"/> fault also resets the connections that are open.</summary>
    public bool ResetExisting { get; }

    /// <summary>Normal forwarding.</summary>
    public static Fault Pass { get; } = new(FaultType.Pass);

    /// <summary>Resets open connections and every new one.</summary>
    public static Fault Reset { get; } = new(FaultType.Reset);

    /// <summary>Refuses new connections; open ones keep going.</summary>
    public static Fault Refuse { get; } = new(FaultType.Refuse);

    /// <summary>Refuses new connections and resets the open ones.</summary>
    public static Fault RefuseAndReset { get; } = new(FaultType.Refuse, resetExisting: true);

    /// <summary>Stops every byte both ways; connections stay open.</summary>
    public static Fault Stall { get; } = new(FaultType.Stall);

    /// <summary>Closes the upstream side and swallows what the client sends; nothing comes back.</summary>
    public static Fault HalfOpen { get; } = new(FaultType.HalfOpen);

    /// <summary>Delays every forwarded chunk by <paramref name="delay"/>.</summary>
    /// <param name="delay">The added one-way delay; more than zero.</param>
    /// <returns>The fault.</returns>
    public static Fault Latency(TimeSpan delay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(delay, TimeSpan.Zero);
        return new(FaultType.Latency, delay: delay);
    }

    /// <summary>Delays every forwarded chunk by <paramref name="milliseconds"/>.</summary>
    /// <param name="milliseconds">The added one-way delay in milliseconds; more than zero.</param>
    /// <returns>The fault.</returns>
    public static Fault Latency(int milliseconds) => Latency(TimeSpan.FromMilliseconds(milliseconds));

    /// <summary>Limits each direction of each connection to <paramref name="bytesPerSecond"/>.</summary>
    /// <param name="bytesPerSecond">The rate; more than zero.</param>
    /// <returns>The fault.</returns>
    public static Fault Bandwidth(long bytesPerSecond)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(bytesPerSecond, 0);
        return new(FaultType.Bandwidth, bytesPerSecond: bytesPerSecond);
    }

    /// <summary>Resets a connection after <paramref name="bytes"/> more bytes came from upstream.</summary>
    /// <param name="bytes">How many upstream bytes each connection still gets; zero or more.</param>
    /// <returns>The fault.</returns>
    public static Fault ResetAfterBytes(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        return new(FaultType.ResetAfterBytes, byteLimit: bytes);
    }

    /// <inheritdoc />
    public override string ToString() => Type switch
    {
        FaultType.Latency => string.Create(CultureInfo.InvariantCulture, $"Latency({Delay.TotalMilliseconds:0.###}ms)"),
        FaultType.Bandwidth => string.Create(CultureInfo.InvariantCulture, $"Bandwidth({BytesPerSecond}B/s)"),
        FaultType.ResetAfterBytes => string.Create(CultureInfo.InvariantCulture, $"ResetAfterBytes({ByteLimit})"),
        FaultType.Refuse when ResetExisting => "RefuseAndReset",
        _ => Type.ToString(),
    };
}
