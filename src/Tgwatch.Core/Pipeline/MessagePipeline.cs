using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
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
/// <item>Sink stage: writes batches to every sink; only then are the keys marked processed and the checkpoints moved to
/// their low watermarks, in one store transaction, and confirmed to the connector.</item>
/// </list>
/// A stop drains in-flight work and commits it (bounded by <see cref="PipelineOptions.DrainTimeout"/>).
/// </summary>
public sealed class MessagePipeline
{
    private readonly IConnector _connector;
    private readonly IReadOnlyList<IMessageSink> _sinks;
    private readonly IStateStore _store;
    private readonly IReadOnlyList<IMessageFilter> _filters;
    private readonly PipelineOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly HandlerRunner _handlers;
    private readonly ReplyResolver _replies;
    private readonly SinkWriter[] _writers;
    private readonly ResiliencePipeline _storeRetry;
    private readonly PositionTracker _positions = new();
    private readonly ConcurrentDictionary<string, byte> _inFlightKeys = new(StringComparer.Ordinal);
    private Channel<WorkItem>[] _partitions = [];
    private Channel<WorkItem> _ready = null!;
    private long _lastPrune;
    private bool _storeFailing;

    /// <summary>Creates a pipeline; <see cref="RunAsync"/> runs it.</summary>
    public MessagePipeline(
        IConnector connector,
        IReadOnlyList<IMessageSink> sinks,
        IStateStore store,
        PipelineOptions? options = null,
        IReadOnlyList<IMessageFilter>? filters = null,
        IReadOnlyList<IMessageHandler>? handlers = null,
        ILogger? logger = null,
        TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(connector);
        ArgumentNullException.ThrowIfNull(sinks);
        ArgumentNullException.ThrowIfNull(store);
        if (sinks.Select(s => s.Name).Distinct(StringComparer.Ordinal).Count() != sinks.Count)
            throw new ArgumentException("every sink of a pipeline needs a name of its own", nameof(sinks));
        _connector = connector;
        _sinks = sinks;
        _store = store;
        _options = (options ?? new PipelineOptions()).Validate();
        _filters = filters ?? [];
        _logger = logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
        _handlers = new HandlerRunner(handlers ?? [], store, _options, Stats, _logger, _time);
        _replies = new ReplyResolver(connector, store, _options, Stats, _logger, _time);
        _writers = sinks.Select(s => new SinkWriter(s, _options, Stats, _logger, _time, _handlers)).ToArray();
        _storeRetry = Transient.Retry(_options, int.MaxValue, kind => kind != FaultKind.Cancelled, OnStoreRetry, _time);
    }

    /// <summary>Counters.</summary>
    public PipelineStats Stats { get; } = new();

    /// <summary>Deliveries taken in and not yet committed.</summary>
    public int InFlight => _positions.InFlight;

    /// <summary>
    /// Runs until the connector's stream ends or <paramref name="stop"/> is cancelled, then drains what is in
    /// flight and commits it. Returns normally on a stop; a connector's own failure is rethrown after the drain.
    /// </summary>
    public async Task RunAsync(CancellationToken stop)
    {
        var committed = await _store.LoadCheckpointsAsync(_connector.Account, _connector.Name, stop).ConfigureAwait(false);
        foreach (var sink in _sinks) await sink.StartAsync(stop).ConfigureAwait(false);
        _lastPrune = _time.GetTimestamp();
        var perWorker = Math.Max(16, _options.Capacity / _options.Parallelism);
        _partitions = Enumerable.Range(0, _options.Parallelism)
            .Select(_ => Channel.CreateBounded<WorkItem>(new BoundedChannelOptions(perWorker) { SingleReader = true, SingleWriter = true }))
            .ToArray();
        _ready = Channel.CreateBounded<WorkItem>(new BoundedChannelOptions(_options.Capacity) { SingleReader = true });

        using var drain = new CancellationTokenSource();
        using var resolverStop = CancellationTokenSource.CreateLinkedTokenSource(drain.Token);
        var workers = _partitions.Select(p => Task.Run(() => WorkerAsync(p.Reader, drain.Token), CancellationToken.None)).ToArray();
        var sinkStage = Task.Run(() => SinkStageAsync(drain.Token), CancellationToken.None);
        var resolver = Task.Run(() => _replies.RunAsync(EmitReplyUpdateAsync, resolverStop.Token), CancellationToken.None);
        Exception? failure = null;
        try
        {
            await IntakeAsync(committed, stop, drain.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            failure = e;
        }

        foreach (var p in _partitions) p.Writer.TryComplete();
        var drained = DrainAsync(workers, resolver, resolverStop, sinkStage);
        if (!stop.IsCancellationRequested && failure is null)
        {
            // The stream ended: everything is drained, unless a stop comes meanwhile.
            var stopped = new TaskCompletionSource();
            using (stop.Register(() => stopped.TrySetResult()))
                await Task.WhenAny(drained, stopped.Task).ConfigureAwait(false);
        }
        if (!drained.IsCompleted)
        {
            try
            {
                await drained.WaitAsync(_options.DrainTimeout, _time, CancellationToken.None).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                Log.DrainTimedOut(_logger, _options.DrainTimeout);
                await drain.CancelAsync().ConfigureAwait(false);
            }
        }
        try
        {
            await drained.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (drain.IsCancellationRequested)
        {
        }
        if (failure is not null) throw failure;
    }

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
            await resolver.ConfigureAwait(false);
            _ready.Writer.TryComplete();
        }
        await sinkStage.ConfigureAwait(false);
    }

    private async Task IntakeAsync(IReadOnlyDictionary<string, long> committed, CancellationToken stop, CancellationToken drain)
    {
        await foreach (var delivery in _connector.ReadAsync(committed, stop).WithCancellation(stop).ConfigureAwait(false))
        {
            _positions.Start(delivery.Position);
            var item = new WorkItem(delivery);
            if (delivery.Message is null)
            {
                await _ready.Writer.WriteAsync(item, drain).ConfigureAwait(false);
                continue;
            }
            Interlocked.Increment(ref Stats.received);
            var partition = (int)((ulong)delivery.Message.Chat.Id % (ulong)_partitions.Length);
            await _partitions[partition].Writer.WriteAsync(item, drain).ConfigureAwait(false);
        }
    }

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
                if (item.HoldsKey) keys.Add(item.Key!);
            }
            var processed = await _storeRetry.ExecuteAsync(
                static (state, token) => state.Store.FindProcessedAsync(state.Keys, token), (Store: _store, Keys: keys), ct).ConfigureAwait(false);
            foreach (var item in batch)
            {
                await ProcessAsync(item, processed, ct).ConfigureAwait(false);
                await _ready.Writer.WriteAsync(item, ct).ConfigureAwait(false);
            }
        }
    }

    private async ValueTask ProcessAsync(WorkItem item, IReadOnlySet<string> processed, CancellationToken ct)
    {
        var key = item.Key!;
        if (!item.HoldsKey || processed.Contains(key))
        {
            item.State = WorkState.Duplicate;
            Interlocked.Increment(ref Stats.duplicates);
            return;
        }
        foreach (var filter in _filters)
        {
            if (filter.Accepts(item.Message!)) continue;
            item.State = WorkState.Filtered;
            Interlocked.Increment(ref Stats.filtered);
            return;
        }
        var inline = await _replies.ResolveInlineAsync(item.Message!, ct).ConfigureAwait(false);
        item.Message = inline.Message;
        item.RetryReply = inline.RetryLater;
        if (!_handlers.IsEmpty) await _handlers.RunAsync(item.Message, ct).ConfigureAwait(false);
        item.State = WorkState.Write;
    }

    private async Task SinkStageAsync(CancellationToken ct)
    {
        var reader = _ready.Reader;
        var items = new List<WorkItem>(_options.BatchSize);
        var toWrite = new List<TgMessage>(_options.BatchSize);
        var processed = new List<ProcessedMessage>(_options.BatchSize);
        var advanced = new Dictionary<string, Checkpoint>(StringComparer.Ordinal);
        while (await reader.WaitToReadAsync(ct).ConfigureAwait(false))
        {
            items.Clear();
            toWrite.Clear();
            processed.Clear();
            advanced.Clear();
            while (items.Count < _options.BatchSize && reader.TryRead(out var item))
            {
                items.Add(item);
                if (item.State is WorkState.Write or WorkState.ReplyUpdate) toWrite.Add(item.Message!);
            }
            if (toWrite.Count > 0) await WriteSinksAsync(toWrite, ct).ConfigureAwait(false);

            // Every sink has the batch: now its positions are done, and the watermarks may move.
            foreach (var item in items)
            {
                if (item.State == WorkState.Write)
                {
                    var m = item.Message!;
                    processed.Add(new ProcessedMessage(item.Key!, m.Chat.Id, m.Chat.Title, m.MessageId, m.Date));
                }
                if (item.Delivery is { } d && _positions.Complete(d.Position) is { } mark) advanced[mark.Stream] = mark;
            }
            var commit = new StoreCommit(_connector.Account, _connector.Name, [.. advanced.Values], [.. processed], _time.GetUtcNow());
            await _storeRetry.ExecuteAsync(static (state, token) => state.Store.CommitAsync(state.Commit, token), (Store: _store, Commit: commit), ct).ConfigureAwait(false);
            _storeFailing = false;
            Interlocked.Add(ref Stats.written, processed.Count);
            Interlocked.Increment(ref Stats.commits);
            foreach (var mark in advanced.Values) await CommitConnectorAsync(mark, ct).ConfigureAwait(false);
            await AfterCommitAsync(items, ct).ConfigureAwait(false);
        }
    }

    private async ValueTask WriteSinksAsync(List<TgMessage> batch, CancellationToken ct)
    {
        if (_writers.Length == 1)
        {
            await _writers[0].WriteAsync(batch, ct).ConfigureAwait(false);
            return;
        }
        var writes = new Task[_writers.Length];
        for (var i = 0; i < _writers.Length; i++) writes[i] = _writers[i].WriteAsync(batch, ct).AsTask();
        await Task.WhenAll(writes).ConfigureAwait(false);
    }

    private async ValueTask CommitConnectorAsync(Checkpoint mark, CancellationToken ct)
    {
        try
        {
            await _connector.CommitAsync(mark, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            // The store holds the checkpoint; the connector learns it with the next commit or on restart.
            Log.ConnectorCommitFailed(_logger, mark.Stream, mark.Position, FaultClassifier.Default.Classify(e, ct).Kind, e);
        }
    }

    private async ValueTask AfterCommitAsync(List<WorkItem> items, CancellationToken ct)
    {
        var wake = false;
        foreach (var item in items)
        {
            if (item.RetryReply)
            {
                var now = _time.GetUtcNow();
                var pending = new PendingReply(item.Key!, TgMessageJson.ToJson(item.Message!, full: true), 0, now + _options.ReplyRetryDelay, now);
                await _storeRetry.ExecuteAsync(static (state, token) => state.Store.PendingReplies.AddAsync(state.Pending, token), (Store: _store, Pending: pending), ct).ConfigureAwait(false);
                wake = true;
            }
            if (item.State == WorkState.ReplyUpdate)
            {
                await _storeRetry.ExecuteAsync(static (state, token) => state.Store.PendingReplies.RemoveAsync(state.Key, token), (Store: _store, Key: item.Pending!.Key), ct).ConfigureAwait(false);
                item.Committed!.TrySetResult();
            }
            if (item.HoldsKey) _inFlightKeys.TryRemove(item.Key!, out _);
        }
        if (wake) _replies.Wake();
        if (_time.GetElapsedTime(_lastPrune) >= TimeSpan.FromMinutes(10))
        {
            _lastPrune = _time.GetTimestamp();
            await _storeRetry.ExecuteAsync(static (state, token) => state.Store.PruneProcessedAsync(state.OlderThan, state.Keep, token),
                (Store: _store, OlderThan: _time.GetUtcNow() - _options.ProcessedRetention, Keep: _options.ProcessedKeep), ct).ConfigureAwait(false);
        }
    }

    private async ValueTask EmitReplyUpdateAsync(TgMessage update, PendingReply pending, CancellationToken ct)
    {
        var item = new WorkItem(update, pending);
        await _ready.Writer.WriteAsync(item, ct).ConfigureAwait(false);
        await item.Committed!.Task.WaitAsync(ct).ConfigureAwait(false);
    }

    private void OnStoreRetry(Exception e, int attempt)
    {
        if (_storeFailing) return;
        _storeFailing = true;
        Log.CommitFailing(_logger, FaultClassifier.Default.Classify(e).Kind, e);
    }
}
