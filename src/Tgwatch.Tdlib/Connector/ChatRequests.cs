using System.Text.Json;
using Microsoft.Extensions.Logging;
using Polly;
using Tgwatch.Connectors;
using Tgwatch.Messages;
using Tgwatch.Resilience;
using Tgwatch.Tdlib.Functions;
using Tgwatch.Tdlib.Updates;

namespace Tgwatch.Tdlib.Connector;

/// <summary>
/// The connector's requests about chats, each sent until it is answered: FLOOD_WAIT waits what TDLib says, time-outs
/// and server errors back off; an answer that will not change by retrying (400/403/404) is a refusal (null).
/// </summary>
internal sealed class ChatRequests
{
    private static readonly ResiliencePropertyKey<string> What = new("tgwatch.tdlib.what");

    private readonly ITdSession _session;
    private readonly TdUpdateReader _reader;
    private readonly TdlibConnectorOptions _options;
    private readonly TdlibConnectorStats _stats;
    private readonly MalformedObjects _malformed;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline<JsonElement?> _retry;

    /// <summary>Told how long each rate limit is waited out (the link's flood-wait total).</summary>
    public Action<TimeSpan>? RateLimited { get; init; }

    public ChatRequests(ITdSession session, TdUpdateReader reader, TdlibConnectorOptions options, TdlibConnectorStats stats, MalformedObjects malformed,
        ILogger logger, TimeProvider time, Func<double>? randomizer = null)
    {
        _session = session;
        _reader = reader;
        _options = options;
        _stats = stats;
        _malformed = malformed;
        _logger = logger;
        _retry = new ResiliencePipelineBuilder<JsonElement?> { TimeProvider = time }
            .AddBackoffRetry(new BackoffRetryOptions<JsonElement?>
            {
                MinBackoff = options.MinBackoff,
                MaxBackoff = options.MaxBackoff,
                Randomizer = randomizer ?? Random.Shared.NextDouble,
                // A refusal comes back as null and a lost authorization as its own exception (SendOnceAsync): neither is retried.
                ShouldHandle = static args => ValueTask.FromResult(args.Outcome.Exception is TdlibErrorException or TimeoutException),
                ServerDelay = static (outcome, _) => outcome.Exception is TdlibErrorException { Code: 429 } e ? FloodWait.Of(e.TdMessage) : null,
                OnRetry = args =>
                {
                    Retrying(args.Outcome.Exception, args.Context.Properties.GetValue(What, ""), args.AttemptNumber + 1, args.RetryDelay);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    /// <summary>The chat id and its last message's TDLib id, or null when it does not exist.</summary>
    public async Task<(long ChatId, long LastTdId)?> ResolveAsync(ChatSpec spec, CancellationToken ct)
    {
        TdFunction request = spec.Id is { } id ? new GetChat(id) : new SearchPublicChat(spec.Username ?? "");
        var answer = await CallAsync(request, $"finding chat {spec}", ct, reportRefusal: false).ConfigureAwait(false);
        if (answer is not { } chat)
        {
            TdlibLog.ChatNotFound(_logger, spec.ToString());
            return null;
        }
        _reader.Directory.TryApplyChat(chat, out _);
        if (chat.ValueKind != JsonValueKind.Object || !chat.TryGetProperty("id", out var idElement) || idElement.ValueKind != JsonValueKind.Number || !idElement.TryGetInt64(out var chatId))
        {
            TdlibLog.ChatNotFound(_logger, spec.ToString());
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
        var messages = _reader.ReadMessages(page, MessageKind.New, out var unreadable);
        foreach (var reason in unreadable) _malformed.Count("message", reason);
        return messages.Select(m => m.TdMessageId).DefaultIfEmpty(0).Max();
    }

    /// <summary>Opens the chat; a refusal is told, not thrown.</summary>
    public async Task OpenAsync(long chatId, ChatSpec spec, CancellationToken ct)
    {
        // Without openChat TDLib may not keep a channel's updates coming in real time.
        if (await CallAsync(new OpenChat(chatId), $"opening chat {spec}", ct).ConfigureAwait(false) is null)
            TdlibLog.ChatNotOpened(_logger, spec.ToString());
    }

    /// <summary>One getChatHistory call: the server messages of the page (null when TDLib refuses the chat's history).</summary>
    public Task<List<TdMappedMessage>?> HistoryAsync(long chatId, long fromTdId, int offset, int limit, CancellationToken ct) =>
        HistoryAsync(chatId, fromTdId, offset, limit, "catching up", ct);

    /// <summary>One getChatHistory call, told in retry lines as <paramref name="doing"/> the chat (null when TDLib refuses the chat's history).</summary>
    public async Task<List<TdMappedMessage>?> HistoryAsync(long chatId, long fromTdId, int offset, int limit, string doing, CancellationToken ct)
    {
        var request = new GetChatHistory(chatId, fromTdId, offset, limit, OnlyLocal: false);
        Interlocked.Increment(ref _stats.historyCalls);
        if (await CallAsync(request, $"{doing} chat {chatId}", ct).ConfigureAwait(false) is not { } answer) return null;
        var messages = _reader.ReadMessages(answer, MessageKind.New, out var unreadable);
        foreach (var reason in unreadable) _malformed.Count("message", reason);
        return [.. messages.Where(m => m.IsServerMessage)];
    }

    /// <summary>
    /// The server id of the last message sent in the chat no later than <paramref name="date"/>; 0 when there is none (the
    /// date lies before the chat's first message: TDLib answers 404).
    /// </summary>
    public async Task<long> MessageAtAsync(long chatId, DateTimeOffset date, CancellationToken ct)
    {
        var seconds = date.ToUnixTimeSeconds();
        if (seconds < 1) return 0;
        var request = new GetChatMessageByDate(chatId, (int)Math.Min(seconds, int.MaxValue));
        var at = $"finding the message of {date.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC in chat {chatId}";
        if (await CallAsync(request, at, ct, reportRefusal: false).ConfigureAwait(false) is not { } answer) return 0;
        var m = _reader.ReadMessage(answer, MessageKind.New, out var unreadable);
        if (m is null)
        {
            _malformed.Count("message", unreadable ?? "unreadable");
            return 0;
        }
        // A message still being sent has no server id: it sits above every message the server has.
        return m.IsServerMessage ? m.Message.MessageId : TdMessageIds.ToServerId(m.TdMessageId);
    }

    /// <summary>An edited message read again; null when TDLib refuses it or it cannot be read.</summary>
    public async Task<TdMappedMessage?> EditedAsync(long chatId, long tdMessageId, CancellationToken ct)
    {
        var request = new GetMessage(chatId, tdMessageId);
        if (await CallAsync(request, $"reading an edited message in chat {chatId}", ct).ConfigureAwait(false) is not { } answer) return null;
        var m = _reader.ReadMessage(answer, MessageKind.Edit, out var unreadable);
        if (m is null) _malformed.Count("message", unreadable ?? "unreadable");
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
        var context = ResilienceContextPool.Shared.Get(ct);
        context.Properties.Set(What, what);
        try
        {
            return await _retry.ExecuteAsync(
                static (running, state) => state.Self.SendOnceAsync(state.Request, state.What, state.ReportRefusal, running.CancellationToken),
                context, (Self: this, Request: request, What: what, ReportRefusal: reportRefusal)).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private async ValueTask<JsonElement?> SendOnceAsync(TdFunction request, string what, bool reportRefusal, CancellationToken ct)
    {
        try
        {
            return await _session.SendAsync(request, _options.RequestTimeout, ct).ConfigureAwait(false);
        }
        catch (TdlibErrorException e) when (e.Code is 400 or 403 or 404)
        {
            if (reportRefusal) TdlibLog.Refused(_logger, what, e.Code, e.TdMessage);
            return null;
        }
        catch (TdlibErrorException e) when (e.Code == 401)
        {
            throw new TdlibAuthorizationLostException($"error 401 on {request.TypeName}");
        }
    }

    /// <summary>Counts and tells a failed attempt before its wait.</summary>
    private void Retrying(Exception? failure, string what, int attempt, TimeSpan wait)
    {
        switch (failure)
        {
            case TdlibErrorException { Code: 429 } e:
                Interlocked.Increment(ref _stats.rateLimited);
                RateLimited?.Invoke(wait);
                var asked = FloodWait.Of(e.TdMessage) is not null;
                TdlibLog.RateLimited(_logger, what, LinkMonitor.Format(wait), asked ? "as the server asked" : "(the server said not how long; the backoff)");
                break;
            case TdlibErrorException e:
                Interlocked.Increment(ref _stats.retries);
                // A failure that lasts is told at attempts 1, 2, 4, 8, ...: a line an hour at most once the backoff is long.
                if ((attempt & (attempt - 1)) == 0) TdlibLog.Retrying(_logger, what, $"error {e.Code}", attempt, wait.TotalSeconds);
                break;
            case TimeoutException:
                Interlocked.Increment(ref _stats.retries);
                // Offline, TDLib waits for the network; the link state already says so.
                TdlibLog.RetryingQuietly(_logger, what, wait.TotalSeconds);
                break;
        }
    }
}
