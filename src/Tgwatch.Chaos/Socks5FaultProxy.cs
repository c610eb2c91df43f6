using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Tgwatch.Chaos;

/// <summary>
/// A SOCKS5 server on 127.0.0.1 that never gets anybody anywhere: it refuses, resets, stalls, or answers the handshake
/// and then resets or refuses, as its <see cref="Socks5Mode"/> says, and counts the greetings and CONNECT targets it
/// was sent. Point a client library (TDLib's <c>addProxy</c>) at it to see how the library fails and what it logs.
/// </summary>
/// <remarks>
/// <para>
/// The proxy opens no outbound connection, whatever the target: a CONNECT request is only read and counted. The mode
/// in force when a connection is accepted decides what happens to it; <see cref="SetMode"/> switches it at once for
/// new connections (and stops or resumes listening), open ones go on as they began.
/// </para>
/// <para>
/// Thread-safe. Every connection runs as one asynchronous task that catches its own failures; disposal stops
/// listening, resets every open connection and waits (at most <see cref="Socks5FaultProxyOptions.DisposeTimeout"/>)
/// for the tasks to end.
/// </para>
/// </remarks>
public sealed class Socks5FaultProxy : IAsyncDisposable
{
    private const int Backlog = 512;

    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<long, (Client Client, Task Task)> _open = new();
    private readonly CancellationTokenSource _lifetime = new();
    private readonly Socks5FaultProxyOptions _options;
    private readonly ILogger _logger;
    private readonly LoopbackListener _listener;
    private Socks5Mode _mode;
    private bool _disposed;
    private long _nextId;


    private Socks5FaultProxy(Socks5FaultProxyOptions options, ILogger logger)
    {
        _options = options;
        _logger = logger;
        _listener = new LoopbackListener(options.Port, Backlog, OnAccepted, logger, TimeProvider.System);
        Stats = new Socks5ProxyStats(_listener, () => _open.Count);
        _mode = options.InitialMode;
    }

    /// <summary>The loopback endpoint clients connect to.</summary>
    public IPEndPoint EndPoint => _listener.EndPoint;

    /// <summary>The loopback port clients connect to; it stays the same for the proxy's lifetime.</summary>
    public int Port => _listener.Port;

    /// <summary>The mode in force for new connections.</summary>
    public Socks5Mode Mode
    {
        get
        {
            lock (_gate)
            {
                return _mode;
            }
        }
    }

    /// <summary>Whether the port listens now (it does not under <see cref="Socks5Mode.Refuse"/>).</summary>
    public bool IsListening => _listener.IsListening;

    /// <summary>What the proxy has seen since it started (live counters).</summary>
    public Socks5ProxyStats Stats { get; }

    /// <summary>Starts a proxy on 127.0.0.1.</summary>
    /// <param name="options">Settings; the defaults pick a free port and start in <see cref="Socks5Mode.Reset"/>.</param>
    /// <param name="logger">Where mode changes and failures are logged; none by default.</param>
    /// <returns>The running proxy, listening unless the initial mode is <see cref="Socks5Mode.Refuse"/>.</returns>
    /// <exception cref="SocketException">The port could not be bound.</exception>
    public static Socks5FaultProxy Start(Socks5FaultProxyOptions? options = null, ILogger? logger = null)
    {
        options ??= new Socks5FaultProxyOptions();
        options.Validate();
        var proxy = new Socks5FaultProxy(options, logger ?? NullLogger.Instance);
        if (options.InitialMode != Socks5Mode.Refuse)
        {
            proxy._listener.Start();
        }

        Log.Socks5Started(proxy._logger, proxy.EndPoint, options.InitialMode);
        return proxy;
    }

    /// <summary>Puts <paramref name="mode"/> in force for new connections; <see cref="Socks5Mode.Refuse"/> stops listening, any other mode listens (again, on the same port).</summary>
    /// <param name="mode">The mode.</param>
    /// <exception cref="ObjectDisposedException">The proxy is disposed.</exception>
    /// <exception cref="SocketException">The port could not listen again.</exception>
    public void SetMode(Socks5Mode mode)
    {
        if (!Enum.IsDefined(mode)) throw new ArgumentOutOfRangeException(nameof(mode), mode, "unknown mode");
        Socks5Mode previous;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            previous = _mode;
            _mode = mode;
            if (mode == Socks5Mode.Refuse)
            {
                _listener.Stop();
            }
            else
            {
                _listener.Start();
            }
        }

        Log.Socks5ModeSet(_logger, Port, mode, previous);
    }

    /// <summary>Stops listening, resets every open connection and waits for the proxy's tasks to end.</summary>
    /// <returns>A task that completes when everything is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _listener.Close();
        }

        await _lifetime.CancelAsync().ConfigureAwait(false);
        var open = _open.Values.ToArray();
        foreach (var (client, _) in open)
        {
            client.Reset();
        }

        await _listener.DrainAsync([.. open.Select(o => o.Task)], _options.DisposeTimeout).ConfigureAwait(false);
    }

    private void OnAccepted(Socket socket)
    {
        var client = new Client(this, socket);
        Socks5Mode mode;
        lock (_gate)
        {
            mode = _mode;
        }

        if (mode is Socks5Mode.Reset or Socks5Mode.Refuse)
        {
            // Refuse: accepted in the instant before listening stopped; treated as a reset.
            client.Reset();
            return;
        }

        var id = Interlocked.Increment(ref _nextId);
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var task = ServeAsync(id, client, mode, start.Task);
        _open[id] = (client, task);
        start.SetResult();
        if (_lifetime.IsCancellationRequested)
        {
            client.Reset();
        }
    }

    private async Task ServeAsync(long id, Client client, Socks5Mode mode, Task registered)
    {
        await registered.ConfigureAwait(false);
        try
        {
            using var stream = new NetworkStream(client.Socket, ownsSocket: false);
            if (mode == Socks5Mode.Stall)
            {
                await StallAsync(stream).ConfigureAwait(false);
            }
            else
            {
                await HandshakeAsync(client, stream, mode).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The client went away, was too slow, or the proxy is closing: reset whatever is left.
            client.Reset();
        }
        catch (Exception e)
        {
            Log.Unexpected(_logger, "SOCKS5 connection", e);
            client.Reset();
        }
        finally
        {
            client.Close();
            _open.TryRemove(id, out _);
        }
    }

    /// <summary>Reads (and counts) the greeting, then swallows whatever comes until the client closes.</summary>
    private async Task StallAsync(NetworkStream stream)
    {
        var ct = _lifetime.Token;
        if (await Socks5Wire.ReadGreetingAsync(stream, ct).ConfigureAwait(false) is not null)
        {
            Interlocked.Increment(ref Stats.greetings);
        }

        var sink = new byte[4096];
        while (await stream.ReadAsync(sink, ct).ConfigureAwait(false) > 0)
        {
        }
    }

    private async Task HandshakeAsync(Client client, NetworkStream stream, Socks5Mode mode)
    {
        using var step = CancellationTokenSource.CreateLinkedTokenSource(_lifetime.Token);
        step.CancelAfter(_options.HandshakeTimeout);
        var methods = await Socks5Wire.ReadGreetingAsync(stream, step.Token).ConfigureAwait(false);
        if (methods is null)
        {
            client.Reset();
            return;
        }

        Interlocked.Increment(ref Stats.greetings);
        var choice = Socks5Wire.MethodReply(methods);
        await stream.WriteAsync(choice, step.Token).ConfigureAwait(false);
        if (choice[1] == Socks5Wire.NoAcceptableMethod)
        {
            client.Socket.Shutdown(SocketShutdown.Both);
            return;
        }

        step.CancelAfter(_options.HandshakeTimeout);
        if (await Socks5Wire.ReadRequestAsync(stream, step.Token).ConfigureAwait(false) is not { } request)
        {
            client.Reset();
            return;
        }

        Interlocked.Increment(ref Stats.requests);
        Stats.Target(request.Target);
        if (request.Command != Socks5Wire.Connect || mode == Socks5Mode.HandshakeThenRefuse)
        {
            var code = request.Command != Socks5Wire.Connect ? Socks5Wire.CommandNotSupported : Socks5Wire.ConnectionRefused;
            await stream.WriteAsync(Socks5Wire.Reply(code), step.Token).ConfigureAwait(false);
            client.Socket.Shutdown(SocketShutdown.Both);
            return;
        }

        await stream.WriteAsync(Socks5Wire.Reply(Socks5Wire.Succeeded), step.Token).ConfigureAwait(false);
        // The reset waits for the client's first bytes through the "tunnel", so the reply is read before the RST arrives.
        step.CancelAfter(_options.HandshakeTimeout);
        try
        {
            _ = await stream.ReadAsync(new byte[1], step.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!_lifetime.IsCancellationRequested)
        {
        }

        client.Reset();
    }

    /// <summary>One accepted connection, closed exactly once: by a reset (counted) or quietly.</summary>
    private sealed class Client(Socks5FaultProxy owner, Socket socket)
    {
        private int _closed;

        public Socket Socket { get; } = socket;

        /// <summary>Closes with an RST (linger 0); counted once.</summary>
        public void Reset()
        {
            if (Interlocked.Exchange(ref _closed, 1) != 0)
            {
                return;
            }

            try
            {
                Socket.LingerState = new LingerOption(true, 0);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }

            // Counted before the RST leaves, so whoever sees the reset also sees it counted.
            Interlocked.Increment(ref owner.Stats.reset);
            Socket.Dispose();
        }

        /// <summary>Closes normally (FIN) unless already closed.</summary>
        public void Close()
        {
            if (Interlocked.Exchange(ref _closed, 1) == 0)
            {
                Socket.Dispose();
            }
        }
    }
}
