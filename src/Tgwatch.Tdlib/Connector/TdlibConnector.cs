using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tgwatch.Connectors;
using Tgwatch.Faults;
using Tgwatch.Messages;
using Tgwatch.Tdlib.Connector.Feeds;
using Tgwatch.Tdlib.Functions;
using Tgwatch.Tdlib.Updates;

namespace Tgwatch.Tdlib.Connector;

/// <summary>
/// A user account's (or bot's) messages through TDLib, one stream per chat (<c>chat:&lt;id&gt;</c>, position = the
/// server message id of the last message processed):
/// <list type="bullet">
/// <item>one loop drains the session's updates without ever waiting on the pipeline: it hands each message to its
/// chat's bounded queue; a chat whose queue is full catches up from its history instead, so neither TDLib's receive
/// thread nor answers to requests ever wait for a slow sink;</item>
/// <item>each chat delivers in order (a <see cref="ChatFeed"/>): first its history from the checkpoint (<c>getChatHistory</c>,
/// at most 100 per call, looping), then live messages; overlaps are skipped here and the pipeline's dedup makes any
/// redelivery harmless; it catches up again after every reconnection;</item>
/// <item>a watched chat seen for the first time starts where the chat is now (its last message), and that position is
/// committed at once, so a later restart catches up from there;</item>
/// <item>replies are read with <c>getRepliedMessage</c> (or <c>getMessage</c>) under the pipeline's deadline; FLOOD_WAIT
/// (429) waits what TDLib says; time-outs and server errors back off; none of them stops the stream;</item>
/// <item>TDLib's connection state drives the link state (debounced by a <see cref="LinkMonitor"/>: a line per real
/// outage, short drops summed up).</item>
/// </list>
/// The session (its client and authorization) belongs to the caller; the connector neither logs in nor closes it.
/// </summary>
public sealed class TdlibConnector : IConnector, IChatFeedOwner
{
    /// <summary>The connector's name in records.</summary>
    public const string ConnectorName = "tdlib";

    /// <summary>The prefix of the per-chat stream names.</summary>
    public const string StreamPrefix = "chat:";

    private readonly ITdSession _session;
    private readonly TdUpdateReader _reader;
    private readonly TdlibConnectorOptions _options;
    private readonly ILogger _logger;
    private readonly ConnectionWatch _connection;
    private readonly ChatRequests _requests;
    private readonly ChatFeeds _feeds;
    private readonly UpdateRouter _updates;
    private readonly ReplyOrigins _replyOrigins;
    private readonly ReplyLookup _replies;
    private readonly CancellationTokenSource _stopping = new();
    private Channel<Delivery> _output;
    private int _reading;

    /// <summary>A connector over an authorized <paramref name="session"/>; nothing is sent before <see cref="ReadAsync"/>.</summary>
    /// <param name="session">The authorized TDLib session (e.g. a <see cref="Auth.TdAuthorizedSession"/>, which gives the updates seen while logging in first); its updates must be read by this connector alone from now on.</param>
    /// <param name="reader">Reads the session's updates (its directory of users and chats is fed by them).</param>
    /// <param name="options">Settings.</param>
    /// <param name="logger">Where state lines go.</param>
    /// <param name="time">The clock.</param>
    /// <param name="randomizer">Where each backoff wait falls in its step (a number in [0, 1)); random when null.</param>
    /// <exception cref="ArgumentException">An option is invalid (one line naming it).</exception>
    public TdlibConnector(ITdSession session, TdUpdateReader reader, TdlibConnectorOptions options, ILogger? logger = null,
        TimeProvider? time = null, Func<double>? randomizer = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(options);
        _session = session;
        _reader = reader;
        _options = options.Validate();
        _logger = logger ?? NullLogger.Instance;
        time ??= TimeProvider.System;
        _replyOrigins = new ReplyOrigins(options.ReplyOriginCapacity);
        _replies = new ReplyLookup(session, reader, _replyOrigins, Stats, _options.RequestTimeout);
        _output = NewOutput();
        var malformed = new MalformedObjects(Stats, _logger);
        _connection = new ConnectionWatch(options.Grace, time, _logger);
        _requests = new ChatRequests(session, reader, _options, Stats, malformed, _logger, time, randomizer) { RateLimited = _connection.RateLimited };
        _connection.Changed += s => StatusChanged?.Invoke(s);
        _feeds = new ChatFeeds(this, options.LiveQueueCapacity, everyChat: options.Chats.Count == 0);
        _updates = new UpdateRouter(session, reader, _feeds, _connection, malformed, Stats, time, Fail, () => Heartbeat, () => Poster, Files);
    }

    /// <inheritdoc />
    public string Name => ConnectorName;

    /// <inheritdoc />
    public string Account => _options.Account;

    /// <inheritdoc />
    public ConnectionStatus Status => _connection.Status;

    /// <inheritdoc />
    public LinkStats LinkStats => _connection.Stats;

    /// <inheritdoc />
    public event Action<ConnectionStatus>? StatusChanged;

    /// <summary>What the connector has seen and done.</summary>
    public TdlibConnectorStats Stats { get; } = new();

    /// <summary>Where the session's <c>updateFile</c> go: what a <see cref="TdlibMediaSource"/> of the run follows.</summary>
    public TdFileWatch Files { get; } = new();

    /// <summary>
    /// The poster of the run's alerts over the same session (a <c>telegram:CHAT</c> sink's), told by the update loop how each of
    /// its messages fared, and which are its own, before they go on as records. None when null.
    /// </summary>
    public TdlibChatPoster? Poster { get; init; }

    /// <summary>Beaten by the update loop (as <see cref="ConnectorName"/>) while it hands out updates; idle while it waits for TDLib. None when null.</summary>
    public Health.Heartbeat? Heartbeat { get; init; }

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
        _feeds.Begin(committed, run.Token);
        _output = NewOutput();
        var loop = Task.Run(() => _updates.RunAsync(run.Token), CancellationToken.None);
        var start = Task.Run(() => StartAsync(run.Token), CancellationToken.None);
        try
        {
            await foreach (var delivery in DeliveryOutput.ReadAsync(_output.Reader, run.Token, _stopping.Token, ct).ConfigureAwait(false))
                yield return delivery;
        }
        finally
        {
            await run.CancelAsync().ConfigureAwait(false);
            // Their failures, if any, already ended the stream.
            await loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await start.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await _feeds.StopAsync().ConfigureAwait(false);
            Volatile.Write(ref _reading, 0);
        }
    }

    /// <inheritdoc />
    public ValueTask CommitAsync(Checkpoint upTo, CancellationToken ct) =>
        // Positions are ours (the state store keeps them); TDLib has nothing to be told.
        ValueTask.CompletedTask;

    /// <inheritdoc />
    public ValueTask<ReplyResult> ResolveReplyAsync(MessageRef reply, CancellationToken ct) => _replies.ResolveAsync(reply, ct);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _connection.Stop();
    }

    private Channel<Delivery> NewOutput() => DeliveryOutput.Create(_options.OutputCapacity);

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
                var chat = await _requests.ResolveAsync(spec, ct).ConfigureAwait(false);
                if (chat is null) continue;
                found++;
                var (chatId, lastTdId) = chat.Value;
                var feed = _feeds.Watch(chatId);
                if (_feeds.TryGetCommitted(chatId, out var position))
                {
                    feed.Anchor(position);
                }
                else
                {
                    // First time: start where the chat is now, and have that position committed.
                    // last_message "may be null if none or unknown": then the newest message of its history says where the chat is.
                    if (lastTdId == 0) lastTdId = await _requests.NewestAsync(chatId, spec, ct).ConfigureAwait(false);
                    var baseline = TdMessageIds.ToServerId(lastTdId);
                    feed.Anchor(baseline);
                    await _output.Writer.WriteAsync(new Delivery(null, new Checkpoint(StreamOf(chatId), baseline)), ct).ConfigureAwait(false);
                }
                await _requests.OpenAsync(chatId, spec, ct).ConfigureAwait(false);
            }
            if (specs.Count > 0 && found == 0)
                throw new TdlibChatsNotFoundException();
            // Every chat: those with a position from an earlier run catch up from it.
            if (specs.Count == 0) _feeds.AnchorCommitted();
            _feeds.Start(ct);
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

    // ---- what a chat's feed asks of the connector ----

    int IChatFeedOwner.HistoryPageSize => _options.HistoryPageSize;

    Task<List<TdMappedMessage>?> IChatFeedOwner.HistoryAsync(long chatId, long fromTdId, int offset, int limit, CancellationToken ct) =>
        _requests.HistoryAsync(chatId, fromTdId, offset, limit, ct);

    Task<TdMappedMessage?> IChatFeedOwner.EditedAsync(long chatId, long tdMessageId, CancellationToken ct) =>
        _requests.EditedAsync(chatId, tdMessageId, ct);

    Task<long> IChatFeedOwner.NewestServerIdAsync(long chatId, CancellationToken ct) => _requests.NewestServerIdAsync(chatId, ct);

    Task IChatFeedOwner.UpdatesRoutedAsync(CancellationToken ct) => _updates.RoutedAsync(ct);

    TgMessage IChatFeedOwner.Deleted(long chatId, long tdMessageId, DateTimeOffset when) => _reader.Deleted(chatId, tdMessageId, when);

    void IChatFeedOwner.RememberReply(MessageRef reply, long chatId, long tdMessageId) => _replyOrigins.Add(reply, chatId, tdMessageId);

    ValueTask IChatFeedOwner.WriteAsync(Delivery delivery, CancellationToken ct) => _output.Writer.WriteAsync(delivery, ct);

    void IChatFeedOwner.Fail(Exception e) => Fail(e);
}
