using System.Net;
using System.Net.Sockets;

namespace Tgwatch.Chaos.Tests;

/// <summary>Client-side helpers for the tests, every wait bounded.</summary>
internal static class Net
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);

    public static async Task<Socket> ConnectAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port)).WaitAsync(Deadline);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public static async Task SendAllAsync(Socket socket, ReadOnlyMemory<byte> data)
    {
        while (!data.IsEmpty)
        {
            data = data[await socket.SendAsync(data, SocketFlags.None).AsTask().WaitAsync(Deadline)..];
        }
    }

    public static async Task<byte[]> ReceiveExactlyAsync(Socket socket, int count)
    {
        var buffer = new byte[count];
        var filled = 0;
        while (filled < count)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None).AsTask().WaitAsync(Deadline);
            if (read == 0)
            {
                throw new EndOfStreamException($"Connection ended after {filled} of {count} bytes.");
            }

            filled += read;
        }

        return buffer;
    }

    /// <summary>Sends <paramref name="data"/> and reads the same number of bytes back.</summary>
    public static async Task<byte[]> EchoAsync(Socket socket, byte[] data)
    {
        var receiving = ReceiveExactlyAsync(socket, data.Length);
        await SendAllAsync(socket, data);
        return await receiving;
    }

    public static HttpClient HttpClient(TimeSpan? timeout = null) => HttpClient(Handler(), timeout, disposeHandler: true);

    /// <summary>A client over <paramref name="handler"/>: clients with different time-outs can share its kept-alive connections.</summary>
    public static HttpClient HttpClient(SocketsHttpHandler handler, TimeSpan? timeout = null, bool disposeHandler = false) =>
        new(handler, disposeHandler) { Timeout = timeout ?? Deadline };

    public static SocketsHttpHandler Handler() => new() { UseProxy = false, PooledConnectionLifetime = TimeSpan.FromMinutes(1) };

    public static Uri Url(int port, string path) => new($"http://127.0.0.1:{port}{path}");

    /// <summary>Open descriptors of this process.</summary>
    public static int OpenDescriptors() => Directory.GetFiles("/proc/self/fd").Length;
}
