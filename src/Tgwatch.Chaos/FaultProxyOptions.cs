namespace Tgwatch.Chaos;

/// <summary>Settings of a <see cref="FaultProxy"/>.</summary>
public sealed record FaultProxyOptions
{
    /// <summary>The loopback port to listen on; 0 (the default) picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>The fault in force from the start; <see cref="ProxyFault.Pass"/> by default.</summary>
    public ProxyFault InitialFault { get; init; } = ProxyFault.Pass;

    /// <summary>The listen backlog.</summary>
    public int Backlog { get; init; } = 512;

    /// <summary>The largest chunk read and forwarded at once, per direction of a connection.</summary>
    public int BufferSize { get; init; } = 64 * 1024;

    /// <summary>How long connecting to upstream may take before the client connection is reset.</summary>
    public TimeSpan UpstreamConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long disposal waits for connection tasks after closing their sockets.</summary>
    public TimeSpan DisposeTimeout { get; init; } = TimeSpan.FromSeconds(2);

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(InitialFault);
        ArgumentOutOfRangeException.ThrowIfNegative(Port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Port, 65535);
        ArgumentOutOfRangeException.ThrowIfLessThan(Backlog, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(BufferSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(UpstreamConnectTimeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(DisposeTimeout, TimeSpan.Zero);
    }
}
