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
/// One <see cref="ProxyFault"/> is in force at a time; <see cref="SetFault"/> switches it at once for open and new
/// connections, and <see cref="RunScriptAsync"/> switches it on a timetable. What a client sees for each fault is
/// described on <see cref="ProxyFaultKind"/>'s members and in <see cref="SetFault"/>.
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
    private readonly CancellationTokenSource _lifetime = new();
    private readonly FaultProxyOptions _options;
    private readonly LoopbackListener _listener;
    private ProxyFaultState _state = new(ProxyFault.Pass, 0);
    private bool _disposed;
    private long _nextConnectionId;


    private FaultProxy(IPEndPoint upstream, FaultProxyOptions options, ILogger logger, TimeProvider time)
    {
        Upstream = upstream;
        _options = options;
        Logger = logger;
        Time = time;
        _listener = new LoopbackListener(options.Port, options.Backlog, OnAccepted, logger, time);
        Stats = new FaultProxyStats(_listener, () =>
        {
            lock (_gate) return _connections.Count;
        });
    }

    /// <summary>The loopback endpoint clients connect to.</summary>
    public IPEndPoint EndPoint => _listener.EndPoint;

    /// <summary>The loopback port clients connect to; it stays the same for the proxy's lifetime.</summary>
    public int Port => _listener.Port;

    /// <summary>Where connections are forwarded to.</summary>
    public IPEndPoint Upstream { get; }

    /// <summary>The fault in force.</summary>
    public ProxyFault CurrentFault => State.Fault;

    /// <summary>Whether the proxy accepts connections now (it does not while a <see cref="ProxyFaultKind.Refuse"/> fault is in force).</summary>
    public bool IsListening => _listener.IsListening;

    /// <summary>What the proxy has done since it started (live counters).</summary>
    public FaultProxyStats Stats { get; }

    internal ILogger Logger { get; }

    internal TimeProvider Time { get; }

    internal int BufferSize => _options.BufferSize;

    internal TimeSpan UpstreamConnectTimeout => _options.UpstreamConnectTimeout;

    internal ProxyFaultState State => Volatile.Read(ref _state);

    /// <summary>Starts a proxy on 127.0.0.1 that forwards to <paramref name="upstream"/>.</summary>
    /// <param name="upstream">Where to forward connections to.</param>
    /// <param name="options">Settings; the defaults pick a free port and start with <see cref="ProxyFault.Pass"/>.</param>
    /// <param name="logger">Where fault changes and failures are logged; none by default.</param>
    /// <param name="time">The clock for scripts, latency and bandwidth; the system clock by default.</param>
    /// <returns>The running proxy, listening unless the initial fault is <see cref="ProxyFaultKind.Refuse"/>.</returns>
    /// <exception cref="SocketException">The port could not be bound.</exception>
    public static FaultProxy Start(IPEndPoint upstream, FaultProxyOptions? options = null, ILogger? logger = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(upstream);
        options ??= new FaultProxyOptions();
        options.Validate();
        var proxy = new FaultProxy(upstream, options, logger ?? NullLogger.Instance, time ?? TimeProvider.System);
        proxy._listener.StartOrRetry();
        Log.Started(proxy.Logger, proxy.EndPoint, upstream);
        if (options.InitialFault != ProxyFault.Pass)
        {
            proxy.SetFault(options.InitialFault);
        }

        return proxy;
    }

    /// <summary>Puts <paramref name="fault"/> in force now, for open and new connections.</summary>
    /// <param name="fault">The fault.</param>
    /// <remarks>
    /// <list type="bullet">
    /// <item><see cref="ProxyFaultKind.Pass"/>: forwarding resumes (held bytes of a stall are delivered); a refused port listens again.</item>
    /// <item><see cref="ProxyFaultKind.Reset"/>: open connections are reset on both sides; new ones are accepted and reset.</item>
    /// <item><see cref="ProxyFaultKind.Refuse"/>: the port stops listening (connects get ECONNREFUSED) and listens again, on the
    /// same port, when another fault replaces it; open connections keep going, or are reset with <see cref="ProxyFault.RefuseAndReset"/>.</item>
    /// <item><see cref="ProxyFaultKind.Stall"/>: no byte moves until the fault ends; then the held bytes go on, in order.</item>
    /// <item><see cref="ProxyFaultKind.HalfOpen"/>: the upstream side of every connection is closed; what clients send is
    /// swallowed and nothing comes back. Such a connection stays dead after the fault: the next bytes its client sends are answered
    /// with a reset, as a peer that forgot the connection would.</item>
    /// <item><see cref="ProxyFaultKind.Latency"/>, <see cref="ProxyFaultKind.Bandwidth"/>: delay or pace each forwarded chunk.</item>
    /// <item><see cref="ProxyFaultKind.ResetAfterBytes"/>: every connection forwards at most <see cref="ProxyFault.ByteLimit"/> more upstream bytes,
    /// counted from now (or from its start), then both sides are reset.</item>
    /// </list>
    /// </remarks>
    /// <exception cref="ObjectDisposedException">The proxy is disposed.</exception>
    public void SetFault(ProxyFault fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
        if (!TrySetFault(fault))
        {
            throw new ObjectDisposedException(nameof(FaultProxy));
        }
    }

    /// <summary>
    /// Applies <paramref name="steps"/> in order, each for its duration (measured from the script's start, so delays do not add up),
    /// then returns to <see cref="ProxyFault.Pass"/>. The steps are read lazily, so an endless sequence runs until cancelled.
    /// </summary>
    /// <param name="steps">The faults and how long each stays in force.</param>
    /// <param name="cancellationToken">Stops the script; the proxy then returns to <see cref="ProxyFault.Pass"/>.</param>
    /// <returns>A task that completes after the last step, or is cancelled with <paramref name="cancellationToken"/>.
    /// Disposing the proxy ends the script quietly.</returns>
    public async Task RunScriptAsync(IEnumerable<(TimeSpan Duration, ProxyFault Fault)> steps, CancellationToken cancellationToken = default)
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
            TrySetFault(ProxyFault.Pass);
        }
    }

    /// <summary>Stops listening, resets every open connection and waits for the proxy's tasks to end.</summary>
    /// <returns>A task that completes when everything is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        ProxyConnection[] open;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _listener.Close();
            open = [.. _connections];
        }

        // The fault state is not ended here: connections waiting on it are cancelled by their own abort.
        await _lifetime.CancelAsync().ConfigureAwait(false);
        foreach (var connection in open)
        {
            if (connection.Abort())
            {
                Interlocked.Increment(ref Stats.reset);
            }
        }

        await _listener.DrainAsync([.. open.Select(c => c.Completion)], _options.DisposeTimeout).ConfigureAwait(false);
    }

    internal ValueTask WaitWhileStalledAsync(CancellationToken cancellationToken) =>
        State.Fault.Kind == ProxyFaultKind.Stall ? new ValueTask(WaitWhileStalledSlowAsync(cancellationToken)) : ValueTask.CompletedTask;

    internal void Remove(ProxyConnection connection)
    {
        lock (_gate)
        {
            _connections.Remove(connection);
        }
    }

    internal void CountReset() => Interlocked.Increment(ref Stats.reset);

    internal void CountUpstreamFailure() => Interlocked.Increment(ref Stats.upstreamFailures);

    internal void CountForwarded(bool toUpstream, int bytes)
    {
        if (toUpstream)
        {
            Interlocked.Add(ref Stats.toUpstream, bytes);
        }
        else
        {
            Interlocked.Add(ref Stats.toClients, bytes);
        }
    }

    internal void CountDiscarded(int bytes) => Interlocked.Add(ref Stats.discarded, bytes);

    private async Task WaitWhileStalledSlowAsync(CancellationToken cancellationToken)
    {
        for (var state = State; state.Fault.Kind == ProxyFaultKind.Stall; state = State)
        {
            await state.Ended.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private bool TrySetFault(ProxyFault fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
        ProxyFaultState previous;
        ProxyConnection[] affected = [];
        lock (_gate)
        {
            if (_disposed)
            {
                return false;
            }

            previous = _state;
            Volatile.Write(ref _state, new ProxyFaultState(fault, previous.Generation + 1));
            Interlocked.Increment(ref Stats.faultsApplied);
            if (fault.Kind == ProxyFaultKind.Refuse)
            {
                _listener.Stop();
            }
            else
            {
                _listener.StartOrRetry();
            }

            if (fault.Kind is ProxyFaultKind.Reset or ProxyFaultKind.HalfOpen || fault is { Kind: ProxyFaultKind.Refuse, ResetExisting: true })
            {
                affected = [.. _connections];
            }
        }

        // Connections are changed outside the lock: closing a socket may run its pumps' continuations inline.
        Log.FaultSet(Logger, Port, fault, previous.Fault);
        previous.End();
        foreach (var connection in affected)
        {
            if (fault.Kind == ProxyFaultKind.HalfOpen)
            {
                if (connection.EnterHalfOpen())
                {
                    Interlocked.Increment(ref Stats.halfOpened);
                }
            }
            else if (connection.Abort())
            {
                Interlocked.Increment(ref Stats.reset);
            }
        }

        return true;
    }

    private void OnAccepted(Socket client)
    {
        Socket upstream;
        try
        {
            upstream = new Socket(Upstream.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        }
        catch (SocketException e)
        {
            // Out of descriptors, most likely: this client is turned away, the accept loop goes on.
            Log.AcceptFailed(Logger, Port, e.SocketErrorCode.ToString());
            Interlocked.Increment(ref Stats.reset);
            ProxyConnection.ResetSocket(client);
            return;
        }

        ProxyConnection? connection = null;
        lock (_gate)
        {
            // The connection's first mode is decided under the lock, so a fault set concurrently either sees it or it sees the fault.
            var kind = _state.Fault.Kind;
            if (!_disposed && kind != ProxyFaultKind.Reset)
            {
                connection = new ProxyConnection(this, client, upstream, Interlocked.Increment(ref _nextConnectionId), halfOpen: kind == ProxyFaultKind.HalfOpen);
                _connections.Add(connection);
            }
        }

        if (connection is null)
        {
            upstream.Dispose();
            Interlocked.Increment(ref Stats.reset);
            ProxyConnection.ResetSocket(client);
            return;
        }

        if (connection.IsHalfOpen)
        {
            Interlocked.Increment(ref Stats.halfOpened);
        }

        connection.Start();
    }
}
