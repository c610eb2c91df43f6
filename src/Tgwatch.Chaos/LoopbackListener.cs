using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Tgwatch.Chaos;

/// <summary>
/// The listening side of a fault proxy: a port on 127.0.0.1 that stays the proxy's for its lifetime, listens and
/// stops listening on command (a stopped port refuses connects but stays reserved), runs an accept loop while it
/// listens, hands each accepted socket to its owner and counts them, and closes quietly, even under a pending accept.
/// </summary>
/// <remarks>Thread-safe; an owner may call it under a lock of its own (it never calls back under its lock).</remarks>
internal sealed class LoopbackListener
{
    private static readonly TimeSpan AcceptRetryDelay = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan ListenRetryDelay = TimeSpan.FromMilliseconds(100);

    private readonly Lock _gate = new();
    private readonly List<Task> _background = [];
    private readonly CancellationTokenSource _closing = new();
    private readonly int _backlog;
    private readonly Action<Socket> _onAccepted;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private Socket _socket;
    private CancellationTokenSource? _acceptStop;
    private bool _wanted;
    private bool _retrying;
    private bool _closed;
    private long _accepted;
    private long _refusePeriods;

    /// <summary>Binds 127.0.0.1:<paramref name="port"/> (0: a free port) without listening yet.</summary>
    /// <exception cref="SocketException">The port could not be bound.</exception>
    public LoopbackListener(int port, int backlog, Action<Socket> onAccepted, ILogger logger, TimeProvider time)
    {
        _backlog = backlog;
        _onAccepted = onAccepted;
        _logger = logger;
        _time = time;
        _socket = Bind(port);
        EndPoint = (IPEndPoint)_socket.LocalEndPoint!;
    }

    /// <summary>The loopback endpoint clients connect to.</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>The port; the same for the listener's lifetime.</summary>
    public int Port => EndPoint.Port;

    /// <summary>Whether the port listens now.</summary>
    public bool IsListening
    {
        get
        {
            lock (_gate)
            {
                return _acceptStop is not null;
            }
        }
    }

    /// <summary>Connections accepted.</summary>
    public long Accepted => Interlocked.Read(ref _accepted);

    /// <summary>How many times <see cref="Stop"/> stopped the listening.</summary>
    public long RefusePeriods => Interlocked.Read(ref _refusePeriods);

    /// <summary>Listens (again, on the same port) and runs the accept loop, unless it does already or the listener is closed.</summary>
    /// <exception cref="SocketException">The port cannot listen.</exception>
    public void Start()
    {
        lock (_gate)
        {
            _wanted = true;
            if (_acceptStop is not null || _closed)
            {
                return;
            }

            Listen();
            BeginAccepting();
        }
    }

    /// <summary>As <see cref="Start"/>, but a port that cannot listen is logged and tried again until it listens, or until <see cref="Stop"/> or <see cref="Close"/>.</summary>
    public void StartOrRetry()
    {
        lock (_gate)
        {
            _wanted = true;
            if (_acceptStop is not null || _closed)
            {
                return;
            }

            if (TryListen())
            {
                BeginAccepting();
            }
            else if (!_retrying)
            {
                _retrying = true;
                Track(RetryListenAsync());
            }
        }
    }

    /// <summary>Stops the accept loop and the listening, keeping the port bound: connects are refused until the next start.</summary>
    /// <returns>Whether it was listening (then a refuse period is counted).</returns>
    public bool Stop()
    {
        lock (_gate)
        {
            _wanted = false;
            if (!StopAccepting())
            {
                return false;
            }

            Interlocked.Increment(ref _refusePeriods);
            return true;
        }
    }

    /// <summary>Stops listening for good and releases the port; a pending accept ends quietly.</summary>
    public void Close()
    {
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            _wanted = false;
            StopAccepting();
            _socket.Dispose();
        }

        _closing.Cancel();
    }

    /// <summary>
    /// Waits, after <see cref="Close"/>, for the accept loops, a listen retry and <paramref name="connections"/> to end, at most
    /// <paramref name="timeout"/>; past it, logs how many connections still run and leaves them to end on their own.
    /// </summary>
    public async Task DrainAsync(IReadOnlyCollection<Task> connections, TimeSpan timeout)
    {
        Task[] background;
        lock (_gate)
        {
            background = [.. _background];
        }

        var all = Task.WhenAll([.. background, .. connections]);
        try
        {
            await all.WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Log.DisposeTimedOut(_logger, Port, connections.Count(c => !c.IsCompleted), timeout);
            _ = all.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
    }

    private static Socket NewSocket()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        // Lets the port be bound again at once if the listening socket ever has to be replaced.
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        return socket;
    }

    /// <summary>
    /// A socket bound to 127.0.0.1:<paramref name="port"/>, by number. Linux keeps a port bound by number through a
    /// shutdown of the listening socket, but releases one it picked itself for port 0 (listening again would then
    /// pick another port). So a free port is picked first, and a second socket binds it by number while the first
    /// still holds it (both allow address reuse and neither listens), so nobody else can take it in between.
    /// </summary>
    private static Socket Bind(int port)
    {
        Socket? picker = null;
        var socket = NewSocket();
        try
        {
            if (port == 0)
            {
                picker = NewSocket();
                picker.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                port = ((IPEndPoint)picker.LocalEndPoint!).Port;
            }

            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        finally
        {
            picker?.Dispose();
        }
    }

    /// <summary>
    /// Listens on the port; under the lock. The socket of a refuse period is still bound (it was shut down, not closed), so
    /// it can listen again and the port was never free for anybody else; failing that, a new socket binds the same port.
    /// </summary>
    /// <exception cref="SocketException">Neither can listen.</exception>
    private void Listen()
    {
        try
        {
            _socket.Listen(_backlog);
            return;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }

        var fresh = NewSocket();
        try
        {
            fresh.Bind(EndPoint);
            fresh.Listen(_backlog);
        }
        catch
        {
            fresh.Dispose();
            throw;
        }

        _socket.Dispose();
        _socket = fresh;
        Log.ListeningAgain(_logger, Port);
    }

    /// <summary><see cref="Listen"/>, with a failure logged; under the lock.</summary>
    private bool TryListen()
    {
        try
        {
            Listen();
            return true;
        }
        catch (SocketException e)
        {
            Log.ListenFailed(_logger, Port, e.SocketErrorCode.ToString());
            return false;
        }
    }

    /// <summary>Starts an accept loop on the listening socket; under the lock.</summary>
    private void BeginAccepting()
    {
        var stop = new CancellationTokenSource();
        _acceptStop = stop;
        Track(AcceptLoopAsync(_socket, stop.Token));
    }

    /// <summary>Stops the accept loop and the listening, keeping the port bound; under the lock. Whether it was listening.</summary>
    private bool StopAccepting()
    {
        if (_acceptStop is not { } stop)
        {
            return false;
        }

        _acceptStop = null;
        stop.Cancel();
        stop.Dispose();
        try
        {
            // On Linux, shutting down a listening socket closes its queue (pending handshakes are reset) and stops
            // listening: a connect now gets ECONNREFUSED, while the socket keeps its port and may listen again.
            _socket.Shutdown(SocketShutdown.Receive);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            _socket.Dispose();
        }

        return true;
    }

    private void Track(Task task)
    {
        _background.RemoveAll(static t => t.IsCompleted);
        _background.Add(task);
    }

    private async Task RetryListenAsync()
    {
        try
        {
            while (true)
            {
                await Task.Delay(ListenRetryDelay, _time, _closing.Token).ConfigureAwait(false);
                lock (_gate)
                {
                    if (_closed || !_wanted || _acceptStop is not null)
                    {
                        _retrying = false;
                        return;
                    }

                    if (TryListen())
                    {
                        _retrying = false;
                        BeginAccepting();
                        return;
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e)
        {
            Log.Unexpected(_logger, "listen retry", e);
        }
    }

    /// <summary>Each accepted socket counted and handed on; a failed accept (out of descriptors or the like) waited out briefly rather than spun, until stopped.</summary>
    private async Task AcceptLoopAsync(Socket socket, CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                Socket client;
                try
                {
                    client = await socket.AcceptAsync(stop).ConfigureAwait(false);
                }
                catch (Exception e) when (stop.IsCancellationRequested || e is ObjectDisposedException)
                {
                    return;
                }
                catch (SocketException e)
                {
                    Log.AcceptFailed(_logger, Port, e.SocketErrorCode.ToString());
                    await Task.Delay(AcceptRetryDelay, _time, stop).ConfigureAwait(false);
                    continue;
                }

                Interlocked.Increment(ref _accepted);
                _onAccepted(client);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            Log.Unexpected(_logger, "accept loop", e);
        }
    }
}
