using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Telegram.Bot;
using Telegram.Bot.Exceptions;
using Tgwatch.Connectors;
using Tgwatch.Faults;
using Tgwatch.Formatting;
using Tgwatch.Messages;
using Tgwatch.Resilience;

namespace Tgwatch.BotApi;

/// <summary>
/// A bot's updates through the Bot API, by its own long-polling loop over <c>getUpdates</c>:
/// <list type="bullet">
/// <item>the offset it sends is the last committed update id + 1, so an update is confirmed to Telegram only after
/// every sink has it, and a crash redelivers instead of losing (updates still in flight that come back are not
/// delivered twice); after a long while without updates it polls without an offset, so that the update Telegram
/// numbers at random after a week without updates (possibly lower) is not confirmed unseen: it starts a new epoch of
/// positions;</item>
/// <item>network faults and time-outs back off exponentially with jitter, a rate limit waits what the server asked, a
/// conflict (webhook set, another poller) is one error line and backoff, a rejected token stops with
/// <see cref="BotTokenRejectedException"/>;</item>
/// <item>each update is read on its own: a malformed one or one of a kind not monitored is counted and skipped, never
/// the rest of its batch.</item>
/// </list>
/// </summary>
public sealed class BotApiConnector : IConnector, ILinkReport
{
    /// <summary>The connector's name in records.</summary>
    public const string ConnectorName = "botapi";

    /// <summary>The name of its one stream (update ids).</summary>
    public const string StreamName = "updates";

    /// <summary>The update kinds it asks for.</summary>
    public static readonly IReadOnlyList<string> AllowedUpdates = ["message", "edited_message", "channel_post", "edited_channel_post"];

    private readonly BotApiOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly TelegramBotClient _client;
    private readonly UpdateMapper _mapper;
    private readonly LinkMonitor _link;
    private readonly ResiliencePipeline _retry;
    private readonly HashSet<string> _skippedKinds = [];
    private readonly AnswerCopy? _copy;
    private bool _journalFailed;
    private volatile bool _backlog;
    private readonly Signal _committedSignal = new();
    private long _committed;
    private bool _conflictReported;
    private bool _rateLimitReported;
    private bool _unexpectedReported;
    private bool _tooLargeReported;

    /// <summary>The longest a rate limit is waited out before asking again, whatever <c>retry_after</c> said.</summary>
    internal static readonly TimeSpan MaxRetryAfter = TimeSpan.FromHours(1);

    /// <summary>A connector; nothing is sent before <see cref="ReadAsync"/>.</summary>
    /// <param name="options">Where and how to poll.</param>
    /// <param name="logger">Where the connector's lines go.</param>
    /// <param name="time">The clock of every wait; the system clock when null.</param>
    /// <param name="http">The HTTP client to poll with (used as it is); by default one bounded by <see cref="BotApiOptions.MaxAnswerBytes"/>, disposed with the connector.</param>
    /// <param name="randomizer">Where each backoff wait falls in its step (a number in [0, 1)); random when null.</param>
    /// <exception cref="ArgumentException">An option is invalid (one line naming it).</exception>
    public BotApiConnector(BotApiOptions options, ILogger? logger = null, TimeProvider? time = null, HttpClient? http = null, Func<double>? randomizer = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Validate();
        _logger = logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
        _ownsHttp = http is null;
        if (_options.JournalPath is not null && http is not null)
            throw new ArgumentException("BotApiOptions.JournalPath needs the connector's own HTTP client: the answers' bytes are kept as it reads them", nameof(http));
        _copy = _options.JournalPath is null ? null : new AnswerCopy();
        _http = http ?? new HttpClient(new AnswerCapHandler(
            new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30), ConnectTimeout = TimeSpan.FromSeconds(15) },
            _options.MaxAnswerBytes, _copy));
        // Our own deadline (poll timeout + margin) decides when a request has taken too long.
        _http.Timeout = Timeout.InfiniteTimeSpan;
        var clientOptions = new TelegramBotClientOptions(options.Token, options.ApiUrl.GetLeftPart(UriPartial.Authority))
        {
            RetryCount = 0, // rate limits are waited out here, with the rest of the backoff
        };
        _client = new TelegramBotClient(clientOptions, _http);
        Account = $"bot{Secrets.BotToken.IdOf(options.Token)}";
        _mapper = new UpdateMapper(Account);
        _link = new LinkMonitor(options.Grace, _time, this);
        _link.Changed += s => StatusChanged?.Invoke(s);
        _retry = Retry(randomizer ?? Random.Shared.NextDouble);
        Secrets.SecretRedactor.Default.Register(options.Token);
    }

    /// <inheritdoc />
    public string Name => ConnectorName;

    /// <inheritdoc />
    public string Account { get; }

    /// <inheritdoc />
    public ConnectionStatus Status => _link.Status;

    /// <inheritdoc />
    public LinkStats LinkStats => _link.Stats;

    /// <inheritdoc />
    /// <remarks>
    /// From a full answer (as many updates as <see cref="BotApiOptions.Limit"/>) to the next that is not, while the journal
    /// keeps the answers (the next poll then goes without waiting for a commit) and no commit is waited for.
    /// </remarks>
    public bool HasBacklog => _backlog;

    /// <summary>
    /// Beaten by the polling loop (as <see cref="ConnectorName"/>) as each request goes out; idle once it is answered and
    /// while a failure is waited out, so only a request that outlives its deadline looks stuck. None when null.
    /// </summary>
    public Health.Heartbeat? Heartbeat { get; init; }

    /// <inheritdoc />
    public event Action<ConnectionStatus>? StatusChanged;

    /// <summary>getUpdates calls answered, updates skipped as malformed or of kinds not monitored (live counters).</summary>
    public BotApiConnectorStats Stats { get; } = new();

    /// <inheritdoc />
    public async IAsyncEnumerable<Delivery> ReadAsync(IReadOnlyDictionary<string, long> committed, [EnumeratorCancellation] CancellationToken ct)
    {
        ReceivedJournal? journal = null;
        PollState? poll = null;
        try
        {
            Volatile.Write(ref _committed, committed.GetValueOrDefault(StreamName));
            // The first update read builds the JSON reader's model of updates and compiles the mapping (a quarter of a second):
            // done now on another thread, while getMe and the first poll go out, it is not paid by the first live message.
            _ = Task.Run(UpdateMapper.WarmUp, CancellationToken.None);
            // What this run has confirmed (none yet: an earlier run's last commits may still wait on the server), and when
            // updates last came (an earlier run's last commit, when known).
            poll = new PollState(Volatile.Read(ref _committed), _options.LastCommittedAt ?? _time.GetUtcNow());
            if (_options.JournalPath is { } path)
            {
                journal = ReceivedJournal.Open(path, out var kept, out var cutShort);
                poll.Journal = journal;
                if (cutShort > 0) BotApiLog.JournalCutShort(_logger, cutShort, path);
                // What the journal holds past the last commit is delivered first, with the positions it had (its answers are
                // read again as they were read when they came); Telegram may have forgotten it.
                var again = 0;
                foreach (var entry in kept)
                {
                    // Its updates came then: after a start, the long while without updates (IdleWithoutOffset) counts from
                    // it, not from the last commit (a poll without an offset would bring back what it held and Telegram
                    // had not been told yet as new updates of a new epoch).
                    if (entry.PolledAt > poll.UpdatesCameAt) poll.UpdatesCameAt = entry.PolledAt;
                    var delivered = entry.DeliveredAtSend;
                    foreach (var raw in ReadKept(entry, path).Updates)
                    {
                        var position = raw.Id is >= 0 and <= MaxUpdateId ? Place(raw.Id.Value, delivered, entry.IdRestartPossible) : NoPosition;
                        if (position is null || position == NoPosition) continue;
                        delivered = position.Value;
                        if (position <= poll.Delivered) continue; // committed (or in an answer kept before)
                        if (Deliver(raw, position.Value, poll) is { } delivery)
                        {
                            again++;
                            yield return delivery;
                        }
                    }
                }
                if (again > 0) BotApiLog.Replaying(_logger, again, path);
                poll.Journaled = poll.Delivered;
            }
            await IdentifyAsync(ct).ConfigureAwait(false);
            while (!ct.IsCancellationRequested)
            {
                if (journal is not null) await KeepJournalAsync(journal, poll, ct).ConfigureAwait(false);
                // Without a journal the offset confirms only what is committed, so an answer starts with the updates in flight:
                // they are sent again and passed over. With half an answer's worth or more in flight, a commit is waited for
                // instead, so that at least half of each answer is new (waiting only for a whole answer's worth, a drain's
                // answers were more than half repeats: drains of 20,000, four alternating runs, 71-84 -> 56-63 us of CPU a
                // message, as fast). With one, the offset confirms what the journal holds: a few answers may be in flight.
                while (poll.Uncommitted(Volatile.Read(ref _committed)) >= (journal is null ? Math.Max(1, _options.Limit / 2) : JournaledInFlight * _options.Limit))
                {
                    _backlog = false;
                    await _committedSignal.WaitAsync(TimeSpan.FromSeconds(1), _time, ct).ConfigureAwait(false);
                }
                // Failures are retried with backoff inside: what comes out is an answer.
                var answer = await _retry.ExecuteAsync(static (state, token) => state.Self.PollOnceAsync(state.Poll, token), (Self: this, Poll: poll), ct).ConfigureAwait(false);
                // Busy only while a request is out (each bounded by its deadline): handing the updates over and waiting are no hang.
                Heartbeat?.Idle(ConnectorName);
                _rateLimitReported = _unexpectedReported = false;
                Interlocked.Increment(ref Stats.polls);
                poll.LastAnswerEmpty = answer.Batch.Count == 0 && answer.TooLarge is null;
                // More waits on the server, and comes with the next poll, which goes at once.
                _backlog = journal is not null && !_journalFailed && answer.Batch.Count >= _options.Limit;
                var fresh = 0;
                if (answer.TooLarge is { } skippedId && Place(skippedId, poll.Delivered, answer.IdRestartPossible) is { } skippedAt)
                {
                    BotApiLog.UpdateTooLarge(_logger, skippedId, _options.MaxAnswerBytes);
                    Interlocked.Increment(ref Stats.malformed);
                    poll.Delivered = skippedAt;
                    poll.InFlight.Enqueue(skippedAt);
                    // Not in the journal: confirmed once committed, as without one.
                    poll.Unjournaled = Math.Max(poll.Unjournaled, skippedAt);
                    fresh++;
                    yield return new Delivery(null, new Checkpoint(StreamName, skippedAt));
                    continue;
                }
                if (journal is not null && (answer.Batch.Count > 0 || _copy!.Written is not null))
                {
                    // Forced to the disk while it is parsed and its updates are handed over (started as soon as it was whole,
                    // or now); the next poll confirms them once it is. A write started for an answer that turned out empty is
                    // waited for too: the journal is not emptied under it.
                    var deliveredBefore = poll.Delivered;
                    var idRestartPossible = answer.IdRestartPossible;
                    var polledAt = answer.PolledAt;
                    poll.Pending = _copy!.Written ?? Task.Run(() => journal.Append(deliveredBefore, idRestartPossible, _copy.Bytes, polledAt), CancellationToken.None);
                    _copy.Written = null;
                }
                foreach (var raw in answer.Batch)
                {
                    // An update in flight already (sent again until a commit confirms it) is passed over on its id.
                    var id = raw.Id;
                    var position = id is >= 0 and <= MaxUpdateId ? Place(id.Value, poll.Delivered, answer.IdRestartPossible) : NoPosition;
                    if (position is null) continue; // in flight already
                    if (Deliver(raw, position.Value, poll) is not { } delivery) continue;
                    fresh++;
                    yield return delivery;
                }
                poll.PendingUpTo = poll.Delivered;
                _link.Succeeded(fresh);
                if (answer.Batch.Count == 0)
                {
                    // An empty answer that came at once (a server that does not long-poll) must not make us spin.
                    var rest = _options.EmptyPollFloor - _time.GetElapsedTime(answer.Started);
                    if (rest > TimeSpan.Zero) await Task.Delay(rest, _time, ct).ConfigureAwait(false);
                }
                else if (fresh == 0)
                {
                    // Everything that came is still in flight: ask again once the pipeline has committed some.
                    _backlog = false;
                    await _committedSignal.WaitAsync(TimeSpan.FromSeconds(1), _time, ct).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            _backlog = false;
            _link.Stopped(); // the stream ends: stopped, or failed for good
            Heartbeat?.Idle(ConnectorName);
            if (journal is not null)
            {
                // A write under way ends before the file is closed (its updates are not confirmed: the next start reads it).
                foreach (var write in new[] { poll?.Pending, _copy?.Written })
                    if (write is not null) await write.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                journal.Dispose();
            }
        }
    }

    /// <summary>
    /// The updates of an answer the journal kept; none when it cannot be read: its write starts before it is parsed, so an
    /// answer that failed to parse (never confirmed, asked for again) is kept too.
    /// </summary>
    private UpdateBatch ReadKept(ReceivedJournal.Entry entry, string path)
    {
        try
        {
            return UpdateBatch.ReadAnswer(entry.Answer);
        }
        catch (JsonException e)
        {
            BotApiLog.KeptAnswerUnreadable(_logger, entry.Answer.Length, path, e.Message);
            return UpdateBatch.Empty;
        }
    }

    /// <summary>How many answers' worth of updates may be in flight with a journal (the pipeline's capacity bounds them too).</summary>
    private const int JournaledInFlight = 8;

    /// <summary>A journal this long is emptied once everything in it is committed, at once (otherwise when no update came).</summary>
    internal const long JournalEmptiedAbove = 1024 * 1024;

    /// <summary>A journal this long waits for everything in it to be committed, then is emptied.</summary>
    internal const long JournalMaxBytes = 16 * 1024 * 1024;

    /// <summary>
    /// The update at <paramref name="position"/> as a delivery (null when it has none: no position to deliver at), counted and
    /// noted as delivered.
    /// </summary>
    private Delivery? Deliver(UpdateMapper.RawUpdate raw, long position, PollState poll)
    {
        var mapped = _mapper.Map(raw);
        var malformed = mapped.Malformed ?? (position == NoPosition ? $"update_id {mapped.UpdateId} is out of range" : null);
        if (malformed is not null && Interlocked.Increment(ref Stats.malformed) == 1) BotApiLog.Malformed(_logger, malformed);
        if (position == NoPosition) return null; // no position to deliver at (no update_id, or one past 32 bits)
        if (EpochOf(position) > EpochOf(poll.Delivered)) BotApiLog.NewEpoch(_logger, mapped.UpdateId, IdOf(poll.Delivered));
        if (mapped.Skipped is { } kind)
        {
            Interlocked.Increment(ref Stats.skipped);
            if (_skippedKinds.Add(kind)) BotApiLog.SkippedKind(_logger, kind);
        }
        poll.Delivered = position;
        poll.InFlight.Enqueue(position);
        return new Delivery(mapped.Message, new Checkpoint(StreamName, position));
    }

    /// <summary>
    /// Before a poll: the answer written last is on the disk (then what it holds may be confirmed) or could not be (then
    /// it is confirmed once committed, said once); the journal is emptied when everything in it is committed and it is long,
    /// or no update came; one too long waits for that.
    /// </summary>
    private async ValueTask KeepJournalAsync(ReceivedJournal journal, PollState poll, CancellationToken ct)
    {
        if (poll.Pending is { } pending)
        {
            poll.Pending = null;
            try
            {
                await pending.ConfigureAwait(false);
                _journalFailed = false;
                // An answer not in the journal before it is confirmed only once committed.
                if (Volatile.Read(ref _committed) >= poll.Unjournaled) poll.Journaled = Math.Max(poll.Journaled, poll.PendingUpTo);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                if (!_journalFailed)
                {
                    var fault = Tgwatch.Faults.FaultClassifier.Default.Classify(e);
                    BotApiLog.JournalFailed(_logger, journal.Path, fault.Kind, Secrets.SecretRedactor.Default.Redact(TextLines.FirstLine(e.Message)));
                }
                _journalFailed = true;
                poll.Unjournaled = Math.Max(poll.Unjournaled, poll.PendingUpTo);
            }
        }
        if (journal.Length == 0) return;
        if (journal.Length >= JournalMaxBytes)
        {
            while (Volatile.Read(ref _committed) < poll.Delivered)
            {
                _backlog = false;
                await _committedSignal.WaitAsync(TimeSpan.FromSeconds(1), _time, ct).ConfigureAwait(false);
            }
        }
        if (Volatile.Read(ref _committed) >= poll.Delivered && (journal.Length >= JournalEmptiedAbove || poll.LastAnswerEmpty))
        {
            try
            {
                journal.Clear();
            }
            catch (IOException)
            {
                // Left as it is: what it holds is committed, and read back at the next start it is passed over.
            }
        }
    }

    /// <summary>What the polling loop keeps between polls.</summary>
    /// <param name="delivered">The position delivered last.</param>
    /// <param name="updatesCameAt">When updates last came.</param>
    private sealed class PollState(long delivered, DateTimeOffset updatesCameAt)
    {
        /// <summary>The position delivered last.</summary>
        public long Delivered = delivered;

        /// <summary>What this run has confirmed with an offset (<see cref="long.MinValue"/>: nothing yet).</summary>
        public long Confirmed = long.MinValue;

        /// <summary>When updates last came.</summary>
        public DateTimeOffset UpdatesCameAt = updatesCameAt;

        /// <summary>An answer was too long: one update per answer until it is past.</summary>
        public bool OneAtATime;

        /// <summary>The position up to which every update delivered is in the journal or committed (what a poll may confirm).</summary>
        public long Journaled = delivered;

        /// <summary>The last position of an answer that is not in the journal: nothing past it is confirmed before it is committed.</summary>
        public long Unjournaled = long.MinValue;

        /// <summary>The received journal, if any.</summary>
        public ReceivedJournal? Journal;

        /// <summary>The journal's write of the latest answer, until the next poll.</summary>
        public Task? Pending;

        /// <summary>The last position delivered from the answer of <see cref="Pending"/>.</summary>
        public long PendingUpTo;

        /// <summary>Whether the latest answer had no update.</summary>
        public bool LastAnswerEmpty;

        /// <summary>The positions delivered, in order, back to the oldest not known to be committed.</summary>
        public readonly Queue<long> InFlight = new();

        /// <summary>How many updates delivered are not committed, given the position committed last.</summary>
        public int Uncommitted(long committed)
        {
            while (InFlight.TryPeek(out var oldest) && oldest <= committed) InFlight.Dequeue();
            return InFlight.Count;
        }
    }

    /// <summary>A poll's answer: its updates, or the id of one update too long to read (skipped at its position).</summary>
    /// <param name="Batch">The updates.</param>
    /// <param name="TooLarge">The update too long to read, if that was the answer.</param>
    /// <param name="IdRestartPossible">Whether the poll was sent when update ids may have started again lower (see <see cref="Place"/>).</param>
    /// <param name="Started">When the poll was sent (a timestamp of the clock).</param>
    /// <param name="PolledAt">When the poll was sent (the clock's time).</param>
    private readonly record struct PollAnswer(IReadOnlyList<UpdateMapper.RawUpdate> Batch, long? TooLarge, bool IdRestartPossible, long Started, DateTimeOffset PolledAt);

    /// <summary>
    /// One getUpdates (asked again at once, one update at a time, when its answer is too long). A failure is thrown: the
    /// retry around it backs off and polls again.
    /// </summary>
    private async ValueTask<PollAnswer> PollOnceAsync(PollState poll, CancellationToken ct)
    {
        while (true)
        {
            Heartbeat?.Beat(ConnectorName);
            var started = _time.GetTimestamp();
            var polledAt = _time.GetUtcNow();
            // The offset confirms what was committed, or is in the journal. None once that is done (or older than Telegram
            // keeps it), nothing is in flight and no update came for a long while: then ids may start again lower (see
            // Place). None either while a new epoch has nothing confirmable yet: an offset of the epoch before could
            // confirm its updates.
            var confirmable = Math.Max(Volatile.Read(ref _committed), poll.Journaled);
            var idRestartPossible = poll.Delivered == confirmable && (poll.Confirmed == confirmable || poll.Confirmed == long.MinValue)
                && polledAt - poll.UpdatesCameAt >= _options.IdleWithoutOffset;
            var withOffset = !idRestartPossible && EpochOf(confirmable) == EpochOf(poll.Delivered);
            if (poll.Journal is { } journal)
            {
                // The write of an answer that was not used (a failure after it was read) ends before the copy is read again.
                if (_copy!.Written is { } unused)
                {
                    _copy.Written = null;
                    await unused.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                }
                // Not past the journal's bound (an answer asked for again and again after failing to parse would add one each
                // time): written after it is parsed then, once the bound has been waited for.
                if (journal.Length < JournalMaxBytes) _copy.Arm(journal, poll.Delivered, idRestartPossible, polledAt);
            }
            try
            {
                var batch = await PollAsync(withOffset ? IdOf(confirmable) + 1 : null, poll.OneAtATime ? 1 : _options.Limit, ct).ConfigureAwait(false);
                if (withOffset) poll.Confirmed = confirmable;
                if (batch.Count > 0) poll.UpdatesCameAt = _time.GetUtcNow();
                if (!poll.OneAtATime) _tooLargeReported = false;
                poll.OneAtATime = false;
                return new PollAnswer(batch, null, idRestartPossible, started, polledAt);
            }
            catch (Exception e) when (!ct.IsCancellationRequested && TooLarge(e) is { } large)
            {
                if (!poll.OneAtATime && _options.Limit > 1)
                {
                    // Once until a whole answer can be read again.
                    if (!_tooLargeReported) BotApiLog.AnswerTooLarge(_logger, large.MaxBytes);
                    _tooLargeReported = true;
                    poll.OneAtATime = true;
                    continue;
                }
                // One update alone is too long: it is skipped at its position (the pipeline commits past it).
                if (large.FirstUpdateId is not { } id) throw;
                poll.OneAtATime = false;
                return new PollAnswer([], id, idRestartPossible, started, polledAt);
            }
            catch (ApiRequestException e) when (e.ErrorCode is 401 or 404)
            {
                // As on getMe: Telegram answers 401 for a revoked token and 404 for one it does not know.
                throw new BotTokenRejectedException(e.ErrorCode);
            }
        }
    }

    // ---- positions: an epoch above the update id ----

    /// <summary>The largest update id Telegram gives (they are 32-bit); the position keeps it in its low 32 bits.</summary>
    internal const long MaxUpdateId = uint.MaxValue;

    private const long NoPosition = -1;

    /// <summary>The update id of a position.</summary>
    public static long IdOf(long position) => position & MaxUpdateId;

    /// <summary>The epoch of a position: how many times the update ids started again lower.</summary>
    public static long EpochOf(long position) => position >> 32;

    /// <summary>
    /// The position of an update (its epoch above its id), or null when it is in flight already. After a week without
    /// updates Telegram chooses the next update id at random, so it may be lower than the ids before: in a poll sent
    /// when nothing was in flight, everything delivered was confirmed (or is long gone from Telegram) and no update had
    /// come for a long while, an update at or below the last one delivered is such a new one, and starts a new epoch, so
    /// positions keep rising and the checkpoint keeps moving.
    /// </summary>
    /// <param name="id">The update's id.</param>
    /// <param name="delivered">The position delivered last.</param>
    /// <param name="idRestartPossible">Whether the poll was sent in that state (and so without an offset).</param>
    internal static long? Place(long id, long delivered, bool idRestartPossible)
    {
        var epoch = EpochOf(delivered);
        if (id > IdOf(delivered)) return (epoch << 32) | id;
        // Delivered, not yet confirmed: Telegram sends it again until it is.
        if (!idRestartPossible) return null;
        return ((epoch + 1) << 32) | id;
    }

    /// <inheritdoc />
    public ValueTask CommitAsync(Checkpoint upTo, CancellationToken ct)
    {
        if (upTo.Stream != StreamName) throw new ArgumentException($"the Bot API has one stream, {StreamName}, not {upTo.Stream}");
        long current;
        do
        {
            current = Volatile.Read(ref _committed);
            if (upTo.Position <= current) return ValueTask.CompletedTask;
        }
        while (Interlocked.CompareExchange(ref _committed, upTo.Position, current) != current);
        _committedSignal.Set();
        // Telegram learns it with the next getUpdates (offset = its update id + 1).
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<ReplyResult> ResolveReplyAsync(MessageRef reply, CancellationToken ct) =>
        // The Bot API sends the replied-to message inside the update; one it left out cannot be asked for.
        ValueTask.FromResult(ReplyResult.Gone);

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _link.Stopped();
        if (_ownsHttp) _http.Dispose();
        _committedSignal.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>getMe, retried while the network fails; a rejected token ends the run.</summary>
    private async Task IdentifyAsync(CancellationToken ct)
    {
        try
        {
            await _retry.ExecuteAsync(static async (self, token) =>
            {
                try
                {
                    self.Heartbeat?.Beat(ConnectorName);
                    using var deadline = self.Deadline(token);
                    var me = await self._client.GetMe(deadline.Token).ConfigureAwait(false);
                    self._link.Succeeded(0);
                    BotApiLog.Connected(self._logger, me.Username, me.Id, $"{self._options.ApiUrl.Scheme}://{self._options.ApiUrl.Authority}");
                }
                catch (ApiRequestException e) when (e.ErrorCode is 401 or 404)
                {
                    throw new BotTokenRejectedException(e.ErrorCode);
                }
            }, this, ct).ConfigureAwait(false);
            Heartbeat?.Idle(ConnectorName);
        }
        catch (Exception e) when (ct.IsCancellationRequested && e is not (OperationCanceledException or BotTokenRejectedException))
        {
            throw Stopped("getMe", e, ct);
        }
    }

    private async Task<IReadOnlyList<UpdateMapper.RawUpdate>> PollAsync(long? offset, int limit, CancellationToken ct)
    {
        using var deadline = Deadline(ct);
        var request = new RawGetUpdates
        {
            Offset = offset,
            Limit = limit,
            Timeout = (int)_options.PollTimeout.TotalSeconds,
            AllowedUpdates = AllowedUpdates,
        };
        try
        {
            return (await _client.SendRequest(request, deadline.Token).ConfigureAwait(false) ?? UpdateBatch.Empty).Updates;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"getUpdates did not answer within {LinkMonitor.Format(_options.PollTimeout + _options.HttpMargin)}");
        }
        catch (Exception e) when (ct.IsCancellationRequested && e is not OperationCanceledException)
        {
            throw Stopped("getUpdates", e, ct);
        }
    }

    /// <summary>The answer-too-long failure in <paramref name="e"/>'s chain (Telegram.Bot wraps what its reader throws), if it is one.</summary>
    private static AnswerTooLargeException? TooLarge(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
            if (x is AnswerTooLargeException large) return large;
        return null;
    }

    /// <summary>
    /// A call cut short by the caller's cancellation is a stop, whatever it threw: Telegram.Bot reports a cancelled
    /// read of an answer as a <see cref="RequestException"/> ("exception during deserialization of the response").
    /// </summary>
    private static OperationCanceledException Stopped(string method, Exception e, CancellationToken ct) =>
        new($"{method} was stopped ({e.GetType().Name})", e, ct);

    private CancellationTokenSource Deadline(CancellationToken ct)
    {
        var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(_options.PollTimeout + _options.HttpMargin);
        return deadline;
    }

    /// <summary>The retry of getMe and of each poll: every failure but a rejected token, until it works or the run stops.</summary>
    private ResiliencePipeline Retry(Func<double> randomizer) => new ResiliencePipelineBuilder { TimeProvider = _time }
        .AddBackoffRetry(new BackoffRetryOptions
        {
            MinBackoff = _options.MinBackoff,
            MaxBackoff = _options.MaxBackoff,
            Randomizer = randomizer,
            ShouldHandle = static args => ValueTask.FromResult(
                args.Outcome.Exception is { } e and not BotTokenRejectedException && !args.Context.CancellationToken.IsCancellationRequested),
            ServerDelay = static (outcome, backoff) => outcome.Exception is { } e ? RateLimitWait(TelegramBotFaultRule.Classifier.Classify(e), backoff) : null,
            OnRetry = args =>
            {
                Failed(args.Outcome.Exception!, args.RetryDelay);
                return ValueTask.CompletedTask;
            },
        })
        .Build();

    /// <summary>
    /// How long a rate limit is waited out: what the server asked, but no less than the backoff (a retry_after of 0 must not
    /// make us spin) and no more than a bound (a retry_after of years is bad input, not a reason to stop); null when the
    /// fault is no rate limit with a retry_after.
    /// </summary>
    private static TimeSpan? RateLimitWait(Fault fault, TimeSpan backoff) =>
        fault is { Kind: FaultKind.RateLimited, RetryAfter: { } asked } ? TimeSpan.FromTicks(Math.Clamp(asked.Ticks, backoff.Ticks, Math.Max(backoff.Ticks, MaxRetryAfter.Ticks))) : null;

    /// <summary>Classifies a failure that is retried after <paramref name="wait"/>, tells the link monitor, and logs what it is worth.</summary>
    private void Failed(Exception e, TimeSpan wait)
    {
        Heartbeat?.Idle(ConnectorName); // waiting out a backoff or a rate limit is no hang
        var fault = TelegramBotFaultRule.Classifier.Classify(e);
        switch (fault.Kind)
        {
            case FaultKind.RateLimited:
                _link.RateLimited(wait);
                if (!_rateLimitReported) BotApiLog.RateLimited(_logger, LinkMonitor.Format(wait), WhyWait(fault.RetryAfter, wait));
                _rateLimitReported = true;
                return;
            case FaultKind.Network or FaultKind.Timeout:
                _link.Failed(fault.Kind, Reason(e));
                return;
            default:
                if (e is ApiRequestException { ErrorCode: 409 } conflict)
                {
                    if (!_conflictReported) BotApiLog.Conflict(_logger, conflict.Message);
                    _conflictReported = true;
                    _link.Failed(FaultKind.Bug, "conflict");
                    return;
                }
                // Loud once per run of failures (with its stack trace); the link monitor tells how long it lasts.
                if (!_unexpectedReported) BotApiLog.Unexpected(_logger, fault.Kind, e);
                _unexpectedReported = true;
                _link.Failed(fault.Kind, Reason(e));
                return;
        }
    }

    /// <summary>Why a rate limit is waited out as long as it is, in words: what the server asked, or why not that.</summary>
    internal static string WhyWait(TimeSpan? asked, TimeSpan wait)
    {
        if (asked is not { } a) return "(the server said not how long; the backoff)";
        var said = $"retry_after {Math.Round(a.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture)} s";
        if (wait == a) return $"as the server asked ({said})";
        return wait > a ? $"(the server asked {said}; no less than the backoff, so as not to ask again at once)"
            : $"(the server asked {said}; {LinkMonitor.Format(MaxRetryAfter)} at most, then it asks again)";
    }

    private static string Reason(Exception e)
    {
        // An answer that is not the Bot API's: its status says what happened, not the parse error of its HTML page.
        if (e is RequestException { HttpStatusCode: { } status } and not ApiRequestException)
            return $"HTTP {(int)status} {status}, an answer that is not the Bot API's (a proxy or gateway in the way?)";
        for (var x = e; x is not null; x = x.InnerException)
            if (x is System.Net.Http.HttpRequestException { HttpRequestError: System.Net.Http.HttpRequestError.InvalidResponse })
                return "an answer that is not HTTP (a proxy or captive portal in the way?)";
        for (var x = e; x is not null; x = x.InnerException)
            if (x.InnerException is null) return $"{x.GetType().Name}: {Secrets.SecretRedactor.Default.Redact(TextLines.FirstLine(x.Message))}";
        return e.GetType().Name;
    }

    void ILinkReport.Down(DateTimeOffset since, FaultKind fault, string reason) => BotApiLog.Down(_logger, since.UtcDateTime, fault, reason);

    void ILinkReport.Up(TimeSpan downtime, int updates) => BotApiLog.Up(_logger, LinkMonitor.Format(downtime), updates);

    void ILinkReport.ShortDrops(int drops, TimeSpan window, TimeSpan grace) =>
        BotApiLog.ShortDrops(_logger, drops, LinkMonitor.Format(window), LinkMonitor.Format(grace));
}

/// <summary>The Bot API rejected the bot token (401 or 404 on getMe): the run cannot go on (exit code 3).</summary>
public sealed class BotTokenRejectedException(int errorCode)
    : ConnectorException($"the bot token was rejected (HTTP {errorCode}); check it with @BotFather")
{
    /// <summary>The HTTP status the server answered.</summary>
    public int ErrorCode { get; } = errorCode;
}
