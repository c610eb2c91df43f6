using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tgwatch.Connectors;
using Tgwatch.Faults;
using Tgwatch.Messages;
using Tgwatch.Tdlib.Updates;

namespace Tgwatch.Tdlib.Connector;

/// <summary>
/// A user account's (or bot's) messages through TDLib, one stream per chat (<c>chat:&lt;id&gt;</c>, position = the
/// server message id of the last message processed):
/// <list type="bullet">
/// <item>one loop drains the session's updates without ever waiting on the pipeline: it hands each message to its
/// chat's bounded queue; a chat whose queue is full catches up from its history instead, so neither TDLib's receive
/// thread nor answers to requests ever wait for a slow sink;</item>
/// <item>each chat delivers in order: first its history from the checkpoint (<c>getChatHistory</c>, at most 100 per
/// call, looping), then live messages; overlaps are skipped here and the pipeline's dedup makes any redelivery
/// harmless; it catches up again after every reconnection;</item>
/// <item>a watched chat seen for the first time starts where the chat is now (its last message), and that position is
/// committed at once, so a later restart catches up from there;</item>
/// <item>replies are read with <c>getRepliedMessage</c> (or <c>getMessage</c>) under the pipeline's deadline; FLOOD_WAIT
/// (429) waits what TDLib says; time-outs and server errors back off; none of them stops the stream;</item>
/// <item>TDLib's connection state drives the link state (debounced by a <see cref="LinkMonitor"/>: a line per real
/// outage, short drops summed up).</item>
/// </list>
/// The session (its client and authorization) belongs to the caller; the connector neither logs in nor closes it.
/// </summary>
public sealed class TdlibConnector : IConnector, ILinkReport
{
    /// <summary>The connector's name in records.</summary>
    public const string ConnectorName = "tdlib";

    /// <summary>The prefix of the per-chat stream names.</summary>
    public const string StreamPrefix = "chat:";

    private readonly ITdSession _session;
    private readonly TdUpdateReader _reader;
    private readonly TdlibConnectorOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly TdLinkWatch _link;
    private readonly ConcurrentDictionary<long, ChatFeed> _feeds = new();
    private readonly HashSet<long> _watched = [];
    private readonly ReplyOrigins _replyOrigins;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _linkGate = new();
    private Channel<Delivery> _output;
    private IReadOnlyDictionary<string, long> _committed = new Dictionary<string, long>();
    private volatile bool _started;
    private CancellationToken _run;
    private bool _everReady;
    private bool _downSinceReady;
    private int _malformedLogged;
    private int _reading;
    private int _routing; // 1 while the update loop hands out what it has taken from the session's updates
    private TaskCompletionSource _routedPass = NewPass(); // completed each time the update loop has emptied the session's updates

    /// <summary>A connector over an authorized <paramref name="session"/>; nothing is sent before <see cref="ReadAsync"/>.</summary>
    /// <param name="session">The authorized TDLib session (e.g. a <see cref="Auth.TdAuthorizedSession"/>, which gives the updates seen while logging in first); its updates must be read by this connector alone from now on.</param>
    /// <param name="reader">Reads the session's updates (its directory of users and chats is fed by them).</param>
    /// <param name="options">Settings.</param>
    /// <param name="logger">Where state lines go.</param>
    /// <param name="time">The clock.</param>
    /// <exception cref="ArgumentException">An option is invalid (one line naming it).</exception>
    public TdlibConnector(ITdSession session, TdUpdateReader reader, TdlibConnectorOptions options, ILogger? logger = null,
        TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(options);
        _session = session;
        _reader = reader;
        _options = options.Validate();
        _logger = logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
        _replyOrigins = new ReplyOrigins(options.ReplyOriginCapacity);
        _output = NewOutput();
        _link = new TdLinkWatch(options.Grace, _time, this);
        _link.Monitor.Changed += s => StatusChanged?.Invoke(s);
    }

    /// <inheritdoc />
    public string Name => ConnectorName;

    /// <inheritdoc />
    public string Account => _options.Account;

    /// <inheritdoc />
    public ConnectionStatus Status => _link.Monitor.Status;

    /// <inheritdoc />
    public event Action<ConnectionStatus>? StatusChanged;

    /// <summary>What the connector has seen and done.</summary>
    public TdlibConnectorStats Stats { get; } = new();

    /// <summary>The stream name of a chat.</summary>
    public static string StreamOf(long chatId) => StreamPrefix + chatId.ToString(CultureInfo.InvariantCulture);

    /// <summary>The chat of a stream name, if it is one of ours.</summary>
    public static bool TryChatOf(string stream, out long chatId)
    {
        chatId = 0;
        return stream.StartsWith(StreamPrefix, StringComparison.Ordinal)
            && long.TryParse(stream.AsSpan(StreamPrefix.Length), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out chatId);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<Delivery> ReadAsync(IReadOnlyDictionary<string, long> committed, [EnumeratorCancellation] CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(committed);
        if (Interlocked.Exchange(ref _reading, 1) == 1) throw new InvalidOperationException("the TDLib connector is read once at a time");
        using var run = CancellationTokenSource.CreateLinkedTokenSource(ct, _stopping.Token);
        _committed = committed;
        _run = run.Token;
        _output = NewOutput();
        var loop = Task.Run(() => UpdateLoopAsync(run.Token), CancellationToken.None);
        var start = Task.Run(() => StartAsync(run.Token), CancellationToken.None);
        try
        {
            var output = _output.Reader;
            while (true)
            {
                Delivery? delivery;
                try
                {
                    // The run's token: disposing the connector mid-read ends the read instead of leaving it waiting.
                    if (!await output.WaitToReadAsync(run.Token).ConfigureAwait(false)) break;
                    if (!output.TryRead(out delivery)) continue;
                }
                catch (OperationCanceledException) when (_stopping.IsCancellationRequested && !ct.IsCancellationRequested)
                {
                    break;
                }
                yield return delivery;
            }
        }
        finally
        {
            await run.CancelAsync().ConfigureAwait(false);
            await Quietly(loop).ConfigureAwait(false);
            await Quietly(start).ConfigureAwait(false);
            foreach (var feed in _feeds.Values) await Quietly(feed.Pump).ConfigureAwait(false);
            _feeds.Clear();
            _started = false;
            Volatile.Write(ref _reading, 0);
        }
    }

    /// <inheritdoc />
    public ValueTask CommitAsync(Checkpoint upTo, CancellationToken ct) =>
        // Positions are ours (the state store keeps them); TDLib has nothing to be told.
        ValueTask.CompletedTask;

    /// <inheritdoc />
    public async ValueTask<ReplyResult> ResolveReplyAsync(MessageRef reply, CancellationToken ct)
    {
        var request = _replyOrigins.TryGet(reply, out var origin)
            ? new JsonObject { ["@type"] = "getRepliedMessage", ["chat_id"] = origin.ChatId, ["message_id"] = origin.TdMessageId }
            : new JsonObject { ["@type"] = "getMessage", ["chat_id"] = reply.ChatId, ["message_id"] = reply.MessageId << 20 };
        Interlocked.Increment(ref Stats.replyLookups);
        try
        {
            var answer = await _session.SendAsync(request, _options.RequestTimeout, ct).ConfigureAwait(false);
            var mapped = _reader.ReadMessage(answer, MessageKind.New, out var malformed);
            if (mapped is null)
            {
                Interlocked.Increment(ref Stats.malformed);
                return ReplyResult.Failed(FaultKind.Bug, malformed ?? "unreadable message");
            }
            return ReplyResult.Resolved(mapped.Message.TextOrCaption);
        }
        catch (TdlibErrorException e) when (e.Code is 400 or 404)
        {
            return ReplyResult.Gone;
        }
        catch (TdlibErrorException e) when (e.Code == 429)
        {
            Interlocked.Increment(ref Stats.rateLimited);
            return ReplyResult.Failed(FaultKind.RateLimited, e.Message);
        }
        catch (TdlibErrorException e)
        {
            return ReplyResult.Failed(FaultKind.Network, e.Message);
        }
        catch (TimeoutException e)
        {
            return ReplyResult.Failed(FaultKind.Timeout, e.Message);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _link.Stop();
    }

    private Channel<Delivery> NewOutput() => Channel.CreateBounded<Delivery>(new BoundedChannelOptions(_options.OutputCapacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    private static async Task Quietly(Task? task)
    {
        if (task is null) return;
        try
        {
            await task.ConfigureAwait(false);
        }
        catch
        {
            // Its failure, if any, already ended the stream.
        }
    }

    /// <summary>Ends the stream with an error the run cannot get past.</summary>
    private void Fail(Exception e) => _output.Writer.TryComplete(e);

    // ---- start: chats to watch, catching up ----

    private async Task StartAsync(CancellationToken ct)
    {
        try
        {
            var specs = _options.Chats.Select(c => ChatSpec.TryParse(c, out var s, out _) ? s : default).ToList();
            var found = 0;
            foreach (var spec in specs)
            {
                var chat = await ResolveAsync(spec, ct).ConfigureAwait(false);
                if (chat is null) continue;
                found++;
                var (chatId, lastTdId) = chat.Value;
                lock (_watched) _watched.Add(chatId);
                var feed = FeedOf(chatId, create: true)!;
                var stream = StreamOf(chatId);
                if (_committed.TryGetValue(stream, out var position))
                {
                    feed.Anchor(position);
                }
                else
                {
                    // First time: start where the chat is now, and have that position committed.
                    // last_message "may be null if none or unknown": then the newest message of its history says where the chat is.
                    if (lastTdId == 0) lastTdId = await NewestAsync(chatId, spec, ct).ConfigureAwait(false);
                    var baseline = lastTdId >> 20;
                    feed.Anchor(baseline);
                    await _output.Writer.WriteAsync(new Delivery(null, new Checkpoint(stream, baseline)), ct).ConfigureAwait(false);
                }
                await OpenAsync(chatId, spec, ct).ConfigureAwait(false);
            }
            if (specs.Count > 0 && found == 0)
                throw new TdlibChatsNotFoundException();
            if (specs.Count == 0)
            {
                // Every chat: those with a position from an earlier run catch up from it.
                foreach (var (stream, position) in _committed)
                    if (TryChatOf(stream, out var chatId)) FeedOf(chatId, create: true)!.Anchor(position);
            }
            _started = true;
            // Chats that sent updates before the watched ones were known, and are not watched, are let go (after the
            // switch above, so one the update loop adds meanwhile is let go too).
            foreach (var (chatId, feed) in _feeds)
            {
                if (IsWatched(chatId)) feed.Start(this, ct);
                else _feeds.TryRemove(chatId, out _);
            }
            TdlibLog.Watching(_logger, specs.Count == 0 ? "every chat" : $"{found} chat(s)", _feeds.Count);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            Fail(e);
        }
    }

    /// <summary>The chat id and its last message's TDLib id, or null when it does not exist.</summary>
    private async Task<(long ChatId, long LastTdId)?> ResolveAsync(ChatSpec spec, CancellationToken ct)
    {
        var request = spec.Id is { } id
            ? new JsonObject { ["@type"] = "getChat", ["chat_id"] = id }
            : new JsonObject { ["@type"] = "searchPublicChat", ["username"] = spec.Username };
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

    /// <summary>The TDLib id of a chat object's last message, 0 when it has none (or it is unknown).</summary>
    private static long LastTdIdOf(JsonElement chat) =>
        chat.ValueKind == JsonValueKind.Object && chat.TryGetProperty("last_message", out var m) && m.ValueKind == JsonValueKind.Object
            && m.TryGetProperty("id", out var mid) && mid.ValueKind == JsonValueKind.Number && mid.TryGetInt64(out var tdId) ? tdId : 0;

    /// <summary>The server id of the chat's newest message now, 0 when it has none or TDLib does not say.</summary>
    private async Task<long> NewestServerIdAsync(long chatId, CancellationToken ct)
    {
        var spec = new ChatSpec(chatId, null);
        var chat = await CallAsync(new JsonObject { ["@type"] = "getChat", ["chat_id"] = chatId }, $"reading chat {spec}", ct, reportRefusal: false).ConfigureAwait(false);
        var last = chat is { } c ? LastTdIdOf(c) : 0;
        if (last == 0) last = await NewestAsync(chatId, spec, ct).ConfigureAwait(false);
        return last >> 20;
    }

    /// <summary>The TDLib id of the chat's newest message, 0 when it has none (or TDLib refuses its history).</summary>
    private async Task<long> NewestAsync(long chatId, ChatSpec spec, CancellationToken ct)
    {
        var request = new JsonObject
        {
            ["@type"] = "getChatHistory", ["chat_id"] = chatId, ["from_message_id"] = 0L, ["offset"] = 0, ["limit"] = 1, ["only_local"] = false,
        };
        if (await CallAsync(request, $"finding the last message of chat {spec}", ct).ConfigureAwait(false) is not { } page) return 0;
        var messages = _reader.ReadMessages(page, MessageKind.New, out var malformed);
        foreach (var reason in malformed) CountMalformed(reason);
        return messages.Select(m => m.TdMessageId).DefaultIfEmpty(0).Max();
    }

    private async Task OpenAsync(long chatId, ChatSpec spec, CancellationToken ct)
    {
        // Without openChat TDLib may not keep a channel's updates coming in real time.
        if (await CallAsync(new JsonObject { ["@type"] = "openChat", ["chat_id"] = chatId }, $"opening chat {spec}", ct).ConfigureAwait(false) is null)
            TdlibLog.ChatNotOpened(_logger, spec.ToString());
    }

    private bool IsWatched(long chatId)
    {
        if (_options.Chats.Count == 0) return true;
        lock (_watched) return _watched.Contains(chatId);
    }

    /// <summary>The chat's feed; created when <paramref name="create"/>, or for a watched chat once started.</summary>
    private ChatFeed? FeedOf(long chatId, bool create)
    {
        if (_feeds.TryGetValue(chatId, out var feed)) return feed;
        // Before the watched chats are known every chat is held (bounded); after, only watched ones.
        if (!create && _started && !IsWatched(chatId)) return null;
        var added = _feeds.GetOrAdd(chatId, id => new ChatFeed(id, _options.LiveQueueCapacity));
        if (_started && added.Pump is null)
        {
            if (_committed.TryGetValue(StreamOf(chatId), out var position)) added.Anchor(position);
            added.Start(this, _run);
        }
        return added;
    }

    // ---- the update loop: never waits on the pipeline ----

    private async Task UpdateLoopAsync(CancellationToken ct)
    {
        try
        {
            while (await _session.Updates.WaitToReadAsync(ct).ConfigureAwait(false))
            {
                Volatile.Write(ref _routing, 1);
                while (_session.Updates.TryRead(out var update))
                    Handle(update);
                PassDone();
            }
            if (!ct.IsCancellationRequested) Fail(new ConnectorException("TDLib closed the client"));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            Fail(e);
        }
        finally
        {
            PassDone();
        }
    }

    private static TaskCompletionSource NewPass() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void PassDone()
    {
        Volatile.Write(ref _routing, 0);
        Interlocked.Exchange(ref _routedPass, NewPass()).TrySetResult();
    }

    /// <summary>
    /// Waits until every update TDLib sent before now has been handed to its chat. TDLib sends the updates a change
    /// causes before the answers that show it (a new message's update before a getChat answer with it as the last
    /// message), but the update loop reads them on its own: after such an answer, this says when the chats know them.
    /// </summary>
    private async Task UpdatesRoutedAsync(CancellationToken ct)
    {
        var pass = Volatile.Read(ref _routedPass);
        var updates = _session.Updates;
        // Read in this order: an update taken from the queue after the count is taken within a pass still running.
        var waiting = !updates.CanCount || updates.Count > 0;
        if (!waiting && Volatile.Read(ref _routing) == 0) return;
        await pass.Task.WaitAsync(ct).ConfigureAwait(false);
    }

    private void Handle(JsonElement update)
    {
        Interlocked.Increment(ref Stats.updates);
        switch (_reader.Read(update))
        {
            case TdNewMessage { Message: var m }:
                Interlocked.Increment(ref Stats.newMessages);
                Route(m.ChatId, new LiveNew(m));
                break;
            case TdMessageSendSucceeded sent:
                // A message this client sent now has its server id: from here it is a new message like any other.
                Interlocked.Increment(ref Stats.newMessages);
                Route(sent.Message.ChatId, new LiveNew(sent.Message));
                break;
            case TdMessageEdited e:
                Interlocked.Increment(ref Stats.edits);
                Route(e.ChatId, new LiveEdit(e.TdMessageId));
                break;
            case TdMessagesDeleted d:
                if (d.FromCache || !d.IsPermanent)
                {
                    Interlocked.Increment(ref Stats.deletionsIgnored);
                    break;
                }
                Interlocked.Add(ref Stats.deletions, d.TdMessageIds.Count);
                Route(d.ChatId, new LiveDelete(d.TdMessageIds, _time.GetUtcNow()));
                break;
            case TdConnectionChanged c:
                OnConnection(c.State);
                break;
            case TdAuthorizationChanged a when a.StateType != "authorizationStateReady":
                throw new TdlibAuthorizationLostException(a.StateType);
            case TdMalformedUpdate bad:
                Interlocked.Increment(ref Stats.malformed);
                if (Interlocked.Exchange(ref _malformedLogged, 1) == 0) TdlibLog.Malformed(_logger, bad.Type ?? "?", bad.Reason);
                break;
            default:
                // Content changes are followed by updateMessageEdited; directory updates fed the reader.
                Interlocked.Increment(ref Stats.other);
                break;
        }
    }

    private void Route(long chatId, LiveItem item)
    {
        var feed = FeedOf(chatId, create: false);
        if (feed is null)
        {
            Interlocked.Increment(ref Stats.notWatched);
            return;
        }
        if (!feed.Offer(item)) Interlocked.Increment(ref Stats.liveOverflows);
    }

    // ---- link state ----

    private void OnConnection(TdConnectionState state)
    {
        var linkState = TdLinkState.From(state).State;
        var catchUp = false;
        lock (_linkGate)
        {
            if (linkState == ConnectionState.Ready)
            {
                catchUp = _everReady && _downSinceReady && state == TdConnectionState.Ready;
                if (state == TdConnectionState.Ready)
                {
                    _everReady = true;
                    _downSinceReady = false;
                }
            }
            else
            {
                _downSinceReady = true;
            }
        }
        _link.OnConnection(state);
        if (catchUp)
        {
            Interlocked.Increment(ref Stats.reconnects);
            foreach (var feed in _feeds.Values) feed.RequestCatchUp();
        }
    }

    void ILinkReport.Down(DateTimeOffset since, FaultKind fault, string reason) => TdlibLog.Down(_logger, since.UtcDateTime, reason);

    void ILinkReport.Up(TimeSpan downtime, int updates) => TdlibLog.Up(_logger, LinkMonitor.Format(downtime));

    void ILinkReport.ShortDrops(int drops, TimeSpan window, TimeSpan grace) =>
        TdlibLog.ShortDrops(_logger, drops, LinkMonitor.Format(window), LinkMonitor.Format(grace));

    // ---- requests with retries ----

    /// <summary>
    /// Sends a request until it is answered: FLOOD_WAIT waits what TDLib says, time-outs and server errors back off.
    /// Returns null for an answer that will not change by retrying (400/403/404: not found, not allowed).
    /// </summary>
    private async Task<JsonElement?> CallAsync(JsonObject request, string what, CancellationToken ct, bool reportRefusal = true)
    {
        for (var attempt = 1; ; attempt++)
        {
            TimeSpan wait;
            try
            {
                return await _session.SendAsync(request, _options.RequestTimeout, ct).ConfigureAwait(false);
            }
            catch (TdlibErrorException e) when (e.Code is 400 or 403 or 404)
            {
                if (reportRefusal) TdlibLog.Refused(_logger, what, e.Code, e.TdMessage);
                return null;
            }
            catch (TdlibErrorException e) when (e.Code == 429)
            {
                Interlocked.Increment(ref Stats.rateLimited);
                var asked = FloodWait.Of(e.TdMessage);
                wait = asked ?? Backoff(attempt);
                TdlibLog.RateLimited(_logger, what, LinkMonitor.Format(wait), asked is null ? "(the server said not how long; the backoff)" : "as the server asked");
            }
            catch (TdlibErrorException e) when (e.Code == 401)
            {
                throw new TdlibAuthorizationLostException($"error 401 on {request["@type"]}");
            }
            catch (TdlibErrorException e)
            {
                Interlocked.Increment(ref Stats.retries);
                wait = Backoff(attempt);
                // A failure that lasts is told at attempts 1, 2, 4, 8, ...: a line an hour at most once the backoff is long.
                if ((attempt & (attempt - 1)) == 0) TdlibLog.Retrying(_logger, what, $"error {e.Code}", attempt, wait.TotalSeconds);
            }
            catch (TimeoutException)
            {
                Interlocked.Increment(ref Stats.retries);
                wait = Backoff(attempt);
                // Offline, TDLib waits for the network; the link state already says so.
                TdlibLog.RetryingQuietly(_logger, what, wait.TotalSeconds);
            }
            await Task.Delay(wait, _time, ct).ConfigureAwait(false);
        }
    }

    private TimeSpan Backoff(int attempt) => Connectors.Backoff.Next(attempt, _options.MinBackoff, _options.MaxBackoff);

    // ---- one chat ----

    private abstract record LiveItem;

    private sealed record LiveNew(TdMappedMessage Message) : LiveItem;

    private sealed record LiveEdit(long TdMessageId) : LiveItem;

    private sealed record LiveDelete(IReadOnlyList<long> TdMessageIds, DateTimeOffset When) : LiveItem;

    private sealed record CatchUp : LiveItem
    {
        public static CatchUp Instance { get; } = new();
    }

    /// <summary>One chat: its bounded queue of live updates and the pump that delivers its stream in order.</summary>
    private sealed class ChatFeed(long chatId, int capacity)
    {
        private readonly Channel<LiveItem> _live = Channel.CreateBounded<LiveItem>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait, // TryWrite fails when full; nothing is dropped silently
        });
        private int _gap;
        private long? _last;
        private bool _noHistory;
        private long _firstLive = -1; // the server id of the first live message offered (written by the update loop only)

        public long ChatId { get; } = chatId;
        public string Stream { get; } = StreamOf(chatId);
        public Task? Pump { get; private set; }

        /// <summary>The position delivered (or committed) last; history is caught up from it.</summary>
        public void Anchor(long position)
        {
            if (_last is null || position > _last) _last = position;
            Volatile.Write(ref _gap, 1);
        }

        public void Start(TdlibConnector owner, CancellationToken ct)
        {
            lock (this) Pump ??= Task.Run(() => RunAsync(owner, ct), CancellationToken.None);
        }

        /// <summary>Queues a live update; when the queue is full a new message is left to the catch-up (false).</summary>
        public bool Offer(LiveItem item)
        {
            // A chat without a position catches up (after an overflow, a reconnection) from just before its first live message.
            if (item is LiveNew { Message: { IsServerMessage: true } first } && Volatile.Read(ref _firstLive) < 0)
                Volatile.Write(ref _firstLive, first.Message.MessageId);
            if (_live.Writer.TryWrite(item)) return true;
            // A new message comes back with the catch-up; a change (edit, deletion) is counted as not delivered.
            if (item is LiveNew) Volatile.Write(ref _gap, 1);
            return false;
        }

        public void RequestCatchUp()
        {
            Volatile.Write(ref _gap, 1);
            _live.Writer.TryWrite(CatchUp.Instance);
        }

        private async Task RunAsync(TdlibConnector owner, CancellationToken ct)
        {
            try
            {
                while (true)
                {
                    if (Interlocked.Exchange(ref _gap, 0) == 1) await CatchUpAsync(owner, ct).ConfigureAwait(false);
                    if (!_live.Reader.TryRead(out var item))
                    {
                        if (!await _live.Reader.WaitToReadAsync(ct).ConfigureAwait(false)) return;
                        continue;
                    }
                    switch (item)
                    {
                        case LiveNew n:
                            await DeliverNewAsync(owner, n.Message, ct).ConfigureAwait(false);
                            break;
                        case LiveEdit e:
                            await DeliverEditAsync(owner, e.TdMessageId, ct).ConfigureAwait(false);
                            break;
                        case LiveDelete d:
                            foreach (var id in d.TdMessageIds)
                            {
                                if (!IsServerId(id)) continue;
                                var record = owner._reader.Deleted(ChatId, id, d.When);
                                var position = await PositionForChangeAsync(owner, id >> 20, ct).ConfigureAwait(false);
                                await owner.WriteAsync(new Delivery(record, new Checkpoint(Stream, position)), ct).ConfigureAwait(false);
                            }
                            break;
                        case CatchUp:
                            Volatile.Write(ref _gap, 1);
                            break;
                    }
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                owner.Fail(e);
            }
        }

        private async Task DeliverNewAsync(TdlibConnector owner, TdMappedMessage m, CancellationToken ct)
        {
            if (!m.IsServerMessage)
            {
                Interlocked.Increment(ref owner.Stats.localSkipped);
                return;
            }
            var id = m.Message.MessageId;
            if (_last is { } last && id <= last)
            {
                Interlocked.Increment(ref owner.Stats.overlapsSkipped);
                return;
            }
            if (m.ReplyTo is { } reply) owner._replyOrigins.Add(reply, ChatId, m.TdMessageId);
            await owner.WriteAsync(new Delivery(m.Message, new Checkpoint(Stream, id)), ct).ConfigureAwait(false);
            _last = id;
        }

        /// <summary>
        /// The position a change (edit, deletion) of message <paramref name="changedId"/> is delivered at: the position
        /// delivered last; in a chat without one, where the chat is now (its newest message, or just before the first
        /// live message waiting behind), as a first start begins, and from then on the chat's position. The changed
        /// message's own id is no position: a restart would deliver the chat's history since that (old) message.
        /// </summary>
        private async ValueTask<long> PositionForChangeAsync(TdlibConnector owner, long changedId, CancellationToken ct)
        {
            if (_last is { } last) return last;
            var start = Math.Max(changedId, await owner.NewestServerIdAsync(ChatId, ct).ConfigureAwait(false));
            // The newest message may have come just now: its update, sent before the answer, must reach the chat first,
            // or it would be taken for history (and skipped) instead of delivered.
            await owner.UpdatesRoutedAsync(ct).ConfigureAwait(false);
            var firstLive = Volatile.Read(ref _firstLive);
            if (firstLive > 0) start = Math.Min(start, firstLive - 1);
            _last = start;
            return start;
        }

        private async Task DeliverEditAsync(TdlibConnector owner, long tdMessageId, CancellationToken ct)
        {
            if (!IsServerId(tdMessageId)) return;
            var request = new JsonObject { ["@type"] = "getMessage", ["chat_id"] = ChatId, ["message_id"] = tdMessageId };
            if (await owner.CallAsync(request, $"reading an edited message in chat {ChatId}", ct).ConfigureAwait(false) is not { } answer) return;
            var m = owner._reader.ReadMessage(answer, MessageKind.Edit, out var malformed);
            if (m is null)
            {
                owner.CountMalformed(malformed);
                return;
            }
            if (m.ReplyTo is { } reply) owner._replyOrigins.Add(reply, ChatId, m.TdMessageId);
            // An edit does not move the stream: it sits at the position delivered last.
            var position = await PositionForChangeAsync(owner, m.Message.MessageId, ct).ConfigureAwait(false);
            await owner.WriteAsync(new Delivery(m.Message, new Checkpoint(Stream, position)), ct).ConfigureAwait(false);
        }

        /// <summary>
        /// Delivers the chat's history after the last position, oldest first, a page at a time. A page is a contiguous
        /// slice of history (newest first) around <c>from_message_id</c>, but TDLib chooses how many messages it holds: when
        /// a page reaches no message at or below the position, what lies between is read backwards before the page is delivered.
        /// </summary>
        private async Task CatchUpAsync(TdlibConnector owner, CancellationToken ct)
        {
            // No position yet: from just before the first live message, or live only when none came yet (or there is no history).
            var firstLive = Volatile.Read(ref _firstLive);
            if (_noHistory || (_last ?? (firstLive > 0 ? firstLive - 1 : null)) is not { } from) return;
            var size = owner._options.HistoryPageSize;
            Interlocked.Increment(ref owner.Stats.catchUps);
            while (true)
            {
                // 0 would mean "from the newest"; 1 sits below every server message.
                var page = await HistoryAsync(owner, from == 0 ? 1 : from << 20, -(size - 1), size, ct).ConfigureAwait(false);
                if (page is null)
                {
                    // Refused for good (a bot has no getChatHistory; a chat left): told once, live from now on.
                    _noHistory = true;
                    return;
                }
                var newer = page.Where(m => m.Message.MessageId > from).ToList();
                if (newer.Count == 0)
                {
                    // TDLib may have cut the page at its newer end: only the newest messages tell whether anything is newer.
                    page = await HistoryAsync(owner, 0, 0, size, ct).ConfigureAwait(false);
                    if (page is null) return;
                    newer = page.Where(m => m.Message.MessageId > from).ToList();
                    if (newer.Count == 0) return;
                }
                if (!page.Any(m => m.Message.MessageId <= from))
                {
                    // The page starts above the position: fill the stretch below it, walking back until the position is reached.
                    var floor = newer.Min(m => m.TdMessageId);
                    while ((floor >> 20) - 1 > from)
                    {
                        // From the server id just below the floor: a page TDLib cuts to one message still goes down.
                        var below = await HistoryAsync(owner, ((floor >> 20) - 1) << 20, 0, size, ct).ConfigureAwait(false);
                        var fill = below?.Where(m => m.TdMessageId < floor && m.Message.MessageId > from).ToList() ?? [];
                        newer.AddRange(fill);
                        if (fill.Count == 0 || below!.Any(m => m.Message.MessageId <= from)) break;
                        floor = fill.Min(m => m.TdMessageId);
                    }
                }
                newer.Sort((a, b) => a.Message.MessageId.CompareTo(b.Message.MessageId));
                foreach (var m in newer)
                {
                    if (_last is { } last && m.Message.MessageId <= last) continue;
                    Interlocked.Increment(ref owner.Stats.historyMessages);
                    await DeliverNewAsync(owner, m, ct).ConfigureAwait(false);
                }
                from = Math.Max(from, newer[^1].Message.MessageId);
            }
        }

        /// <summary>One getChatHistory call: the server messages of the page (null when TDLib refuses the chat's history).</summary>
        private async Task<List<TdMappedMessage>?> HistoryAsync(TdlibConnector owner, long fromTdId, int offset, int limit, CancellationToken ct)
        {
            var request = new JsonObject
            {
                ["@type"] = "getChatHistory",
                ["chat_id"] = ChatId,
                ["from_message_id"] = fromTdId,
                ["offset"] = offset,
                ["limit"] = limit,
                ["only_local"] = false,
            };
            Interlocked.Increment(ref owner.Stats.historyCalls);
            if (await owner.CallAsync(request, $"catching up chat {ChatId}", ct).ConfigureAwait(false) is not { } answer) return null;
            var messages = owner._reader.ReadMessages(answer, MessageKind.New, out var malformed);
            foreach (var reason in malformed) owner.CountMalformed(reason);
            return [.. messages.Where(m => m.IsServerMessage)];
        }

        private static bool IsServerId(long tdMessageId) => tdMessageId > 0 && (tdMessageId & ((1L << 20) - 1)) == 0;
    }

    private ValueTask WriteAsync(Delivery delivery, CancellationToken ct) => _output.Writer.WriteAsync(delivery, ct);

    private void CountMalformed(string? reason)
    {
        Interlocked.Increment(ref Stats.malformed);
        if (Interlocked.Exchange(ref _malformedLogged, 1) == 0) TdlibLog.Malformed(_logger, "message", reason ?? "unreadable");
    }

    /// <summary>Replying messages by the message they reply to, so <c>getRepliedMessage</c> can be asked (bounded, oldest out first).</summary>
    private sealed class ReplyOrigins(int capacity)
    {
        private readonly Dictionary<MessageRef, (long ChatId, long TdMessageId)> _map = [];
        private readonly Queue<MessageRef> _order = new();
        private readonly Lock _sync = new();

        public void Add(MessageRef reply, long chatId, long tdMessageId)
        {
            if (capacity == 0) return;
            lock (_sync)
            {
                if (!_map.ContainsKey(reply)) _order.Enqueue(reply);
                _map[reply] = (chatId, tdMessageId);
                while (_order.Count > capacity) _map.Remove(_order.Dequeue());
            }
        }

        public bool TryGet(MessageRef reply, out (long ChatId, long TdMessageId) origin)
        {
            lock (_sync) return _map.TryGetValue(reply, out origin);
        }
    }
}

/// <summary>Counters of a <see cref="TdlibConnector"/> (read them with <see cref="Volatile"/> semantics via the properties).</summary>
public sealed class TdlibConnectorStats
{
    internal long updates, newMessages, edits, deletions, deletionsIgnored, malformed, other, notWatched, liveOverflows,
        overlapsSkipped, localSkipped, catchUps, historyCalls, historyMessages, rateLimited, retries, reconnects, replyLookups;

    /// <summary>Updates read from TDLib.</summary>
    public long Updates => Interlocked.Read(ref updates);

    /// <summary>updateNewMessage seen.</summary>
    public long NewMessages => Interlocked.Read(ref newMessages);

    /// <summary>updateMessageEdited seen.</summary>
    public long Edits => Interlocked.Read(ref edits);

    /// <summary>Messages deleted for good.</summary>
    public long Deletions => Interlocked.Read(ref deletions);

    /// <summary>Deletions from TDLib's cache only, or not permanent (not delivered).</summary>
    public long DeletionsIgnored => Interlocked.Read(ref deletionsIgnored);

    /// <summary>Updates or messages that could not be read.</summary>
    public long Malformed => Interlocked.Read(ref malformed);

    /// <summary>Updates not acted on (directory, content changes, kinds not monitored).</summary>
    public long Other => Interlocked.Read(ref other);

    /// <summary>Updates of chats not watched.</summary>
    public long NotWatched => Interlocked.Read(ref notWatched);

    /// <summary>Live updates not held because their chat's queue was full (new messages come from the history instead).</summary>
    public long LiveOverflows => Interlocked.Read(ref liveOverflows);

    /// <summary>Messages already delivered (live and history overlapping), not delivered again.</summary>
    public long OverlapsSkipped => Interlocked.Read(ref overlapsSkipped);

    /// <summary>Messages the server does not have yet (being sent), not delivered.</summary>
    public long LocalSkipped => Interlocked.Read(ref localSkipped);

    /// <summary>Catch-ups from history begun.</summary>
    public long CatchUps => Interlocked.Read(ref catchUps);

    /// <summary><c>getChatHistory</c> calls.</summary>
    public long HistoryCalls => Interlocked.Read(ref historyCalls);

    /// <summary>Messages delivered from history.</summary>
    public long HistoryMessages => Interlocked.Read(ref historyMessages);

    /// <summary>FLOOD_WAIT (429) answers waited out.</summary>
    public long RateLimited => Interlocked.Read(ref rateLimited);

    /// <summary>Requests retried after a time-out or server error.</summary>
    public long Retries => Interlocked.Read(ref retries);

    /// <summary>Reconnections after which every chat caught up.</summary>
    public long Reconnects => Interlocked.Read(ref reconnects);

    /// <summary>Replied-to messages looked up.</summary>
    public long ReplyLookups => Interlocked.Read(ref replyLookups);
}

/// <summary>The TDLib session is no longer authorized (logged out, revoked, closed): the run cannot go on (exit code 3).</summary>
public sealed class TdlibAuthorizationLostException(string state)
    : ConnectorException($"the Telegram session is no longer authorized ({state}); run tgwatch login again")
{
    /// <summary>The authorization state TDLib reported.</summary>
    public string State { get; } = state;
}

/// <summary>None of the chats to watch exists or is visible to the account: the run cannot go on (a configuration problem, exit code 2).</summary>
public sealed class TdlibChatsNotFoundException()
    : ConnectorException("none of the chats to watch was found; check the ids and @usernames (tgwatch chats lists them)");

/// <summary>Reads how long a FLOOD_WAIT asks to wait.</summary>
public static class FloodWait
{
    /// <summary>The wait in "Too Many Requests: retry after N" or "FLOOD_WAIT_N", at least one second; null when the text names none.</summary>
    public static TimeSpan? Of(string? text)
    {
        if (string.IsNullOrEmpty(text)) return null;
        var m = System.Text.RegularExpressions.Regex.Match(text, @"(?:retry after |FLOOD_WAIT_)(\d{1,7})", System.Text.RegularExpressions.RegexOptions.CultureInvariant);
        return m.Success ? TimeSpan.FromSeconds(Math.Max(1, int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))) : null;
    }
}
