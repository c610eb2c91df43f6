using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Tgwatch.Chaos.Tests;

/// <summary>
/// A minimal HTTP/1.1 server on 127.0.0.1 over a raw socket, with keep-alive. <c>GET /hello</c> answers
/// "hello"; <c>GET /bytes/N</c> answers N bytes of <see cref="Body"/>; anything else 404.
/// </summary>
internal sealed class HttpServer : LoopbackSocketServer
{
    private int _requests;

    public HttpServer() => Start(backlog: 128);

    public int Requests => Volatile.Read(ref _requests);

    /// <summary>The body of <c>/bytes/N</c>: byte i is <c>i % 251</c>.</summary>
    public static byte[] Body(int length)
    {
        var body = new byte[length];
        for (var i = 0; i < length; i++)
        {
            body[i] = (byte)(i % 251);
        }

        return body;
    }

    protected override async Task ServeAsync(Socket socket, CancellationToken ct)
    {
        var buffer = new byte[8192];
        var pending = new StringBuilder();
        while (true)
        {
            int end;
            while ((end = pending.ToString().IndexOf("\r\n\r\n", StringComparison.Ordinal)) < 0)
            {
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None, ct);
                if (read == 0)
                {
                    return;
                }

                pending.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }

            var head = pending.ToString(0, end);
            pending.Remove(0, end + 4);
            Interlocked.Increment(ref _requests);
            await socket.SendAsync(Answer(head), SocketFlags.None, ct);
        }
    }

    private static byte[] Answer(string head)
    {
        var path = head.Split(' ', 3) is [_, var target, ..] ? target : "/";
        var (status, body) = path switch
        {
            "/hello" => ("200 OK", "hello"u8.ToArray()),
            _ when path.StartsWith("/bytes/", StringComparison.Ordinal) => ("200 OK", Body(int.Parse(path["/bytes/".Length..], CultureInfo.InvariantCulture))),
            _ => ("404 Not Found", []),
        };

        var header = Encoding.ASCII.GetBytes(
            $"HTTP/1.1 {status}\r\nContent-Type: application/octet-stream\r\nContent-Length: {body.Length}\r\n\r\n");
        return [.. header, .. body];
    }
}
