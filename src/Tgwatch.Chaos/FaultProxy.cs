using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Tgwatch.Chaos;

/// <summary>
/// A TCP proxy on 127.0.0.1 that forwards every accepted connection to one upstream endpoint and injects
/// network faults on command: resets, refused connections, stalls, half-open connections, latency, a bandwidth
/// limit, and answers cut after a number of bytes. For chaos tests and demonstrations.
/// </summary>
/// <remarks>
/// <para>
/// One <see cref="Fault"/> is in force at a time; <see cref="SetFault"/> switches it at once for open and new
/// connections, and <see cref="RunScriptAsync"/> switches it on a timetable. What a client sees for each fault is
/// described on <see cref="FaultType"/>'s members and in <see cref="SetFault"/>.
/// </para>
/// <para>
/// Thread-safe. Every connection runs as two asynchronous pumps (one per direction) that wait, never spin;
/// every background task catches and logs its own failures. Disposal stops listening, resets every open
/// connection and waits (at most <see cref="FaultProxyOptions.DisposeTimeout"/>) for the tasks to end.
/// </para>
/// </remarks>
public sealed class FaultProxy : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly HashSet<ProxyConnection> _connections = [];
    private readonly List<Task> _background = [];
    private readonly CancellationTokenSource _lifetime = new();
    private readonly FaultProxyOptions _options;
    private FaultState _state = new(Fault.Pass, 0);
    private Socket _listener;
    private CancellationTokenSource? _acceptStop;
    private bool _retryingListen;
    private bool _disposed;
    private long _nextConnectionId;

    private long _accepted;
    private long _reset;
    private long _halfOpened;
    private long _refusePeriods;
    private long _upstreamFailures;
    private long _toUpstream;
    private long _toClients;
    private long _discarded;
    private long _faultsApplied;

    private FaultProxy(IPEndPoint upstream, FaultProxyOptions options, ILogger logger, TimeProvider time)
    {
        Upstream = upstream;
        _options = options;
        Logger = logger;
        Time = time;
        _listener = BindListener(options.Port);
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
    }

    /// <summary>The loopback endpoint clients connect to.</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>The loopback port clients connect to; it stays the same for the proxy's lifetime.</summary>
    public int Port => EndPoint.Port;

    /// <summary>Where connections are forwarded to.</summary>
    public IPEndPoint Upstream { get; }

    /// <summary>The fault in force.</summary>
    public Fault CurrentFault => State.Fault;

    /// <summary>Whether the proxy accepts connections now (it does not while a <see cref="FaultType.Refuse"/> fault is in force).</summary>
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

    /// <summary>A snapshot of the counters.</summary>
    public FaultProxyCounters Counters
    {
        get
        {
            int active;
            lock (_gate)
            {
                active = _connections.Count;
            }

            return new FaultProxyCounters(
                ConnectionsAccepted: Interlocked.Read(ref _accepted),
                ConnectionsActive: active,
                ConnectionsReset: Interlocked.Read(ref _reset),
                ConnectionsHalfOpened: Interlocked.Read(ref _halfOpened),
                RefusePeriods: Interlocked.Read(ref _refusePeriods),
                UpstreamConnectFailures: Interlocked.Read(ref _upstreamFailures),
                BytesToUpstream: Interlocked.Read(ref _toUpstream),
                BytesToClients: Interlocked.Read(ref _toClients),
                BytesDiscarded: Interlocked.Read(ref _discarded),
                FaultsApplied: Interlocked.Read(ref _faultsApplied));
        }
    }

    internal ILogger Logger { get; }

    internal TimeProvider Time { get; }

    internal int BufferSize => _options.BufferSize;

    internal TimeSpan UpstreamConnectTimeout => _options.UpstreamConnectTimeout;

    internal FaultState State => Volatile.Read(ref _state);

    /// <summary>Starts a proxy on 127.0.0.1 that forwards to <paramref name="upstream"/>.</summary>
    /// <param name="upstream">Where to forward connections to.</param>
    /// <param name="options">Settings; the defaults pick a free port and start with <see cref="Fault.Pass"/>.</param>
    /// <param name="logger">Where fault changes and failures are logged; none by default.</param>
    /// <param name="time">The clock for scripts, latency and bandwidth; the system clock by default.</param>
    /// <returns>The running proxy, listening unless the initial fault is <see cref="FaultType.Refuse"/>.</returns>
    /// <exception cref="SocketException">The port could not be bound.</exception>
    public static FaultProxy Start(IPEndPoint upstream, FaultProxyOptions? options = null, ILogger? logger = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(upstream);
        options ??= new FaultProxyOptions();
        options.Validate();
        var proxy = new FaultProxy(upstream, options, logger ?? NullLogger.Instance, time ?? TimeProvider.System);
        lock (proxy._gate)
        {
            proxy.StartAccepting();
        }

        Log.Started(proxy.Logger, proxy.EndPoint, upstream);
        if (options.InitialFault != Fault.Pass)
        {
            proxy.SetFault(options.InitialFault);
        }

        return proxy;
    }

    /// <summary>Puts <paramref name="fault"/> in force now, for open and new connections.</summary>
    /// <param name="fault">The fault.</param>
    /// <remarks>
    /// <list type="bullet">
    /// <item><see cref="FaultType.Pass"/>: forwarding resumes (held bytes of a stall are delivered); a refused port listens again.</item>
    /// <item><see cref="FaultType.Reset"/>: open connections are reset on both sides; new ones are accepted and reset.</item>
    /// <item><see cref="FaultType.Refuse"/>: the port stops listening (connects get ECONNREFUSED) and listens again, on the
    /// same port, when another fault replaces it; open connections keep going, or are reset with <see cref="Fault.RefuseAndReset"/>.</item>
    /// <item><see cref="FaultType.Stall"/>: no byte moves until the fault ends; then the held bytes go on, in order.</item>
    /// <item><see cref="FaultType.HalfOpen"/>: the upstream side of every connection is closed; what clients send is
    /// swallowed and nothing comes back. Such a connection stays dead after the fault: the next bytes its client sends are answered
    /// with a reset, as a peer that forgot the connection would.</item>
    /// <item><see cref="FaultType.Latency"/>, <see cref="FaultType.Bandwidth"/>: delay or pace each forwarded chunk.</item>
    /// <item><see cref="FaultType.ResetAfterBytes"/>: every connection forwards at most <see cref="Fault.ByteLimit"/> more upstream bytes,
    /// counted from now (or from its start), then both sides are reset.</item>
    /// </list>
    /// </remarks>
    /// <exception cref="ObjectDisposedException">The proxy is disposed.</exception>
    public void SetFault(Fault fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
        if (!TrySetFault(fault))
        {
            throw new ObjectDisposedException(nameof(FaultProxy));
        }
    }

    /// <summary>
    /// Applies <paramref name="steps"/> in order, each for its duration (measured from the script's start, so delays do not add up),
    /// then returns to <see cref="Fault.Pass"/>. The steps are read lazily, so an endless sequence runs until cancelled.
    /// </summary>
    /// <param name="steps">The faults and how long each stays in force.</param>
    /// <param name="cancellationToken">Stops the script; the proxy then returns to <see cref="Fault.Pass"/>.</param>
    /// <returns>A task that completes after the last step, or is cancelled with <paramref name="cancellationToken"/>.
    /// Disposing the proxy ends the script quietly.</returns>
    public async Task RunScriptAsync(IEnumerable<(TimeSpan Duration, Fault Fault)> steps, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(steps);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _lifetime.Token);
        var start = Time.GetTimestamp();
        var due = TimeSpan.Zero;
        try
        {
            foreach (var (duration, fault) in steps)
            {
                ArgumentNullException.ThrowIfNull(fault, nameof(steps));
                ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero, nameof(steps));
                cancellationToken.ThrowIfCancellationRequested();
                if (!TrySetFault(fault))
                {
                    return;
                }

                due += duration;
                var wait = due - Time.GetElapsedTime(start);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, Time, linked.Token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && _lifetime.IsCancellationRequested)
        {
            // Disposed: nothing left to switch.
        }
        finally
        {
            TrySetFault(Fault.Pass);
        }
    }

    /// <summary>Stops listening, resets every open connection and waits for the proxy's tasks to end.</summary>
    /// <returns>A task that completes when everything is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        ProxyConnection[] open;
        Task[] background;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            StopAccepting();
            _listener.Dispose();
            open = [.. _connections];
            background = [.. _background];
        }

        // The fault state is not ended here: connections waiting on it are cancelled by their own abort.
        await _lifetime.CancelAsync().ConfigureAwait(false);
        foreach (var connection in open)
        {
            if (connection.Abort())
            {
                Interlocked.Increment(ref _reset);
            }
        }

        var all = Task.WhenAll([.. open.Select(c => c.Completion), .. background]);
        try
        {
            await all.WaitAsync(_options.DisposeTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Log.DisposeTimedOut(Logger, Port, open.Count(c => !c.Completion.IsCompleted), _options.DisposeTimeout);
            _ = all.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
    }

    internal ValueTask WaitWhileStalledAsync(CancellationToken cancellationToken) =>
        State.Fault.Type == FaultType.Stall ? new ValueTask(WaitWhileStalledSlowAsync(cancellationToken)) : ValueTask.CompletedTask;

    internal void Remove(ProxyConnection connection)
    {
        lock (_gate)
        {
            _connections.Remove(connection);
        }
    }

    internal void CountReset() => Interlocked.Increment(ref _reset);

    internal void CountUpstreamFailure() => Interlocked.Increment(ref _upstreamFailures);

    internal void CountForwarded(bool toUpstream, int bytes)
    {
        if (toUpstream)
        {
            Interlocked.Add(ref _toUpstream, bytes);
        }
        else
        {
            Interlocked.Add(ref _toClients, bytes);
        }
    }

    internal void CountDiscarded(int bytes) => Interlocked.Add(ref _discarded, bytes);

    private async Task WaitWhileStalledSlowAsync(CancellationToken cancellationToken)
    {
        for (var state = State; state.Fault.Type == FaultType.Stall; state = State)
        {
            await state.Ended.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private bool TrySetFault(Fault fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
        FaultState previous;
        ProxyConnection[] affected = [];
        lock (_gate)
        {
            if (_disposed)
            {
                return false;
            }

            previous = _state;
            Volatile.Write(ref _state, new FaultState(fault, previous.Generation + 1));
            Interlocked.Increment(ref _faultsApplied);
            if (fault.Type == FaultType.Refuse)
            {
                if (_acceptStop is not null)
                {
                    StopAccepting();
                    Interlocked.Increment(ref _refusePeriods);
                }
            }
            else
            {
                StartAccepting();
            }

            if (fault.Type is FaultType.Reset or FaultType.HalfOpen || fault is { Type: FaultType.Refuse, ResetExisting: true })
            {
                affected = [.. _connections];
            }
        }

        // Connections are changed outside the lock: closing a socket may run its pumps' continuations inline.
        Log.FaultSet(Logger, Port, fault, previous.Fault);
        previous.End();
        foreach (var connection in affected)
        {
            if (fault.Type == FaultType.HalfOpen)
            {
                if (connection.EnterHalfOpen())
                {
                    Interlocked.Increment(ref _halfOpened);
                }
            }
            else if (connection.Abort())
            {
                Interlocked.Increment(ref _reset);
            }
        }

        return true;
    }

    internal static Socket NewListener()
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
    internal static Socket BindListener(int port)
    {
        Socket? picker = null;
        var socket = NewListener();
        try
        {
            if (port == 0)
            {
                picker = NewListener();
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

    /// <summary>Listens (again) and starts an accept loop, unless one runs; under the lock.</summary>
    private void StartAccepting()
    {
        if (_acceptStop is not null || _disposed)
        {
            return;
        }

        if (!TryListen())
        {
            if (!_retryingListen)
            {
                _retryingListen = true;
                Track(RetryListenAsync());
            }

            return;
        }

        var stop = new CancellationTokenSource();
        _acceptStop = stop;
        Track(AcceptLoopAsync(_listener, stop.Token));
    }

    /// <summary>
    /// Listens on the proxy's port. The socket of a refuse period is still bound (it was shut down, not closed), so it
    /// can listen again and the port was never free for anybody else; failing that, a new socket binds the same port.
    /// </summary>
    private bool TryListen()
    {
        try
        {
            _listener.Listen(_options.Backlog);
            return true;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }

        var fresh = NewListener();
        try
        {
            fresh.Bind(EndPoint);
            fresh.Listen(_options.Backlog);
        }
        catch (SocketException e)
        {
            fresh.Dispose();
            Log.ListenFailed(Logger, Port, e.SocketErrorCode.ToString());
            return false;
        }

        _listener.Dispose();
        _listener = fresh;
        Log.ListeningAgain(Logger, Port);
        return true;
    }

    /// <summary>Stops the accept loop and the listening, keeping the port bound; under the lock.</summary>
    private void StopAccepting()
    {
        if (_acceptStop is not { } stop)
        {
            return;
        }

        _acceptStop = null;
        stop.Cancel();
        stop.Dispose();
        try
        {
            // On Linux, shutting down a listening socket closes its queue (pending handshakes are reset) and stops
            // listening: a connect now gets ECONNREFUSED, while the socket keeps its port and may listen again.
            _listener.Shutdown(SocketShutdown.Receive);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            _listener.Dispose();
        }
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
                await Task.Delay(TimeSpan.FromMilliseconds(100), Time, _lifetime.Token).ConfigureAwait(false);
                lock (_gate)
                {
                    if (_disposed || _acceptStop is not null || _state.Fault.Type == FaultType.Refuse)
                    {
                        _retryingListen = false;
                        return;
                    }

                    if (TryListen())
                    {
                        _retryingListen = false;
                        var stop = new CancellationTokenSource();
                        _acceptStop = stop;
                        Track(AcceptLoopAsync(_listener, stop.Token));
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
            Log.Unexpected(Logger, "listen retry", e);
        }
    }

    private Task AcceptLoopAsync(Socket listener, CancellationToken stop) =>
        AcceptLoop.RunAsync(listener, OnAccepted, Logger, Port, Time, stop);

    private void OnAccepted(Socket client)
    {
        Interlocked.Increment(ref _accepted);
        Socket upstream;
        try
        {
            upstream = new Socket(Upstream.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        }
        catch (SocketException e)
        {
            // Out of descriptors, most likely: this client is turned away, the accept loop goes on.
            Log.AcceptFailed(Logger, Port, e.SocketErrorCode.ToString());
            Interlocked.Increment(ref _reset);
            ProxyConnection.ResetSocket(client);
            return;
        }

        ProxyConnection? connection = null;
        lock (_gate)
        {
            // The connection's first mode is decided under the lock, so a fault set concurrently either sees it or it sees the fault.
            var type = _state.Fault.Type;
            if (!_disposed && type != FaultType.Reset)
            {
                connection = new ProxyConnection(this, client, upstream, Interlocked.Increment(ref _nextConnectionId), halfOpen: type == FaultType.HalfOpen);
                _connections.Add(connection);
            }
        }

        if (connection is null)
        {
            upstream.Dispose();
            Interlocked.Increment(ref _reset);
            ProxyConnection.ResetSocket(client);
            return;
        }

        if (connection.IsHalfOpen)
        {
            Interlocked.Increment(ref _halfOpened);
        }

        connection.Start();
    }
}
