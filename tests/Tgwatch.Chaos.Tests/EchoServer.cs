using System.Net;
using System.Net.Sockets;

namespace Tgwatch.Chaos.Tests;

/// <summary>A TCP server on 127.0.0.1 that writes back every byte it reads and closes when its client does.</summary>
internal sealed class EchoServer : IAsyncDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _tasks = [];
    private readonly HashSet<Socket> _open = [];
    private readonly Task _acceptLoop;
    private int _accepted;
    private int _ended;

    public EchoServer()
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(512);
        _acceptLoop = AcceptLoopAsync();
    }

    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndPoint!;

    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>Connections whose client side ended (EOF, reset or error).</summary>
    public int Ended => Volatile.Read(ref _ended);

    public int Open
    {
        get
        {
            lock (_open)
            {
                return _open.Count;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        lock (_open)
        {
            foreach (var socket in _open)
            {
                socket.Dispose();
            }
        }

        Task[] tasks;
        lock (_tasks)
        {
            tasks = [.. _tasks, _acceptLoop];
        }

        await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(5));
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            Interlocked.Increment(ref _accepted);
            lock (_open)
            {
                _open.Add(socket);
            }

            lock (_tasks)
            {
                _tasks.RemoveAll(t => t.IsCompleted);
                _tasks.Add(EchoAsync(socket));
            }
        }
    }

    private async Task EchoAsync(Socket socket)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (read == 0)
                {
                    break;
                }

                var data = buffer.AsMemory(0, read);
                while (!data.IsEmpty)
                {
                    data = data[await socket.SendAsync(data, SocketFlags.None, _stop.Token)..];
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
        finally
        {
            Interlocked.Increment(ref _ended);
            lock (_open)
            {
                _open.Remove(socket);
            }

            socket.Dispose();
        }
    }
}
