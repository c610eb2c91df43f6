using System.Globalization;
using System.Text.Json;
using Tgwatch.Connectors;
using Tgwatch.Tdlib.Functions;
using Tgwatch.Tdlib.Updates;

namespace Tgwatch.Tdlib.Connector;

/// <summary>
/// Posts alerts through a user account's TDLib client: <c>sendMessage</c> (plain text, no link preview) or
/// <c>forwardMessages</c>. TDLib answers such a request at once with the message as it is being sent; the outcome comes later
/// as <c>updateMessageSendSucceeded</c> or <c>updateMessageSendFailed</c>, which the <see cref="TdlibConnector"/> reading the
/// session's updates hands here (<see cref="TdlibConnector.Poster"/>): a post is over only then. A post given up (its token
/// cancelled: the request's time-out, a stop) is withdrawn with <c>deleteMessages</c>, so TDLib does not send it later beside
/// the retry.
/// <para>
/// Tgwatch's client sends nothing but alerts, so every message it sent is one of its posts: <see cref="IsOwnPost"/> says so for
/// the latest <see cref="OwnPostsKept"/> of them, before the connector hands that message on as a record (an alert into a watched
/// chat comes back as a record; alert sinks skip it).
/// </para>
/// </summary>
public sealed class TdlibChatPoster : IChatPoster
{
    /// <summary>How many of the latest posts <see cref="IsOwnPost"/> knows.</summary>
    public const int OwnPostsKept = 4096;

    private const int EarlyKept = 256;

    private readonly ITdSession _session;
    private readonly TimeSpan _requestTimeout;
    private readonly Lock _sync = new();
    private readonly Dictionary<(long Chat, long TdId), TaskCompletionSource<PostResult>> _waiting = [];
    private readonly Dictionary<(long Chat, long TdId), PostResult> _early = [];
    private readonly Queue<(long Chat, long TdId)> _earlyOrder = new();
    private readonly HashSet<(long Chat, long ServerId)> _own = [];
    private readonly Queue<(long Chat, long ServerId)> _ownOrder = new();
    private readonly Dictionary<string, long> _chats = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>A poster over <paramref name="session"/>, whose updates a <see cref="TdlibConnector"/> with this <see cref="TdlibConnector.Poster"/> reads.</summary>
    /// <param name="session">The authorized session.</param>
    /// <param name="requestTimeout">How long TDLib may take to answer one request (not the sending itself); by default 30 s.</param>
    public TdlibChatPoster(ITdSession session, TimeSpan? requestTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        _session = session;
        _requestTimeout = requestTimeout ?? TimeSpan.FromSeconds(30);
    }

    /// <inheritdoc />
    public async ValueTask<PostResult> PostAsync(string chat, string text, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(chat);
        ArgumentNullException.ThrowIfNull(text);
        var (chatId, refused) = await ChatIdAsync(chat, ct).ConfigureAwait(false);
        if (refused is { } r) return r;
        JsonElement answer;
        try
        {
            answer = await _session.SendAsync(new SendMessage(chatId, new InputMessageText(new FormattedText(text))), _requestTimeout, ct).ConfigureAwait(false);
        }
        catch (TdlibErrorException e)
        {
            return ErrorOf(e.Code, e.TdMessage);
        }
        return await OutcomeAsync(chatId, answer, ct).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<PostResult> ForwardAsync(string chat, long fromChatId, long messageId, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(chat);
        var (chatId, refused) = await ChatIdAsync(chat, ct).ConfigureAwait(false);
        if (refused is { } r) return r;
        JsonElement answer;
        try
        {
            answer = await _session.SendAsync(new ForwardMessages(chatId, fromChatId, [TdMessageIds.FromServerId(messageId)], SendCopy: false, RemoveCaption: false),
                _requestTimeout, ct).ConfigureAwait(false);
        }
        catch (TdlibErrorException e)
        {
            return ErrorOf(e.Code, e.TdMessage);
        }
        if (answer.ValueKind != JsonValueKind.Object || !answer.TryGetProperty("messages"u8, out var messages) || messages.ValueKind != JsonValueKind.Array
            || messages.GetArrayLength() != 1)
            return PostResult.Error(500, "TDLib's answer to forwardMessages has no list of one message");
        var sent = messages[0];
        return sent.ValueKind == JsonValueKind.Null
            ? PostResult.Error(400, "the message can't be forwarded (a protected chat's, or no longer there)")
            : await OutcomeAsync(chatId, sent, ct).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public bool IsOwnPost(long chatId, long messageId)
    {
        lock (_sync) return _own.Contains((chatId, messageId));
    }

    /// <summary>A message this client sent reached the server (<c>updateMessageSendSucceeded</c>); called before it goes on as a record.</summary>
    internal void Succeeded(long chatId, long oldTdMessageId, long serverId)
    {
        lock (_sync)
        {
            if (_own.Add((chatId, serverId)))
            {
                _ownOrder.Enqueue((chatId, serverId));
                if (_ownOrder.Count > OwnPostsKept) _own.Remove(_ownOrder.Dequeue());
            }
            Settle((chatId, oldTdMessageId), PostResult.Posted);
        }
    }

    /// <summary>A message this client sent was refused (<c>updateMessageSendFailed</c>).</summary>
    internal void Failed(long chatId, long oldTdMessageId, int code, string error)
    {
        lock (_sync) Settle((chatId, oldTdMessageId), ErrorOf(code, error));
    }

    private void Settle((long Chat, long TdId) message, PostResult result)
    {
        if (_waiting.Remove(message, out var waiter))
        {
            waiter.TrySetResult(result);
            return;
        }
        // The outcome came before the answer that names the message was read: kept for it a while.
        if (_early.TryAdd(message, result))
        {
            _earlyOrder.Enqueue(message);
            if (_earlyOrder.Count > EarlyKept) _early.Remove(_earlyOrder.Dequeue());
        }
    }

    /// <summary>Waits for the outcome of the message TDLib is sending (<paramref name="sending"/>, its answer); withdraws it when given up.</summary>
    private async ValueTask<PostResult> OutcomeAsync(long chatId, JsonElement sending, CancellationToken ct)
    {
        if (!sending.TryGetProperty("id"u8, out var idElement) || !idElement.TryGetInt64(out var tdId))
            return PostResult.Error(500, "TDLib's answer has no message id");
        if (!sending.TryGetProperty("sending_state"u8, out var state) || state.ValueKind == JsonValueKind.Null)
        {
            // Already on the server (TDLib had nothing to wait for).
            Succeeded(chatId, tdId, TdMessageIds.ToServerId(tdId));
            return PostResult.Posted;
        }
        TaskCompletionSource<PostResult> waiter;
        lock (_sync)
        {
            if (_early.Remove((chatId, tdId), out var early)) return early;
            waiter = new TaskCompletionSource<PostResult>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiting[(chatId, tdId)] = waiter;
        }
        try
        {
            return await waiter.Task.WaitAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            bool pending;
            lock (_sync) pending = _waiting.Remove((chatId, tdId));
            if (pending) await WithdrawAsync(chatId, tdId).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Deletes a message still being sent, so TDLib does not send it after the post was given up (best effort).</summary>
    private async Task WithdrawAsync(long chatId, long tdId)
    {
        try
        {
            await _session.SendAsync(new DeleteMessages(chatId, [tdId], Revoke: true), TimeSpan.FromSeconds(5), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TdlibErrorException or TimeoutException or TdlibClientClosedException or OperationCanceledException)
        {
            // Sent meanwhile (the alert is there, and may go again: at least once) or the client is closing.
        }
    }

    /// <summary>TDLib's chat id of <paramref name="chat"/> (a numeric id, or an @username looked up once), or the refusal.</summary>
    private async ValueTask<(long Id, PostResult? Refused)> ChatIdAsync(string chat, CancellationToken ct)
    {
        lock (_sync)
        {
            if (_chats.TryGetValue(chat, out var known)) return (known, null);
        }
        try
        {
            long id;
            if (long.TryParse(chat, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out id))
            {
                // TDLib sends only into chats it knows: getChat loads it (from its database or the server).
                await _session.SendAsync(new GetChat(id), _requestTimeout, ct).ConfigureAwait(false);
            }
            else
            {
                var found = await _session.SendAsync(new SearchPublicChat(chat.TrimStart('@')), _requestTimeout, ct).ConfigureAwait(false);
                if (!found.TryGetProperty("id"u8, out var idElement) || !idElement.TryGetInt64(out id))
                    return (0, PostResult.Error(500, "TDLib's answer to searchPublicChat has no chat id"));
            }
            lock (_sync) _chats[chat] = id;
            return (id, null);
        }
        catch (TdlibErrorException e)
        {
            return (0, ErrorOf(e.Code, e.TdMessage));
        }
    }

    private static PostResult ErrorOf(int code, string error) => PostResult.Error(code, error, FloodWait.Of(error));
}
