using System.Net;
using System.Net.Sockets;

namespace Tgwatch.Chaos.Tests;

/// <summary>
/// A TCP server on 127.0.0.1 for the proxy's upstream: accepts connections, serves each with
/// <see cref="ServeAsync"/>, and closes every socket when disposed.
/// </summary>
internal abstract class LoopbackSocketServer : IAsyncDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _tasks = [];
    private readonly HashSet<Socket> _open = [];
    private Task _acceptLoop = Task.CompletedTask;
    private int _accepted;
    private int _ended;

    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndPoint!;

    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>Connections whose serving ended (EOF, reset or error).</summary>
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

    /// <summary>Binds and starts accepting (called by the subclass once it is ready).</summary>
    protected void Start(int backlog)
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(backlog);
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>Serves one connection until it ends; socket errors and cancellation end it quietly.</summary>
    protected abstract Task ServeAsync(Socket socket, CancellationToken ct);

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
                _tasks.Add(RunAsync(socket));
            }
        }
    }

    private async Task RunAsync(Socket socket)
    {
        try
        {
            await ServeAsync(socket, _stop.Token);
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
