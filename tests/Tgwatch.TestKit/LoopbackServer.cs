using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Tgwatch.TestKit;

/// <summary>
/// A TCP server on 127.0.0.1 with a random port that does one scripted thing with every connection:
/// answer with fixed bytes and close, or accept and stay silent.
/// </summary>
public sealed class LoopbackServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<Socket> _held = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;

    private LoopbackServer(byte[]? response)
    {
        _listener.Start();
        _acceptLoop = AcceptLoopAsync(response);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public Uri Url => new($"http://127.0.0.1:{Port}/");

    /// <summary>Reads each request's head, writes <paramref name="rawResponse"/> and closes.</summary>
    public static LoopbackServer Answering(string rawResponse) => new(Encoding.ASCII.GetBytes(rawResponse));

    /// <summary>Answers every HTTP request with <paramref name="status"/> and an empty body.</summary>
    public static LoopbackServer AnsweringStatus(int status) =>
        Answering($"HTTP/1.1 {status} Scripted\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");

    /// <summary>Accepts connections and never sends a byte.</summary>
    public static LoopbackServer Silent() => new(null);

    /// <summary>A loopback port nobody listens on (bound, then released).</summary>
    public static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _acceptLoop;
        }
        catch (OperationCanceledException)
        {
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
            // The listener was stopped under an accept that had not seen the cancellation yet.
        }

        lock (_held)
        {
            foreach (var socket in _held)
            {
                socket.Dispose();
            }
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync(byte[]? response)
    {
        while (!_stop.IsCancellationRequested)
        {
            var socket = await _listener.AcceptSocketAsync(_stop.Token);
            lock (_held)
            {
                _held.Add(socket);
            }

            if (response is not null)
            {
                _ = AnswerAsync(socket, response);
            }
        }
    }

    private async Task AnswerAsync(Socket socket, byte[] response)
    {
        var buffer = new byte[4096];
        var head = new StringBuilder();
        while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await socket.ReceiveAsync(buffer, _stop.Token);
            if (read == 0)
            {
                return;
            }

            head.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        await socket.SendAsync(response, _stop.Token);
        socket.Shutdown(SocketShutdown.Both);
        socket.Close();
    }
}
