using System.Text.Json;
using Microsoft.Extensions.Logging;
using Tgwatch.Connectors;
using Tgwatch.Messages;
using Tgwatch.Tdlib.Functions;
using Tgwatch.Tdlib.Updates;

namespace Tgwatch.Tdlib.Connector;

/// <summary>
/// The connector's requests about chats, each sent until it is answered: FLOOD_WAIT waits what TDLib says, time-outs
/// and server errors back off; an answer that will not change by retrying (400/403/404) is a refusal (null).
/// </summary>
internal sealed class ChatRequests(
    ITdSession session, TdUpdateReader reader, TdlibConnectorOptions options, TdlibConnectorStats stats, MalformedObjects malformed,
    ILogger logger, TimeProvider time)
{
    /// <summary>The chat id and its last message's TDLib id, or null when it does not exist.</summary>
    public async Task<(long ChatId, long LastTdId)?> ResolveAsync(ChatSpec spec, CancellationToken ct)
    {
        TdFunction request = spec.Id is { } id ? new GetChat(id) : new SearchPublicChat(spec.Username ?? "");
        var answer = await CallAsync(request, $"finding chat {spec}", ct, reportRefusal: false).ConfigureAwait(false);
        if (answer is not { } chat)
        {
            TdlibLog.ChatNotFound(logger, spec.ToString());
            return null;
        }
        reader.Directory.TryApplyChat(chat, out _);
        if (chat.ValueKind != JsonValueKind.Object || !chat.TryGetProperty("id", out var idElement) || idElement.ValueKind != JsonValueKind.Number || !idElement.TryGetInt64(out var chatId))
        {
            TdlibLog.ChatNotFound(logger, spec.ToString());
            return null;
        }
        return (chatId, LastTdIdOf(chat));
    }

    /// <summary>The server id of the chat's newest message now, 0 when it has none or TDLib does not say.</summary>
    public async Task<long> NewestServerIdAsync(long chatId, CancellationToken ct)
    {
        var spec = new ChatSpec(chatId, null);
        var chat = await CallAsync(new GetChat(chatId), $"reading chat {spec}", ct, reportRefusal: false).ConfigureAwait(false);
        var last = chat is { } c ? LastTdIdOf(c) : 0;
        if (last == 0) last = await NewestAsync(chatId, spec, ct).ConfigureAwait(false);
        return TdMessageIds.ToServerId(last);
    }

    /// <summary>The TDLib id of the chat's newest message, 0 when it has none (or TDLib refuses its history).</summary>
    public async Task<long> NewestAsync(long chatId, ChatSpec spec, CancellationToken ct)
    {
        var request = new GetChatHistory(chatId, FromMessageId: 0, Offset: 0, Limit: 1, OnlyLocal: false);
        if (await CallAsync(request, $"finding the last message of chat {spec}", ct).ConfigureAwait(false) is not { } page) return 0;
        var messages = reader.ReadMessages(page, MessageKind.New, out var unreadable);
        foreach (var reason in unreadable) malformed.Count("message", reason);
        return messages.Select(m => m.TdMessageId).DefaultIfEmpty(0).Max();
    }

    /// <summary>Opens the chat; a refusal is told, not thrown.</summary>
    public async Task OpenAsync(long chatId, ChatSpec spec, CancellationToken ct)
    {
        // Without openChat TDLib may not keep a channel's updates coming in real time.
        if (await CallAsync(new OpenChat(chatId), $"opening chat {spec}", ct).ConfigureAwait(false) is null)
            TdlibLog.ChatNotOpened(logger, spec.ToString());
    }

    /// <summary>One getChatHistory call: the server messages of the page (null when TDLib refuses the chat's history).</summary>
    public async Task<List<TdMappedMessage>?> HistoryAsync(long chatId, long fromTdId, int offset, int limit, CancellationToken ct)
    {
        var request = new GetChatHistory(chatId, fromTdId, offset, limit, OnlyLocal: false);
        Interlocked.Increment(ref stats.historyCalls);
        if (await CallAsync(request, $"catching up chat {chatId}", ct).ConfigureAwait(false) is not { } answer) return null;
        var messages = reader.ReadMessages(answer, MessageKind.New, out var unreadable);
        foreach (var reason in unreadable) malformed.Count("message", reason);
        return [.. messages.Where(m => m.IsServerMessage)];
    }

    /// <summary>An edited message read again; null when TDLib refuses it or it cannot be read.</summary>
    public async Task<TdMappedMessage?> EditedAsync(long chatId, long tdMessageId, CancellationToken ct)
    {
        var request = new GetMessage(chatId, tdMessageId);
        if (await CallAsync(request, $"reading an edited message in chat {chatId}", ct).ConfigureAwait(false) is not { } answer) return null;
        var m = reader.ReadMessage(answer, MessageKind.Edit, out var unreadable);
        if (m is null) malformed.Count("message", unreadable ?? "unreadable");
        return m;
    }

    /// <summary>The TDLib id of a chat object's last message, 0 when it has none (or it is unknown).</summary>
    private static long LastTdIdOf(JsonElement chat) =>
        chat.ValueKind == JsonValueKind.Object && chat.TryGetProperty("last_message", out var m) && m.ValueKind == JsonValueKind.Object
            && m.TryGetProperty("id", out var mid) && mid.ValueKind == JsonValueKind.Number && mid.TryGetInt64(out var tdId) ? tdId : 0;

    /// <summary>
    /// Sends a request until it is answered: FLOOD_WAIT waits what TDLib says, time-outs and server errors back off.
    /// Returns null for an answer that will not change by retrying (400/403/404: not found, not allowed).
    /// </summary>
    private async Task<JsonElement?> CallAsync(TdFunction request, string what, CancellationToken ct, bool reportRefusal = true)
    {
        for (var attempt = 1; ; attempt++)
        {
            TimeSpan wait;
            try
            {
                return await session.SendAsync(request, options.RequestTimeout, ct).ConfigureAwait(false);
            }
            catch (TdlibErrorException e) when (e.Code is 400 or 403 or 404)
            {
                if (reportRefusal) TdlibLog.Refused(logger, what, e.Code, e.TdMessage);
                return null;
            }
            catch (TdlibErrorException e) when (e.Code == 429)
            {
                Interlocked.Increment(ref stats.rateLimited);
                var asked = FloodWait.Of(e.TdMessage);
                wait = asked ?? Backoff(attempt);
                TdlibLog.RateLimited(logger, what, LinkMonitor.Format(wait), asked is null ? "(the server said not how long; the backoff)" : "as the server asked");
            }
            catch (TdlibErrorException e) when (e.Code == 401)
            {
                throw new TdlibAuthorizationLostException($"error 401 on {request.TypeName}");
            }
            catch (TdlibErrorException e)
            {
                Interlocked.Increment(ref stats.retries);
                wait = Backoff(attempt);
                // A failure that lasts is told at attempts 1, 2, 4, 8, ...: a line an hour at most once the backoff is long.
                if ((attempt & (attempt - 1)) == 0) TdlibLog.Retrying(logger, what, $"error {e.Code}", attempt, wait.TotalSeconds);
            }
            catch (TimeoutException)
            {
                Interlocked.Increment(ref stats.retries);
                wait = Backoff(attempt);
                // Offline, TDLib waits for the network; the link state already says so.
                TdlibLog.RetryingQuietly(logger, what, wait.TotalSeconds);
            }
            await Task.Delay(wait, time, ct).ConfigureAwait(false);
        }
    }

    private TimeSpan Backoff(int attempt) => Connectors.Backoff.Next(attempt, options.MinBackoff, options.MaxBackoff);
}
