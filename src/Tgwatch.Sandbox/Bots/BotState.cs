using Tgwatch.Secrets;
using Tgwatch.Sandbox.Admin;
using Tgwatch.Sandbox.Api;
using Tgwatch.Sandbox.Wire;

namespace Tgwatch.Sandbox.Bots;

/// <summary>
/// Everything one bot sees: who it is, its chats and messages, its update queue and webhook, what was injected
/// for it and what it sent. Each bot is a world of its own (its own chats, message ids and update ids).
/// </summary>
internal sealed partial class BotState
{
    /// <summary>The longest long poll Telegram holds a request for, in seconds; longer timeouts are cut to it.</summary>
    public const int MaxPollSeconds = 50;

    private readonly Lock _sync = new();
    private readonly ChatBook _chats = new();
    private readonly List<InjectedUpdate> _injected = [];
    private readonly List<WireMessage> _sent = [];
    private readonly UpdateQueue _queue;
    private readonly TimeProvider _time;
    private string? _webhookUrl;

    public BotState(string token, TimeProvider time, int firstUpdateId)
    {
        Token = token;
        Id = BotToken.IdOf(token);
        _time = time;
        _queue = new UpdateQueue(firstUpdateId);
        Me = new WireUser(Id, true, "Sandbox Bot", Username: $"sandbox_{Id}_bot",
            CanJoinGroups: true, CanReadAllGroupMessages: true, SupportsInlineQueries: false);
    }

    public string Token { get; }

    public long Id { get; }

    /// <summary>What getMe answers.</summary>
    public WireUser Me { get; }

    private long Now => _time.GetUtcNow().ToUnixTimeSeconds();

    public BotStats Stats()
    {
        lock (_sync) return new BotStats(Id, Me.Username!, _queue.PendingCount, _injected.Count, _sent.Count, _webhookUrl);
    }

    /// <summary>The next update gets id <paramref name="next"/>.</summary>
    public void RenumberUpdates(int next) => _queue.Renumber(next);

    /// <summary>
    /// getUpdates: applies the offset, then answers at once when updates are pending; otherwise waits until one
    /// arrives or <paramref name="timeoutSeconds"/> pass (then <c>[]</c>). A newer getUpdates, or setWebhook,
    /// ends the wait with 409.
    /// </summary>
    public async Task<BotResponse> GetUpdatesAsync(long? offset, int limit, int timeoutSeconds, IReadOnlyList<string>? allowedUpdates, CancellationToken ct)
    {
        lock (_sync)
        {
            if (_webhookUrl is not null) return BotResponse.Conflict(Conflicts.WebhookActive);
        }
        if (allowedUpdates is not null) _queue.SetAllowed(allowedUpdates);
        var poller = _queue.BeginPoll();
        try
        {
            var started = _time.GetTimestamp();
            var timeout = TimeSpan.FromSeconds(timeoutSeconds);
            var (batch, changed) = _queue.Take(offset, limit);
            while (true)
            {
                if (poller.Terminated.IsCompleted) return BotResponse.Conflict(await poller.Terminated.ConfigureAwait(false));
                if (batch.Count > 0) return BotResponse.OkArray([.. batch.Select(u => u.Json)]);
                var left = timeout - _time.GetElapsedTime(started);
                if (left <= TimeSpan.Zero) return BotResponse.OkArray([]);
                using (var wait = CancellationTokenSource.CreateLinkedTokenSource(ct))
                {
                    await Task.WhenAny(changed, poller.Terminated, Task.Delay(left, _time, wait.Token)).ConfigureAwait(false);
                    await wait.CancelAsync().ConfigureAwait(false);
                }
                ct.ThrowIfCancellationRequested();
                (batch, changed) = _queue.Take(null, limit);
            }
        }
        finally
        {
            _queue.EndPoll(poller);
        }
    }

    /// <summary>setWebhook: an empty url removes the webhook. The sandbox records the webhook but never calls it.</summary>
    public BotResponse SetWebhook(string? url, IReadOnlyList<string>? allowedUpdates, bool dropPending)
    {
        if (string.IsNullOrEmpty(url)) return DeleteWebhook(dropPending);
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps)
            return BotResponse.BadRequest("bad webhook: An HTTPS URL must be provided for webhook");
        if (uri.Port is not (443 or 80 or 88 or 8443))
            return BotResponse.BadRequest("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443");
        bool same;
        lock (_sync)
        {
            same = _webhookUrl == url;
            _webhookUrl = url;
        }
        if (allowedUpdates is not null) _queue.SetAllowed(allowedUpdates);
        if (dropPending) _queue.DropPending();
        _queue.TerminatePoll(Conflicts.WebhookActive);
        return BotResponse.Ok(true, same ? "Webhook is already set" : "Webhook was set");
    }

    public BotResponse DeleteWebhook(bool dropPending)
    {
        bool had;
        lock (_sync)
        {
            had = _webhookUrl is not null;
            _webhookUrl = null;
        }
        if (dropPending) _queue.DropPending();
        return BotResponse.Ok(true, had ? "Webhook was deleted" : "Webhook is already deleted");
    }

    public BotResponse WebhookInfo()
    {
        string? url;
        lock (_sync) url = _webhookUrl;
        return BotResponse.Ok(new WireWebhookInfo(url ?? "", false, _queue.PendingCount,
            url is null ? null : 40, url is null ? null : _queue.AllowedUpdates));
    }
}
