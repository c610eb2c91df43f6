using System.Buffers;
using System.Net.Sockets;

namespace Tgwatch.Chaos;

/// <summary>
/// One client connection of a <see cref="FaultProxy"/> and its upstream connection, forwarded by two pumps
/// that consult the proxy's fault for every chunk.
/// </summary>
internal sealed class ProxyConnection
{
    private readonly FaultProxy _proxy;
    private readonly Socket _client;
    private readonly Socket _upstream;
    private readonly long _id;
    private readonly Lock _sync = new();
    private readonly CancellationTokenSource _closing = new();
    private readonly Task<Task> _runner;
    private bool _closed;
    private volatile bool _halfOpen;

    // Upstream bytes forwarded under the ResetAfterBytes fault of generation _budgetGeneration (touched by the upstream pump only).
    private long _budgetGeneration = -1;
    private long _budgetUsed;

    /// <param name="proxy">The owner.</param>
    /// <param name="client">The accepted client socket.</param>
    /// <param name="upstream">A new, unconnected socket for the upstream side.</param>
    /// <param name="id">The connection's number, for logs.</param>
    /// <param name="halfOpen">Whether a half-open fault is in force: then upstream is never connected.</param>
    public ProxyConnection(FaultProxy proxy, Socket client, Socket upstream, long id, bool halfOpen)
    {
        _proxy = proxy;
        _client = client;
        _id = id;
        _upstream = upstream;
        _halfOpen = halfOpen;
        if (halfOpen)
        {
            _upstream.Dispose();
        }

        _runner = new Task<Task>(RunAsync);
        Completion = _runner.Unwrap();
    }

    /// <summary>Completes when both sockets are closed; never faults.</summary>
    public Task Completion { get; }

    public bool IsHalfOpen => _halfOpen;

    /// <summary>Resets <paramref name="socket"/> (RST instead of FIN) and closes it.</summary>
    public static void ResetSocket(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }

        socket.Dispose();
    }

    public void Start() => _runner.Start(TaskScheduler.Default);

    /// <summary>Resets both sides; <see langword="false"/> when the connection was already closed.</summary>
    public bool Abort()
    {
        lock (_sync)
        {
            if (_closed)
            {
                return false;
            }

            _closed = true;
        }

        ResetSocket(_client);
        ResetSocket(_upstream);
        _closing.Cancel();
        return true;
    }

    /// <summary>Closes the upstream side and keeps the client side; <see langword="false"/> when already half-open or closed.</summary>
    public bool EnterHalfOpen()
    {
        lock (_sync)
        {
            if (_closed || _halfOpen)
            {
                return false;
            }

            _halfOpen = true;
        }

        // The upstream server sees the connection end; the pump reading from it stops without telling the client.
        _upstream.Dispose();
        return true;
    }

    private bool IsClosed
    {
        get
        {
            lock (_sync)
            {
                return _closed;
            }
        }
    }

    private async Task RunAsync()
    {
        try
        {
            SetNoDelay(_client);
            if (!await ConnectUpstreamAsync().ConfigureAwait(false))
            {
                return;
            }

            await Task.WhenAll(
                PumpAsync(_client, _upstream, toUpstream: true),
                PumpAsync(_upstream, _client, toUpstream: false)).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            if (!IsClosed)
            {
                Log.Unexpected(_proxy.Logger, $"connection {_id}", e);
            }
        }
        finally
        {
            Close();
            _proxy.Remove(this);
        }
    }

    /// <summary>Connects upstream; <see langword="false"/> when the connection is over (reset, or upstream unreachable).</summary>
    private async Task<bool> ConnectUpstreamAsync()
    {
        if (_halfOpen)
        {
            return true;
        }

        try
        {
            using var timeout = new CancellationTokenSource(_proxy.UpstreamConnectTimeout, _proxy.Time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(_closing.Token, timeout.Token);
            await _upstream.ConnectAsync(_proxy.Upstream, linked.Token).ConfigureAwait(false);
            SetNoDelay(_upstream);
            return true;
        }
        catch (Exception) when (_halfOpen)
        {
            return true;
        }
        catch (Exception) when (IsClosed)
        {
            return false;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            _proxy.CountUpstreamFailure();
            Log.UpstreamUnreachable(_proxy.Logger, _id, _proxy.Upstream, Describe(e));
            if (Abort())
            {
                _proxy.CountReset();
            }

            return false;
        }
    }

    private async Task PumpAsync(Socket from, Socket to, bool toUpstream)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(_proxy.BufferSize);
        var cancellation = _closing.Token;
        try
        {
            while (true)
            {
                if (!toUpstream && _halfOpen)
                {
                    return;
                }

                if (!_halfOpen)
                {
                    // No reading during a stall either, so the senders feel TCP back-pressure.
                    await _proxy.WaitWhileStalledAsync(cancellation).ConfigureAwait(false);
                }

                int read;
                try
                {
                    read = await from.ReceiveAsync(buffer.AsMemory(0, ChunkSize()), SocketFlags.None, cancellation).ConfigureAwait(false);
                }
                catch (Exception) when (!toUpstream && _halfOpen)
                {
                    return;
                }

                if (read == 0)
                {
                    EndOfStream(to, toUpstream);
                    return;
                }

                if (!await ForwardAsync(buffer, read, to, toUpstream, cancellation).ConfigureAwait(false))
                {
                    return;
                }
            }
        }
        catch (Exception) when (IsClosed)
        {
            // Reset or disposed under our feet: expected.
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException)
        {
            Fail(toUpstream ? "client" : "upstream", e);
        }
        catch (Exception e)
        {
            Log.Unexpected(_proxy.Logger, $"connection {_id}", e);
            Fail(toUpstream ? "client" : "upstream", e);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Forwards one chunk under the fault in force; <see langword="false"/> when the pump must stop.</summary>
    private async ValueTask<bool> ForwardAsync(byte[] buffer, int count, Socket to, bool toUpstream, CancellationToken cancellation)
    {
        var arrived = _proxy.Time.GetTimestamp();
        ProxyFaultState state;
        while (true)
        {
            state = _proxy.State;
            if (_halfOpen)
            {
                if (!toUpstream)
                {
                    return false;
                }

                if (state.Fault.Kind != ProxyFaultKind.HalfOpen)
                {
                    // The network is back, but the upstream end forgot this connection: it answers with a reset.
                    if (Abort())
                    {
                        _proxy.CountReset();
                    }

                    return false;
                }

                _proxy.CountDiscarded(count);
                return true;
            }

            if (state.Fault.Kind == ProxyFaultKind.Stall)
            {
                await state.Ended.WaitAsync(cancellation).ConfigureAwait(false);
                continue;
            }

            if (state.Fault.Kind == ProxyFaultKind.Latency)
            {
                var wait = state.Fault.Delay - _proxy.Time.GetElapsedTime(arrived);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, _proxy.Time, cancellation).ConfigureAwait(false);
                    continue;
                }
            }

            break;
        }

        if (!toUpstream && state.Fault.Kind == ProxyFaultKind.ResetAfterBytes)
        {
            if (_budgetGeneration != state.Generation)
            {
                _budgetGeneration = state.Generation;
                _budgetUsed = 0;
            }

            var left = state.Fault.ByteLimit - _budgetUsed;
            if (left < count)
            {
                if (left > 0)
                {
                    await SendAllAsync(to, buffer.AsMemory(0, (int)left), cancellation).ConfigureAwait(false);
                    _proxy.CountForwarded(toUpstream, (int)left);
                }

                if (Abort())
                {
                    _proxy.CountReset();
                }

                return false;
            }

            _budgetUsed += count;
        }

        try
        {
            await SendAllAsync(to, buffer.AsMemory(0, count), cancellation).ConfigureAwait(false);
        }
        catch (Exception) when (toUpstream && _halfOpen)
        {
            // Became half-open while sending: the rest is swallowed like everything after it.
            _proxy.CountDiscarded(count);
            return true;
        }

        _proxy.CountForwarded(toUpstream, count);
        if (state.Fault.Kind == ProxyFaultKind.Bandwidth)
        {
            var pace = TimeSpan.FromTicks(count * TimeSpan.TicksPerSecond / state.Fault.BytesPerSecond);
            await Task.Delay(pace, _proxy.Time, cancellation).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>How much to read at once: the buffer, or about a tenth of a second's worth under a bandwidth limit.</summary>
    private int ChunkSize()
    {
        var fault = _proxy.State.Fault;
        return fault.Kind == ProxyFaultKind.Bandwidth
            ? (int)Math.Clamp(fault.BytesPerSecond / 10, 1, _proxy.BufferSize)
            : _proxy.BufferSize;
    }

    /// <summary>Forwards small writes at once (a proxy must not add Nagle delays); a socket already reset is left to its pump.</summary>
    private static void SetNoDelay(Socket socket)
    {
        try
        {
            socket.NoDelay = true;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }

    private static async ValueTask SendAllAsync(Socket to, ReadOnlyMemory<byte> data, CancellationToken cancellation)
    {
        while (!data.IsEmpty)
        {
            var sent = await to.SendAsync(data, SocketFlags.None, cancellation).ConfigureAwait(false);
            data = data[sent..];
        }
    }

    /// <summary>One side finished sending: pass the FIN on, so the other side sees the end too.</summary>
    private void EndOfStream(Socket to, bool toUpstream)
    {
        if (_halfOpen)
        {
            // The client hung up on a dead connection; nothing to tell anybody.
            return;
        }

        try
        {
            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            if (!IsClosed)
            {
                Fail(toUpstream ? "upstream" : "client", e);
            }
        }
    }

    /// <summary>A side failed (reset, refused, broken): reset both, so the other peer learns of it as it would without the proxy.</summary>
    private void Fail(string side, Exception e)
    {
        if (Abort())
        {
            _proxy.CountReset();
            Log.SideFailed(_proxy.Logger, _id, side, Describe(e));
        }
    }

    /// <summary>Closes both sockets normally, unless already closed.</summary>
    private void Close()
    {
        lock (_sync)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
        }

        _client.Dispose();
        _upstream.Dispose();
        _closing.Cancel();
    }

    private static string Describe(Exception e) => e switch
    {
        SocketException socket => socket.SocketErrorCode.ToString(),
        IOException { InnerException: SocketException socket } => socket.SocketErrorCode.ToString(),
        _ => e.GetType().Name,
    };
}
