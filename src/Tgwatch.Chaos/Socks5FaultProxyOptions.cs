namespace Tgwatch.Chaos;

/// <summary>Settings of a <see cref="Socks5FaultProxy"/>.</summary>
public sealed record Socks5FaultProxyOptions
{
    /// <summary>The loopback port to listen on. <value>0: a free one is picked</value></summary>
    public int Port { get; init; }

    /// <summary>The mode in force from the start. <value><see cref="Socks5Mode.Reset"/></value></summary>
    public Socks5Mode InitialMode { get; init; } = Socks5Mode.Reset;

    /// <summary>How long a client may take over each step of the handshake before it is reset. <value>10 s</value></summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long disposal waits for connection tasks after closing their sockets. <value>2 s</value></summary>
    public TimeSpan DisposeTimeout { get; init; } = TimeSpan.FromSeconds(2);

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(Port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Port, 65535);
        if (!Enum.IsDefined(InitialMode)) throw new ArgumentOutOfRangeException(nameof(InitialMode), InitialMode, "unknown mode");
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(HandshakeTimeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(DisposeTimeout, TimeSpan.Zero);
    }
}
