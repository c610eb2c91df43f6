using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tgwatch.Connectors;
using Tgwatch.Faults;
using Tgwatch.Messages;
using Tgwatch.Storage;

namespace Tgwatch.Pipeline;

/// <summary>
/// Takes a connector's deliveries to every sink, exactly once in effect, whatever fails on the way.
/// <list type="number">
/// <item>Intake: deliveries enter bounded channels (the connector waits when they are full; nothing is dropped), one per
/// worker; a chat always goes to the same worker, so its messages stay in order while chats run in parallel.</item>
/// <item>Workers: drop keys processed before (dedup), apply the filters, resolve replies under a deadline, run the
/// handlers (isolated: retries, deadline, dead letters).</item>
/// <item>Sink stage: puts what the workers finish back in the order it was taken in (waiting for a slow one at most
/// <see cref="PipelineOptions.OrderWindow"/>) and writes batches to every sink; only then are the keys marked processed and the checkpoints moved to
/// their low watermarks, in one store transaction, and confirmed to the connector.</item>
/// </list>
/// A stop drains in-flight work and commits it (bounded by <see cref="PipelineOptions.DrainTimeout"/>).
/// </summary>
public sealed partial class MessagePipeline
{
    private readonly IConnector _connector;
    private readonly IReadOnlyList<IMessageSink> _sinks;
    private readonly StoreCalls _store;
    private readonly LinkRecorder _link;
    private Task _leftBehind = Task.CompletedTask; // the stages a run abandoned at its stop, until they end
    private readonly IReadOnlyList<IMessageFilter> _filters;
    private readonly PipelineOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly HandlerRunner _handlers;
    private readonly ReplyResolver _replies;
    private readonly Media.MediaDownloader? _downloads;
    private readonly SinkWriter[] _writers;
    private readonly string[] _sinkNames;
    private readonly List<TgMessage> _messages = []; // the sink stage's batch (one sink stage at a time)
    private PositionTracker _positions = new();
    private ConcurrentDictionary<string, byte> _inFlightKeys = new(StringComparer.Ordinal);
    private Channel<WorkItem>[] _partitions = [];
    private Channel<WorkItem> _ready = null!;
    private long _lastPrune;
    private long _intake; // the sequence of the next delivery taken in (the intake is one loop)
    private bool _firstReceived; // this run has taken in a message
    private int _running;

    /// <summary>Creates a pipeline; <see cref="RunAsync"/> runs it.</summary>
    /// <param name="connector">Where the deliveries come from.</param>
    /// <param name="sinks">Where messages go, each with a name of its own.</param>
    /// <param name="store">Checkpoints, processed keys, dead letters.</param>
    /// <param name="options">Tuning; the defaults when null.</param>
    /// <param name="filters">Messages they refuse are not written (but are committed).</param>
    /// <param name="handlers">Run on every message before the sinks.</param>
    /// <param name="logger">Where the pipeline's lines go.</param>
    /// <param name="time">The clock of every wait; the system clock when null.</param>
    /// <param name="randomizer">Where each backoff wait falls in its step (a number in [0, 1)); random when null.</param>
    public MessagePipeline(
        IConnector connector,
        IReadOnlyList<IMessageSink> sinks,
        IStateStore store,
        PipelineOptions? options = null,
        IReadOnlyList<IMessageFilter>? filters = null,
        IReadOnlyList<IMessageHandler>? handlers = null,
        ILogger? logger = null,
        TimeProvider? time = null,
        Func<double>? randomizer = null)
    {
        ArgumentNullException.ThrowIfNull(connector);
        ArgumentNullException.ThrowIfNull(sinks);
        ArgumentNullException.ThrowIfNull(store);
        if (sinks.Select(s => s.Name).Distinct(StringComparer.Ordinal).Count() != sinks.Count)
            throw new ArgumentException("every sink of a pipeline needs a name of its own", nameof(sinks));
        _connector = connector;
        _sinks = sinks;
        _options = (options ?? new PipelineOptions()).Validate();
        _filters = filters ?? [];
        _logger = logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
        randomizer ??= Random.Shared.NextDouble;
        _store = new StoreCalls(store, _options, _logger, _time, randomizer);
        _handlers = new HandlerRunner(handlers ?? [], _store, _options, Stats, _logger, _time, randomizer);
        _replies = new ReplyResolver(connector, store, _options, Stats, _logger, _time);
        _link = new LinkRecorder(connector, _store, _options, _logger, _time);
        Stats.sinks = sinks.Select(s => new PipelineSinkStats(s.Name)).ToArray();
        _writers = sinks.Select((s, i) => new SinkWriter(s, _options, Stats, Stats.sinks[i], _logger, _time, _handlers, randomizer)).ToArray();
        _sinkNames = sinks.Select(s => s.Name).ToArray();
    }

    /// <summary>Counters.</summary>
    public PipelineStats Stats { get; } = new();

    /// <summary>Where the lag, sink writes and handler calls are timed; not timed when null.</summary>
    public PipelineTimings? Timings
    {
        get => Stats.Timings;
        init => Stats.Timings = value;
    }

    /// <summary>The name of the pipeline's main loop (the sink stage) in <see cref="Heartbeat"/>.</summary>
    public const string LoopName = "pipeline";

    /// <summary>
    /// Beaten by the pipeline's main loop (the sink stage, as <see cref="LoopName"/>) for each batch and each retry of a
    /// sink write; idle while it waits for messages. None when null.
    /// </summary>
    public Health.Heartbeat? Heartbeat
    {
        get => _heartbeat;
        init
        {
            _heartbeat = value;
            foreach (var writer in _writers) writer.Heartbeat = value;
        }
    }

    private readonly Health.Heartbeat? _heartbeat;

    /// <summary>
    /// Downloads of the messages' files (<c>--media</c>): a message with a file of a chosen type is written with
    /// <c>media.state = "pending"</c> and a media update follows when its download ended. None when null.
    /// </summary>
    public Media.MediaDownloads? Media
    {
        get => _downloads is null ? null : _mediaSetup;
        init
        {
            _mediaSetup = value;
            _downloads = value is null ? null : new Media.MediaDownloader(value, _store.Store, Stats, _logger, _time);
        }
    }

    private readonly Media.MediaDownloads? _mediaSetup;

    /// <summary>
    /// When the connector's stream ends (an export, an import; not a stop), whether the run waits for the downloads of what
    /// it wrote to end (done, or failed for good) before it ends; otherwise they are left pending to the next run.
    /// </summary>
    public bool FinishesDownloads { get; init; }

    private int _committing; // batches between the taking of their positions and the end of their commit

    /// <summary>True while media downloads wait for room on a full disk.</summary>
    public bool MediaPaused => _downloads?.Paused == true;

    /// <summary>Deliveries taken in and not yet committed.</summary>
    public int InFlight => _positions.InFlight;

    /// <summary>
    /// Runs until the connector's stream ends or <paramref name="stop"/> is cancelled, then drains what is in
    /// flight and commits it. Returns normally on a stop; a connector's own failure, or a stage's, is rethrown
    /// after the drain. One run at a time; a new run starts from the store's checkpoints.
    /// </summary>
    public async Task RunAsync(CancellationToken stop)
    {
        if (Interlocked.Exchange(ref _running, 1) != 0) throw new InvalidOperationException("the pipeline is running already");
        if (!_leftBehind.IsCompleted)
        {
            // It would share this run's positions and keys in flight.
            Volatile.Write(ref _running, 0);
            throw new InvalidOperationException("a stage of the last run is still stuck in a sink or handler; start a new pipeline");
        }
        using var linkStop = new CancellationTokenSource();
        var link = Task.Run(() => _link.RunAsync(linkStop.Token), CancellationToken.None);
        Exception? failure = null;
        try
        {
            await RunOnceAsync(stop).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !stop.IsCancellationRequested)
        {
            failure = e;
            throw;
        }
        finally
        {
            await linkStop.CancelAsync().ConfigureAwait(false);
            await link.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await _link.EndedAsync(failure).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            Volatile.Write(ref _running, 0);
        }
    }

    private async Task RunOnceAsync(CancellationToken stop)
    {
        _positions = new PositionTracker();
        _intake = 0;
        _firstReceived = false;
        _inFlightKeys = new ConcurrentDictionary<string, byte>(StringComparer.Ordinal);
        var committed = await _store.Store.LoadCheckpointsAsync(_connector.Account, _connector.Name, stop).ConfigureAwait(false);
        foreach (var sink in _sinks) await sink.StartAsync(stop).ConfigureAwait(false);
        _lastPrune = _time.GetTimestamp();
        var perWorker = Math.Max(16, _options.Capacity / _options.Parallelism);
        _partitions = Enumerable.Range(0, _options.Parallelism)
            .Select(_ => Channel.CreateBounded<WorkItem>(new BoundedChannelOptions(perWorker) { SingleReader = true, SingleWriter = true }))
            .ToArray();
        _ready = Channel.CreateBounded<WorkItem>(new BoundedChannelOptions(_options.Capacity) { SingleReader = true });

        using var drain = new CancellationTokenSource();
        using var resolverStop = CancellationTokenSource.CreateLinkedTokenSource(drain.Token);
        // The intake stops on a stop, and when a stage fails (nothing would take its deliveries any more).
        using var intakeStop = CancellationTokenSource.CreateLinkedTokenSource(stop);
        Exception? stageFailure = null;
        void StageFailed(Exception e)
        {
            if (Interlocked.CompareExchange(ref stageFailure, e, null) is null)
            {
                // A lost lease is no failure of the stage: the run says it in its own line and waits as standby.
                if (e is not Leases.LeaseLostException) Log.StageFailed(_logger, e);
                try { intakeStop.Cancel(); }
                catch (ObjectDisposedException) { }
            }
        }
        void Watch(Task stage) => stage.ContinueWith(t => StageFailed(t.Exception!.GetBaseException()),
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

        var workers = _partitions.Select(p => Task.Run(() => StageAsync(WorkerAsync(p.Reader, drain.Token), drain.Token), CancellationToken.None)).ToArray();
        var sinkStage = Task.Run(() => StageAsync(SinkStageAsync(drain.Token), drain.Token), CancellationToken.None);
        foreach (var w in workers) Watch(w);
        Watch(sinkStage);
        // Reply updates and media updates come from the background: both stop before the sink stage's input closes.
        var resolver = Task.WhenAll(
            Task.Run(() => _replies.RunAsync(EmitReplyUpdateAsync, resolverStop.Token), CancellationToken.None),
            _downloads is null ? Task.CompletedTask : Task.Run(() => _downloads.RunAsync(EmitReplyUpdateAsync, resolverStop.Token), CancellationToken.None));
        Exception? failure = null;
        try
        {
            await IntakeAsync(committed, intakeStop.Token).ConfigureAwait(false);
            if (FinishesDownloads && _downloads is not null) await DownloadsEndedAsync(intakeStop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (intakeStop.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            failure = e;
        }

        foreach (var p in _partitions) p.Writer.TryComplete();
        var drained = DrainAsync(workers, resolver, resolverStop, sinkStage);
        if (!stop.IsCancellationRequested && failure is null && Volatile.Read(ref stageFailure) is null)
        {
            // The stream ended: everything is drained, unless a stop comes meanwhile.
            var stopped = new TaskCompletionSource();
            using (stop.Register(() => stopped.TrySetResult()))
                await Task.WhenAny(drained, stopped.Task).ConfigureAwait(false);
        }
        if (!await FinishesWithinAsync(drained, _options.DrainTimeout).ConfigureAwait(false))
        {
            Log.DrainTimedOut(_logger, _options.DrainTimeout);
            await drain.CancelAsync().ConfigureAwait(false);
            // A sink or handler that ignores its cancellation is not waited for without end either.
            if (!await FinishesWithinAsync(drained, _options.DrainTimeout).ConfigureAwait(false))
            {
                Log.Abandoned(_logger, _options.DrainTimeout);
                ObserveLater(drained);
                _leftBehind = drained;
                ThrowIfFailed(failure, stageFailure);
                return;
            }
        }
        try
        {
            await drained.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (drain.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            // A stage's own failure: its watch may not have run yet, whichever comes first records it.
            StageFailed(e);
        }
        ThrowIfFailed(failure, Volatile.Read(ref stageFailure));
    }

    /// <summary>
    /// A stage cut short by the drain's cancellation is stopped, not failed, whatever a sink, handler or store
    /// threw on the way: drivers answer a cancelled call with exceptions of their own (an IOException, a
    /// time-out) as often as with an OperationCanceledException.
    /// </summary>
    private static async Task StageAsync(Task stage, CancellationToken cancelled)
    {
        try
        {
            await stage.ConfigureAwait(false);
        }
        catch (Exception e) when (cancelled.IsCancellationRequested && e is not OperationCanceledException)
        {
            throw new OperationCanceledException($"stopped at the drain timeout ({e.GetType().Name})", e, cancelled);
        }
    }

    private static void ThrowIfFailed(Exception? failure, Exception? stageFailure)
    {
        if (failure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        // A lost lease ends the run as itself: the runner goes back to standby, nothing failed.
        if (stageFailure is Leases.LeaseLostException) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(stageFailure);
        if (stageFailure is not null) throw new InvalidOperationException($"a pipeline stage failed: {stageFailure.Message}", stageFailure);
    }

    private async Task<bool> FinishesWithinAsync(Task task, TimeSpan timeout)
    {
        if (task.IsCompleted) return true;
        try
        {
            await task.WaitAsync(timeout, _time, CancellationToken.None).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return task.IsCompleted;
        }
        catch (Exception)
        {
            // Finished (with a failure that the caller reads from the task).
        }
        return true;
    }

    private static void ObserveLater(Task task) =>
        task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

    /// <summary>
    /// After the stream's end: waits until what it delivered is committed (with it, its pending downloads) and no download
    /// is pending any more. Said once when there are downloads to wait for. The connector's failure meanwhile
    /// (<see cref="IConnector.Failure"/>) ends the wait with it: the run ends as on a failure of its stream, the downloads
    /// not ended left pending, as a stop leaves them.
    /// </summary>
    private async Task DownloadsEndedAsync(CancellationToken ct)
    {
        var said = false;
        while (true)
        {
            // Positions are taken off at a batch's commit's start, the count of commits running is taken before: read in
            // this order, nothing between the two is missed.
            if (_positions.InFlight == 0 && Volatile.Read(ref _committing) == 0)
            {
                var pending = await _store.ReadAsync((store, token) => store.PendingDownloads.CountAsync(token), ct).ConfigureAwait(false);
                if (pending == 0) return;
                // Downloads left whose progress can no longer come (an export whose every download ended before the failure
                // ends as it should, and commits under way end first).
                if (_connector.Failure is { } failure) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
                if (!said) Log.WaitingForDownloads(_logger, pending);
                said = true;
            }
            await Task.Delay(DownloadsEndCheck, _time, ct).ConfigureAwait(false);
        }
    }

    private static readonly TimeSpan DownloadsEndCheck = TimeSpan.FromMilliseconds(250);

    private async Task DrainAsync(Task[] workers, Task resolver, CancellationTokenSource resolverStop, Task sinkStage)
    {
        try
        {
            await Task.WhenAll(workers).ConfigureAwait(false);
        }
        finally
        {
            // The resolver writes reply updates to the sink stage: it stops before the stage's input closes.
            await resolverStop.CancelAsync().ConfigureAwait(false);
            await resolver.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            _ready.Writer.TryComplete();
            // The sink stage is always waited for: nobody disposes sinks or the store under its feet.
            await sinkStage.ConfigureAwait(false);
        }
    }

    private async Task IntakeAsync(IReadOnlyDictionary<string, long> committed, CancellationToken ct)
    {
        await foreach (var delivery in _connector.ReadAsync(committed, ct).WithCancellation(ct).ConfigureAwait(false))
        {
            _positions.Start(delivery.Position);
            try
            {
                await HandOverAsync(delivery, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // A stop cut the hand-over short: this delivery is not processed, and nothing after it is committed.
                _positions.Forget(delivery.Position);
                throw;
            }
        }
    }

    private async ValueTask HandOverAsync(Delivery delivery, CancellationToken ct)
    {
        if (delivery.Message is { } message && Invalid(message) is { } reason)
        {
            Log.InvalidDelivery(_logger, delivery.Position.Stream, delivery.Position.Position, reason);
            await _ready.Writer.WriteAsync(new WorkItem(delivery with { Message = null }) { Sequence = _intake }, ct).ConfigureAwait(false);
            _intake++;
            return;
        }
        // Numbered in the order taken in, so the sinks' stage can put it back in that order (IntakeOrder); a delivery
        // whose hand-over a stop cuts short takes no number.
        var item = new WorkItem(delivery) { Sequence = _intake };
        if (delivery.Message is null)
        {
            await _ready.Writer.WriteAsync(item, ct).ConfigureAwait(false);
            _intake++;
            return;
        }
        Interlocked.Increment(ref Stats.received);
        if (!_firstReceived)
        {
            _firstReceived = true;
            Log.FirstMessage(_logger, delivery.Message.Chat.Id, delivery.Message.MessageId);
        }
        var partition = (int)((ulong)delivery.Message.Chat.Id % (ulong)_partitions.Length);
        await _partitions[partition].Writer.WriteAsync(item, ct).ConfigureAwait(false);
        _intake++;
    }

    /// <summary>Why a connector's message cannot go on (a defect of the connector), or null.</summary>
    private static string? Invalid(TgMessage m) =>
        m.Chat is null ? "no chat"
        : string.IsNullOrEmpty(m.Account) ? "no account"
        : string.IsNullOrEmpty(m.Connector) ? "no connector"
        : null;

    private async Task WorkerAsync(ChannelReader<WorkItem> reader, CancellationToken ct)
    {
        var batch = new List<WorkItem>(_options.BatchSize);
        var keys = new List<string>(_options.BatchSize);
        while (await reader.WaitToReadAsync(ct).ConfigureAwait(false))
        {
            batch.Clear();
            keys.Clear();
            while (batch.Count < _options.BatchSize && reader.TryRead(out var item))
            {
                batch.Add(item);
                // Claim the key before asking the store: a delivery of the same key that commits meanwhile
                // gives up its claim only after its commit, so one of the two always sees the other.
                item.HoldsKey = _inFlightKeys.TryAdd(item.Key!, 0);
                if (!item.HoldsKey) continue;
                keys.Add(item.Key!);
                if (item.LegacyKey is { } legacy) keys.Add(legacy);
            }
            var processed = await _store.ReadAsync((store, token) => store.FindProcessedAsync(keys, _sinkNames, token), ct).ConfigureAwait(false);
            foreach (var item in batch)
            {
                try
                {
                    await ProcessAsync(item, processed, ct).ConfigureAwait(false);
                }
                catch (Exception e) when (!ct.IsCancellationRequested)
                {
                    // A defect on the way (ours or a plug-in's): the message is not lost for it.
                    Log.ProcessingFailed(_logger, item.Key!, e);
                    item.State = WorkState.Write;
                }
                await _ready.Writer.WriteAsync(item, ct).ConfigureAwait(false);
            }
        }
    }

    private async ValueTask ProcessAsync(WorkItem item, IReadOnlyDictionary<string, IReadOnlyList<string>> processed, CancellationToken ct)
    {
        IReadOnlyList<string>? lacking = null;
        if (!item.HoldsKey
            || ((processed.TryGetValue(item.Key!, out lacking) || (item.LegacyKey is { } legacy && processed.TryGetValue(legacy, out lacking)))
                && lacking.Count == 0))
        {
            item.State = WorkState.Duplicate;
            Interlocked.Increment(ref Stats.duplicates);
            return;
        }
        if (!Accepted(item.Message!))
        {
            item.State = WorkState.Filtered;
            Interlocked.Increment(ref Stats.filtered);
            return;
        }
        var inline = await _replies.ResolveInlineAsync(item.Message!, ct).ConfigureAwait(false);
        item.Message = inline.Message;
        var download = false;
        if (_downloads is not null) (item.Message, download) = _downloads.Mark(item.Message);
        if (lacking is not null)
        {
            // Processed before: only the sinks that do not have it get it; its handlers ran, and its reply (if it was
            // left unresolved) is resolved in the background already.
            item.Targets = lacking;
            item.State = WorkState.Write;
            Interlocked.Increment(ref Stats.caughtUp);
            return;
        }
        item.RetryReply = inline.RetryLater;
        item.RetryDownload = download;
        if (!_handlers.IsEmpty) await _handlers.RunAsync(item.Message, ct).ConfigureAwait(false);
        item.State = WorkState.Write;
    }

    /// <summary>Whether every filter keeps the message; a filter that throws keeps it (loudly): nothing is lost to a defect.</summary>
    private bool Accepted(TgMessage message) => MessageFilters.KeepAll(_filters, message, _logger);
}
