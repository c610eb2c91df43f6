using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;

namespace Tgwatch.TestKit;

/// <summary>
/// The end of systemd's notify protocol a test listens on: a datagram socket at <see cref="Path"/>, given to a process as
/// <c>NOTIFY_SOCKET</c>; every message it sends is kept, in order.
/// </summary>
public sealed class NotifySocket : IAsyncDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<string> _received = new();
    private readonly ConcurrentQueue<(TimeSpan At, string Message)> _timed = new();
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private readonly Task _listening;

    /// <summary>Binds a socket at <paramref name="path"/> and listens.</summary>
    public NotifySocket(string path)
    {
        Path = path;
        _socket.Bind(new UnixDomainSocketEndPoint(path));
        _listening = Task.Run(ListenAsync);
    }

    /// <summary>Where the socket is (the value of <c>NOTIFY_SOCKET</c>).</summary>
    public string Path { get; }

    /// <summary>The messages so far, in order.</summary>
    public IReadOnlyList<string> Received => [.. _received];

    /// <summary>The messages so far, in order, each with when it came (since the socket was bound).</summary>
    public IReadOnlyList<(TimeSpan At, string Message)> Timed => [.. _timed];

    /// <summary>How long the socket has been bound.</summary>
    public TimeSpan Elapsed => _clock.Elapsed;

    private async Task ListenAsync()
    {
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var n = await _socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                var message = Encoding.UTF8.GetString(buffer, 0, n);
                _timed.Enqueue((_clock.Elapsed, message));
                _received.Enqueue(message);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Stops listening.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _listening;
        _socket.Dispose();
        _stop.Dispose();
    }
}
