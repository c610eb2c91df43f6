using System.Text.Json;
using System.Threading.Channels;
using Tgwatch.Secrets;
using Tgwatch.Tdlib.Functions;
using Tgwatch.Tdlib.Native;

namespace Tgwatch.Tdlib;

/// <summary>
/// One TDLib client (one account). Requests get their answer through <see cref="SendAsync"/>, with our own
/// timeout; everything else TDLib sends for this client arrives in <see cref="Updates"/>.
/// </summary>
public sealed class TdClient : ITdSession, IAsyncDisposable
{
    /// <summary>How long disposing waits for TDLib to report the client closed.</summary>
    public static readonly TimeSpan CloseWait = TimeSpan.FromSeconds(10);

    private readonly TdClientHost _host;
    private readonly Channel<JsonElement> _updates;
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _closing = new(); // never disposed: the receive thread may still look at it
    private int _closeSent;
    private TdlibDatabaseLock? _databaseLock;

    internal TdClient(TdClientHost host, int id, int capacity)
    {
        _host = host;
        Id = id;
        _updates = Channel.CreateBounded<JsonElement>(new BoundedChannelOptions(capacity)
        {
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>TDLib's client id.</summary>
    public int Id { get; }

    /// <summary>The process's TDLib runtime the client belongs to.</summary>
    public TdClientHost Host => _host;

    /// <summary>
    /// TDLib objects for this client that answer no request (updates), raw. Completed after
    /// <c>authorizationStateClosed</c>. Read it steadily: when it is full, the receive thread of the whole
    /// process waits for it, so answers to every client wait too.
    /// </summary>
    public ChannelReader<JsonElement> Updates => _updates.Reader;

    /// <summary>Completes when TDLib reported <c>authorizationStateClosed</c> for this client.</summary>
    public Task Closed => _closed.Task;

    /// <summary>
    /// Sends <paramref name="request"/> (with its <c>@extra</c>, which matches the answer to it) and returns TDLib's
    /// answer. An <c>error</c> answer throws <see cref="TdlibErrorException"/>; no answer within
    /// <paramref name="timeout"/> (default <see cref="TdClientHostOptions.DefaultRequestTimeout"/>) throws
    /// <see cref="TimeoutException"/>; a closed client throws <see cref="TdlibClientClosedException"/>.
    /// </summary>
    public async Task<JsonElement> SendAsync(TdFunction request, TimeSpan? timeout = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var type = request.TypeName;
        if (_closed.Task.IsCompleted) throw new TdlibClientClosedException(Id, type);
        ct.ThrowIfCancellationRequested();
        var limit = timeout ?? _host.Options.DefaultRequestTimeout;

        var extra = _host.NextExtra();
        var pending = new PendingRequest(this, type);
        _host.AddPending(extra, pending);
        try
        {
            Send(request with { Extra = extra });
            return await pending.Answer.WaitAsync(limit, ct).ConfigureAwait(false);
        }
        catch (TimeoutException) when (!pending.Answer.IsCompleted)
        {
            throw new TimeoutException($"TDLib did not answer {type} within {limit.TotalSeconds:0.###} s");
        }
        finally
        {
            _host.RemovePending(extra);
        }
    }

    /// <summary>
    /// Sends <c>setTdlibParameters</c> after taking the database directory's lock (held until the client is
    /// closed). A directory in use throws <see cref="TdlibDatabaseInUseException"/>.
    /// </summary>
    public async Task SetParametersAsync(TdlibParameters parameters, TimeSpan? timeout = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (_databaseLock is not null) throw new InvalidOperationException("TDLib parameters were already set for this client");
        SecretRedactor.Default.Register(parameters.ApiHash);
        _databaseLock = TdlibDatabaseLock.Acquire(parameters.DatabaseDirectory);
        await SendAsync(parameters.ToRequest(), timeout, ct).ConfigureAwait(false);
    }

    /// <summary>Sends <c>close</c> (once) and waits, up to <paramref name="wait"/>, for <c>authorizationStateClosed</c>.</summary>
    public async Task CloseAsync(TimeSpan? wait = null)
    {
        if (!_closed.Task.IsCompleted && Interlocked.Exchange(ref _closeSent, 1) == 0)
        {
            Send(new Close());
        }
        await _closed.Task.WaitAsync(wait ?? CloseWait).ConfigureAwait(false);
    }

    /// <summary>Closes the client (bounded wait) and forgets it.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await CloseAsync().ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // TDLib did not confirm in time; the client is abandoned either way.
        }
        finally
        {
            MarkClosed();
        }
    }

    private unsafe void Send(TdFunction request)
    {
        var utf8 = RequestText.Of(request);
        fixed (byte* text = utf8) TdJson.td_send_utf8(Id, text);
    }

    /// <summary>Called on the receive thread with an object that answers no request.</summary>
    internal void Deliver(JsonElement update)
    {
        if (!_closing.IsCancellationRequested)
        {
            while (!_updates.Writer.TryWrite(update))
            {
                try
                {
                    if (!_updates.Writer.WaitToWriteAsync(_closing.Token).AsTask().GetAwaiter().GetResult()) break;
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
        if (IsClosedState(update)) MarkClosed();
    }

    private void MarkClosed()
    {
        if (!_closed.TrySetResult()) return;
        _updates.Writer.TryComplete();
        _host.Forget(this);
        _host.FailPending(this);
        Interlocked.Exchange(ref _databaseLock, null)?.Dispose();
        _closing.Cancel();
    }

    private static bool IsClosedState(JsonElement update) =>
        update.TryGetProperty("@type", out var type) && type.ValueEquals("updateAuthorizationState")
        && update.TryGetProperty("authorization_state", out var state)
        && state.TryGetProperty("@type", out var stateType) && stateType.ValueEquals("authorizationStateClosed");
}
