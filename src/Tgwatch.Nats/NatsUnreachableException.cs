namespace Tgwatch.Nats;

/// <summary>
/// The client could not connect to nats-server (NATS.Net says so with a plain <c>NatsException</c>, which the fault classifier cannot
/// tell from others): a <see cref="Faults.FaultKind.Network"/> fault, with NATS.Net's exception inside.
/// </summary>
public sealed class NatsUnreachableException : Exception
{
    /// <summary>The server at <paramref name="server"/> (as safe to log) could not be connected to.</summary>
    /// <param name="server">The server, <c>nats://host:port</c>.</param>
    /// <param name="inner">What the client threw.</param>
    public NatsUnreachableException(string server, Exception? inner)
        : base($"{server} cannot be reached", inner)
    {
    }

    /// <summary>A server that could not be connected to.</summary>
    public NatsUnreachableException()
    {
    }

    /// <summary>A server that could not be connected to, said with <paramref name="message"/>.</summary>
    public NatsUnreachableException(string message)
        : base(message)
    {
    }

    /// <summary>
    /// Connects <paramref name="connection"/> when it has no connection and is not reconnecting (a connection that was lost
    /// reconnects by itself; its requests fail meanwhile), within <paramref name="timeout"/>; a refusal becomes a <see cref="NatsUnreachableException"/>.
    /// </summary>
    internal static async ValueTask ConnectAsync(NATS.Client.Core.NatsConnection connection, string server, TimeSpan timeout, CancellationToken ct)
    {
        if (connection.ConnectionState != NATS.Client.Core.NatsConnectionState.Closed) return;
        try
        {
            await connection.ConnectAsync().AsTask().WaitAsync(timeout, ct).ConfigureAwait(false);
        }
        catch (NATS.Client.Core.NatsException e)
        {
            throw new NatsUnreachableException(server, e);
        }
    }
}
