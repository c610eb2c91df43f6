using System.Net.Sockets;

namespace Tgwatch.Faults;

/// <summary>Maps a <see cref="SocketError"/> to a fault kind.</summary>
internal static class SocketErrorFaults
{
    /// <summary>
    /// Transport failures are <see cref="FaultKind.Network"/>, a timed-out connect or transfer is
    /// <see cref="FaultKind.Timeout"/>, exhausted or forbidden local resources (descriptors, buffers, ports,
    /// permission) are <see cref="FaultKind.Resource"/>. Every other code (API misuse such as
    /// <see cref="SocketError.InvalidArgument"/>, unsupported protocols, and the catch-all
    /// <see cref="SocketError.SocketError"/>) is a <see cref="FaultKind.Bug"/>: retrying cannot fix it and
    /// calling it "network" would hide it.
    /// </summary>
    public static FaultKind Classify(SocketError error) => error switch
    {
        SocketError.ConnectionReset
            or SocketError.ConnectionRefused
            or SocketError.ConnectionAborted
            or SocketError.NetworkUnreachable
            or SocketError.NetworkDown
            or SocketError.NetworkReset
            or SocketError.HostUnreachable
            or SocketError.HostDown
            or SocketError.HostNotFound
            or SocketError.TryAgain
            or SocketError.NoData
            or SocketError.NoRecovery
            or SocketError.Shutdown // EPIPE on Unix: writing to a connection the peer has closed.
            or SocketError.NotConnected
            or SocketError.Disconnecting
            or SocketError.OperationAborted // ECANCELED: the socket was closed under a pending operation.
            or SocketError.Interrupted => FaultKind.Network,

        SocketError.TimedOut => FaultKind.Timeout,

        SocketError.AccessDenied
            or SocketError.TooManyOpenSockets
            or SocketError.NoBufferSpaceAvailable
            or SocketError.AddressAlreadyInUse
            or SocketError.AddressNotAvailable
            or SocketError.ProcessLimit
            or SocketError.SystemNotReady => FaultKind.Resource,

        _ => FaultKind.Bug,
    };
}
