using System.Net.Sockets;

namespace Tgwatch.Chaos.Tests;

/// <summary>A TCP server on 127.0.0.1 that writes back every byte it reads and closes when its client does.</summary>
internal sealed class EchoServer : LoopbackSocketServer
{
    public EchoServer() => Start(backlog: 512);

    protected override async Task ServeAsync(Socket socket, CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, ct);
            if (read == 0)
            {
                break;
            }

            var data = buffer.AsMemory(0, read);
            while (!data.IsEmpty)
            {
                data = data[await socket.SendAsync(data, SocketFlags.None, ct)..];
            }
        }
    }
}
