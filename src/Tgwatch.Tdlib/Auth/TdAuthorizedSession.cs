using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using Tgwatch.Tdlib.Functions;
using Tgwatch.Tdlib.Updates;

namespace Tgwatch.Tdlib.Auth;

/// <summary>
/// A TDLib session that reached <c>authorizationStateReady</c>, made by <see cref="OpenAsync"/>.
/// <para>
/// Who reads the updates: <see cref="OpenAsync"/> reads the inner session's <see cref="ITdSession.Updates"/> until
/// Ready, feeding each <c>updateAuthorizationState</c> to <see cref="TdAuthorization"/>. Every other update seen on
/// the way (options, connection state, users, chats, ...) is kept in order and given again, first, by this
/// session's <see cref="Updates"/>, followed by the inner session's own updates: a connector that reads
/// <see cref="Updates"/> after the open misses nothing. The authorization updates up to Ready are consumed; later
/// ones (a revoked session, closing) come through <see cref="Updates"/> like any other update.
/// </para>
/// </summary>
public sealed class TdAuthorizedSession : ITdSession
{
    private readonly ReplayChannelReader<JsonElement> _updates;

    private TdAuthorizedSession(ITdSession inner, IReadOnlyList<JsonElement> earlier, int beforeReady)
    {
        Inner = inner;
        EarlierUpdates = beforeReady;
        _updates = new ReplayChannelReader<JsonElement>(earlier, inner.Updates);
    }

    /// <summary>The session this one reads from and sends to.</summary>
    public ITdSession Inner { get; }

    /// <summary>How many non-authorization updates arrived before Ready (given first by <see cref="Updates"/>).</summary>
    public int EarlierUpdates { get; }

    /// <summary>The updates seen before Ready that were not authorization states, then every update of the inner session.</summary>
    public ChannelReader<JsonElement> Updates => _updates;

    /// <inheritdoc />
    public Task<JsonElement> SendAsync(TdFunction request, TimeSpan? timeout = null, CancellationToken ct = default) =>
        Inner.SendAsync(request, timeout, ct);

    /// <summary>
    /// Starts <paramref name="session"/> (with <c>getAuthorizationState</c>, which also wakes a new TDLib client) and
    /// drives <paramref name="authorization"/> from its updates until <c>authorizationStateReady</c>. The updates are read
    /// on while a step waits for Telegram (a phone number sent without a network waits up to its time-out), so
    /// <paramref name="connection"/> hears of the connection as it changes.
    /// </summary>
    /// <param name="session">A session no one else reads updates from yet.</param>
    /// <param name="authorization">The state machine, with its prompt: <see cref="NoAuthPrompt"/> to require an existing login.</param>
    /// <param name="timeout">How long the whole open may take (null: no limit, e.g. while a person types a code); a time-out throws <see cref="TimeoutException"/>.</param>
    /// <param name="connection">Told each <c>updateConnectionState</c> before Ready, as it comes (on the reading task); null: nobody.</param>
    /// <param name="ct">Cancels the open.</param>
    /// <exception cref="TdlibNotLoggedInException">No account is logged in and the prompt is <see cref="NoAuthPrompt"/>.</exception>
    /// <exception cref="TdlibLoginException">The login could not finish (refused answer, registration, closed, no answer from Telegram).</exception>
    public static async Task<TdAuthorizedSession> OpenAsync(ITdSession session, TdAuthorization authorization, TimeSpan? timeout = null,
        Action<TdConnectionState>? connection = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(authorization);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (timeout is { } t && t != Timeout.InfiniteTimeSpan) limit.CancelAfter(t);
        // Every update read, in TDLib's order: the steps take the authorization states from it, the rest is given again.
        var read = Channel.CreateUnbounded<JsonElement>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        using var stopReading = CancellationTokenSource.CreateLinkedTokenSource(limit.Token);
        var reading = Task.Run(() => ReadAsync(session.Updates, read.Writer, connection, stopReading.Token), CancellationToken.None);
        var earlier = new List<JsonElement>();
        try
        {
            await session.SendAsync(new GetAuthorizationState(), authorization.RequestTimeout, limit.Token).ConfigureAwait(false);
            while (true)
            {
                if (!await read.Reader.WaitToReadAsync(limit.Token).ConfigureAwait(false))
                    throw new TdlibLoginException("TDLib closed the session before the account was logged in");
                while (read.Reader.TryRead(out var update))
                {
                    if (!TdAuthorization.TryGetState(update, out var state))
                    {
                        earlier.Add(update);
                        continue;
                    }
                    if (!await authorization.HandleAsync(state, limit.Token).ConfigureAwait(false)) continue;
                    // Ready: what was read after it comes first, in order, before the session's own updates.
                    var beforeReady = earlier.Count;
                    await stopReading.CancelAsync().ConfigureAwait(false);
                    await reading.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                    while (read.Reader.TryRead(out var later)) earlier.Add(later);
                    return new TdAuthorizedSession(session, earlier, beforeReady);
                }
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested && limit.IsCancellationRequested)
        {
            var seconds = timeout!.Value.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
            throw new TimeoutException($"the TDLib session was not ready within {seconds} s (last authorization state: {authorization.State ?? "none"})");
        }
        finally
        {
            await stopReading.CancelAsync().ConfigureAwait(false);
            await reading.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>Moves the session's updates to <paramref name="read"/> as they come, telling connection states on the way; completes it when they end.</summary>
    private static async Task ReadAsync(ChannelReader<JsonElement> updates, ChannelWriter<JsonElement> read, Action<TdConnectionState>? connection, CancellationToken ct)
    {
        try
        {
            while (await updates.WaitToReadAsync(ct).ConfigureAwait(false))
            {
                // One at a time between checks of the token: what is taken from the session is always passed on.
                while (!ct.IsCancellationRequested && updates.TryRead(out var update))
                {
                    read.TryWrite(update);
                    if (connection is not null && ConnectionStateOf(update) is { } state) connection(state);
                }
            }
            read.TryComplete();
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Ready, or the open failed: the rest of the updates is the session's.
        }
        catch (Exception e)
        {
            // The open ends with it rather than waiting for updates no one reads.
            read.TryComplete(e);
        }
    }

    /// <summary>The state of an <c>updateConnectionState</c>; null for another update.</summary>
    private static TdConnectionState? ConnectionStateOf(JsonElement update) =>
        update.ValueKind == JsonValueKind.Object
        && update.TryGetProperty("@type", out var type) && type.ValueEquals("updateConnectionState")
        && update.TryGetProperty("state", out var state) && state.ValueKind == JsonValueKind.Object
        && state.TryGetProperty("@type", out var stateType) && stateType.ValueKind == JsonValueKind.String
            ? TdLinkState.Parse(stateType.GetString())
            : null;
}
