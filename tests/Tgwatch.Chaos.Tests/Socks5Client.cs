using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Tgwatch.Chaos.Tests;

/// <summary>A plain SOCKS5 client (RFC 1928) for the proxy tests; every wait bounded by <see cref="Net.Deadline"/>.</summary>
internal static class Socks5Client
{
    /// <summary>Sends <c>05 N methods…</c> and returns the 2-byte method choice.</summary>
    public static async Task<byte[]> GreetAsync(Socket socket, params byte[] methods)
    {
        await Net.SendAllAsync(socket, (byte[])[5, (byte)methods.Length, .. methods]);
        return await Net.ReceiveExactlyAsync(socket, 2);
    }

    /// <summary>The CONNECT request for an IPv4 or IPv6 target, as TDLib sends it.</summary>
    public static byte[] Connect(IPEndPoint target)
    {
        var address = target.Address.GetAddressBytes();
        var port = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(port, (ushort)target.Port);
        return [5, 1, 0, address.Length == 4 ? (byte)1 : (byte)4, .. address, .. port];
    }

    /// <summary>The CONNECT request for a domain name.</summary>
    public static byte[] Connect(string host, int port)
    {
        var name = Encoding.ASCII.GetBytes(host);
        return [5, 1, 0, 3, (byte)name.Length, .. name, (byte)(port >> 8), (byte)port];
    }

    /// <summary>Sends a request and returns the reply (for an IPv4 bound address: 10 bytes).</summary>
    public static async Task<byte[]> RequestAsync(Socket socket, byte[] request)
    {
        await Net.SendAllAsync(socket, request);
        return await Net.ReceiveExactlyAsync(socket, 10);
    }

    /// <summary>Reads until the connection ends; returns the error it ended with (<see cref="SocketError.Success"/> for a FIN).</summary>
    public static async Task<SocketError> ReadToEndAsync(Socket socket)
    {
        var buffer = new byte[256];
        try
        {
            while (await socket.ReceiveAsync(buffer.AsMemory(), SocketFlags.None).AsTask().WaitAsync(Net.Deadline) > 0)
            {
            }

            return SocketError.Success;
        }
        catch (SocketException e)
        {
            return e.SocketErrorCode;
        }
    }

    /// <summary>Connects and reads to the end; a connect that already meets the reset counts as the reset.</summary>
    public static async Task<SocketError> ConnectAndReadToEndAsync(int port)
    {
        Socket socket;
        try
        {
            socket = await Net.ConnectAsync(port);
        }
        catch (SocketException e)
        {
            return e.SocketErrorCode;
        }

        using (socket)
        {
            return await ReadToEndAsync(socket);
        }
    }
}
