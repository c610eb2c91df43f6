using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tgwatch.Connectors;
using Tgwatch.Messages;
using Tgwatch.Tdlib.Connector.Feeds;
using Tgwatch.Tdlib.Updates;

namespace Tgwatch.Tdlib.Connector.Export;

/// <summary>
/// A chat's history over a range (<see cref="HistoryRange"/>), oldest first, as a connector the pipeline reads like any other,
/// so an export goes through the same filters, handlers, sinks, dead letters and dedup as a run:
/// <list type="bullet">
/// <item>the start is found with <c>getChatMessageByDate</c> (the last message before <see cref="HistoryRange.Since"/>), the end
/// with it too (the last message before <see cref="HistoryRange.Before"/>), or is the chat's newest message; then the range is
/// read a page at a time as a chat catches up in a run (<see cref="HistoryPages"/>: at most 100 per call, short pages filled);</item>
/// <item>records are the run's own (connector <c>tdlib</c>, the same account, the same keys), so a message a run wrote, or an
/// earlier export, is not written again to a sink that has it;</item>
/// <item>its position is its own stream (<see cref="HistoryRange.StreamOf"/>), committed only after every sink has the messages:
/// stopped or killed, the same range goes on from there; the end of the range is committed when it is reached;</item>
/// <item>FLOOD_WAIT waits what TDLib says (counted, and shown by <see cref="Stats"/> until when); time-outs and server errors back
/// off; while the link is down, requests wait for it, and the link's state lines are the run's.</item>
/// </list>
/// The session belongs to the caller; the export reads its updates from its first read until it is disposed (TDLib's must be
/// read steadily, they name users and chats, and <c>updateFile</c> tells the downloads of the range's files how they go, also
/// after the range's last page, when a failure to read them is the export's <see cref="Failure"/>) but watches no chat live.
/// </summary>
public sealed class HistoryExport : IConnector, IChatFeedOwner
{
    private readonly ITdSession _session;
    private readonly TdUpdateReader _reader;
    private readonly HistoryRange _range;
    private readonly TdlibConnectorOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ConnectionWatch _connection;
    private readonly ChatRequests _requests;
    private readonly ChatFeeds _feeds;
    private readonly UpdateRouter _updates;
    private readonly ReplyOrigins _replyOrigins;
    private readonly ReplyLookup _replies;
    private readonly CancellationTokenSource _stopping = new();
    private Channel<Delivery> _output;
    private int _reading;
    private Task? _updateLoop;
    private Exception? _failure;

    /// <summary>An export over an authorized <paramref name="session"/>; nothing is sent before <see cref="ReadAsync"/>.</summary>
    /// <param name="session">The authorized TDLib session; its updates must be read by this export alone from now on.</param>
    /// <param name="reader">Reads the session's updates and messages (its directory of users and chats is fed by them).</param>
    /// <param name="range">The chat and the part of its history to export.</param>
    /// <param name="options">The connector's settings (the account, page size, time-outs, backoff; <see cref="TdlibConnectorOptions.Chats"/> is not used).</param>
    /// <param name="logger">Where state lines go.</param>
    /// <param name="time">The clock.</param>
    /// <param name="randomizer">Where each backoff wait falls in its step (a number in [0, 1)); random when null.</param>
    /// <exception cref="ArgumentException">An option or the range is invalid (one line naming it).</exception>
    public HistoryExport(ITdSession session, TdUpdateReader reader, HistoryRange range, TdlibConnectorOptions options, ILogger? logger = null,
        TimeProvider? time = null, Func<double>? randomizer = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(range);
        ArgumentNullException.ThrowIfNull(options);
        _session = session;
        _reader = reader;
        _range = range.Validate();
        _options = options.Validate();
        _logger = logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
        _replyOrigins = new ReplyOrigins(options.ReplyOriginCapacity);
        _replies = new ReplyLookup(session, reader, _replyOrigins, TdlibStats, _options.RequestTimeout);
        _output = NewOutput();
        var malformed = new MalformedObjects(TdlibStats, _logger);
        _connection = new ConnectionWatch(options.Grace, _time, _logger);
        _requests = new ChatRequests(session, reader, _options, TdlibStats, malformed, _logger, _time, randomizer)
        {
            RateLimited = wait =>
            {
                _connection.RateLimited(wait);
                Stats.FloodWait(_time.GetUtcNow() + wait);
            },
        };
        _connection.Changed += s => StatusChanged?.Invoke(s);
        // No chat is watched live: the feeds only give the update loop somewhere to say so.
        _feeds = new ChatFeeds(this, 1, everyChat: false);
        _updates = new UpdateRouter(session, reader, _feeds, _connection, malformed, TdlibStats, _time, UpdatesFailed, () => null, () => null, Files);
    }

    /// <inheritdoc />
    public string Name => TdlibConnector.ConnectorName;

    /// <inheritdoc />
    public string Account => _options.Account;

    /// <inheritdoc />
    public ConnectionStatus Status => _connection.Status;

    /// <inheritdoc />
    public LinkStats LinkStats => _connection.Stats;

    /// <inheritdoc />
    public event Action<ConnectionStatus>? StatusChanged;

    /// <summary>Where the export is: its range, messages handed over, the estimate, FLOOD_WAITs.</summary>
    public HistoryExportStats Stats { get; } = new();

    /// <summary>Where the session's <c>updateFile</c> go: what a <see cref="TdlibMediaSource"/> of the export follows.</summary>
    public TdFileWatch Files { get; } = new();

    /// <summary>Why the update loop failed (TDLib closed, the session logged out), also after the range's last page; null while it reads.</summary>
    public Exception? Failure => Volatile.Read(ref _failure);

    /// <summary>What the export has seen of TDLib: updates, <c>getChatHistory</c> calls, rate limits, retries.</summary>
    public TdlibConnectorStats TdlibStats { get; } = new();

    /// <summary>The export's stream, once the chat is found (null before).</summary>
    public string? Stream { get; private set; }

    private long? _chatId;

    /// <summary>
    /// Finds the chat and names the export's stream (<see cref="HistoryRange.StreamOf"/>), e.g. to forget its checkpoint before
    /// the export starts over; <see cref="ReadAsync"/> does it when this was not called.
    /// </summary>
    /// <exception cref="TdlibChatNotFoundException">The chat does not exist or is not visible to the account.</exception>
    public async Task<string> FindAsync(CancellationToken ct)
    {
        if (_chatId is null)
        {
            ChatSpec.TryParse(_range.Chat, out var spec, out _);
            var chat = await _requests.ResolveAsync(spec, ct).ConfigureAwait(false) ?? throw new TdlibChatNotFoundException(spec.ToString());
            _chatId = chat.ChatId;
            Stream = _range.StreamOf(chat.ChatId);
        }
        return Stream!;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<Delivery> ReadAsync(IReadOnlyDictionary<string, long> committed, [EnumeratorCancellation] CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(committed);
        if (Interlocked.Exchange(ref _reading, 1) == 1) throw new InvalidOperationException("an export is read once at a time");
        using var run = CancellationTokenSource.CreateLinkedTokenSource(ct, _stopping.Token);
        _feeds.Begin(new Dictionary<string, long>(), run.Token);
        _feeds.Start(run.Token);
        _output = NewOutput();
        // The update loop lives as long as the export, not its stream: after the range's last page the run still downloads the
        // range's files (export --media), and their progress comes as updates.
        _updateLoop ??= Task.Run(() => _updates.RunAsync(_stopping.Token), CancellationToken.None);
        var export = Task.Run(() => ExportAsync(committed, run.Token), CancellationToken.None);
        try
        {
            await foreach (var delivery in DeliveryOutput.ReadAsync(_output.Reader, run.Token, _stopping.Token, ct).ConfigureAwait(false))
                yield return delivery;
        }
        finally
        {
            await run.CancelAsync().ConfigureAwait(false);
            await export.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
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
        if (_updateLoop is { } loop) await loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _connection.Stop();
    }

    private Channel<Delivery> NewOutput() => DeliveryOutput.Create(_options.OutputCapacity);

    /// <summary>Ends the stream with an error the export cannot get past.</summary>
    private void Fail(Exception e) => _output.Writer.TryComplete(e);

    /// <summary>
    /// The update loop failed, for good (it is started once): the stream ends with why, and once the stream has ended, a run still
    /// waiting for the downloads of the range's files finds it in <see cref="Failure"/> (their progress can no longer come).
    /// </summary>
    private void UpdatesFailed(Exception e)
    {
        Volatile.Write(ref _failure, e);
        Fail(e);
    }

    private async Task ExportAsync(IReadOnlyDictionary<string, long> committed, CancellationToken ct)
    {
        try
        {
            var stream = await FindAsync(ct).ConfigureAwait(false);
            var chatId = _chatId!.Value;
            var resumed = committed.TryGetValue(stream, out var from);
            if (!resumed && _range.Since is { } since) from = await _requests.MessageAtAsync(chatId, since.AddSeconds(-1), ct).ConfigureAwait(false);
            var end = _range.Before is { } before
                ? await _requests.MessageAtAsync(chatId, before.AddSeconds(-1), ct).ConfigureAwait(false)
                : await _requests.NewestServerIdAsync(chatId, ct).ConfigureAwait(false);
            Stats.Begin(from, end, _range.Limit);
            ExportLog.Range(_logger, _range.Chat, stream, resumed ? "going on after" : "after", from, end);
            var state = end > from ? await ExportRangeAsync(chatId, stream, from, end, ct).ConfigureAwait(false) : HistoryExportState.Done;
            if (state == HistoryExportState.Done && end > Stats.Position)
            {
                // The range is done: its end is committed, so the same range again has nothing left to read.
                await _output.Writer.WriteAsync(new Delivery(null, new Checkpoint(stream, end)), ct).ConfigureAwait(false);
            }
            Stats.Finished(state);
            _output.Writer.TryComplete();
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            Fail(e);
        }
    }

    /// <summary>Hands over the messages after <paramref name="from"/> up to <paramref name="end"/>, oldest first; how it ended.</summary>
    private async Task<HistoryExportState> ExportRangeAsync(long chatId, string stream, long from, long end, CancellationToken ct)
    {
        var pages = new HistoryPages((c, f, o, l, t) => _requests.HistoryAsync(c, f, o, l, "exporting", t), chatId, _options.HistoryPageSize);
        var last = from;
        await foreach (var page in pages.AfterAsync(from, ct).ConfigureAwait(false))
        {
            foreach (var m in page)
            {
                var id = m.Message.MessageId;
                if (id > end) return HistoryExportState.Done;
                if (Stats.Exported >= _range.Limit) return HistoryExportState.LimitReached;
                if (m.ReplyTo is { } reply) _replyOrigins.Add(reply, chatId, m.TdMessageId);
                await _output.Writer.WriteAsync(new Delivery(m.Message, new Checkpoint(stream, id)), ct).ConfigureAwait(false);
                Interlocked.Increment(ref TdlibStats.historyMessages);
                Stats.Exporting(id, _range.Limit);
                last = id;
            }
            // The range's end is reached: no request past it.
            if (last >= end) return HistoryExportState.Done;
        }
        if (pages.Refused) throw new TdlibHistoryRefusedException(_range.Chat);
        return HistoryExportState.Done;
    }

    // ---- what the (idle) feeds ask of their owner ----

    TdlibConnectorStats IChatFeedOwner.Stats => TdlibStats;

    int IChatFeedOwner.HistoryPageSize => _options.HistoryPageSize;

    Task<List<TdMappedMessage>?> IChatFeedOwner.HistoryAsync(long chatId, long fromTdId, int offset, int limit, CancellationToken ct) =>
        _requests.HistoryAsync(chatId, fromTdId, offset, limit, "exporting", ct);

    Task<TdMappedMessage?> IChatFeedOwner.EditedAsync(long chatId, long tdMessageId, CancellationToken ct) => _requests.EditedAsync(chatId, tdMessageId, ct);

    Task<long> IChatFeedOwner.NewestServerIdAsync(long chatId, CancellationToken ct) => _requests.NewestServerIdAsync(chatId, ct);

    Task IChatFeedOwner.UpdatesRoutedAsync(CancellationToken ct) => _updates.RoutedAsync(ct);

    TgMessage IChatFeedOwner.Deleted(long chatId, long tdMessageId, DateTimeOffset when) => _reader.Deleted(chatId, tdMessageId, when);

    void IChatFeedOwner.RememberReply(MessageRef reply, long chatId, long tdMessageId) => _replyOrigins.Add(reply, chatId, tdMessageId);

    ValueTask IChatFeedOwner.WriteAsync(Delivery delivery, CancellationToken ct) => _output.Writer.WriteAsync(delivery, ct);

    void IChatFeedOwner.Fail(Exception e) => Fail(e);
}
