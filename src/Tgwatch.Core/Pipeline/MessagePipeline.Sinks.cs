using System.Threading.Channels;
using Tgwatch.Connectors;
using Tgwatch.Faults;
using Tgwatch.Messages;
using Tgwatch.Storage;

namespace Tgwatch.Pipeline;

// The sink stage: intake order, batches written to every sink, the commit, and reply updates written later.
public sealed partial class MessagePipeline
{
    private async Task SinkStageAsync(CancellationToken ct)
    {
        var reader = _ready.Reader;
        var order = new IntakeOrder(_options.OrderWindow, _options.Capacity, _time);
        var toWrite = new List<WorkItem>(_options.BatchSize); // items to write: a message each
        // The commit of a batch runs while the next batch is written to the sinks; commits stay in order.
        var previous = Task.CompletedTask;
        // A commit that fails ends the stage at once, not when the next batch comes (on a quiet chat, maybe never).
        using var commitFailed = CancellationTokenSource.CreateLinkedTokenSource(ct);
        try
        {
            while (await NextAsync(reader, order, commitFailed.Token).ConfigureAwait(false))
            {
                _heartbeat?.Beat(LoopName);
                var items = new List<WorkItem>(Math.Min(_options.BatchSize, order.Ready));
                toWrite.Clear();
                while (items.Count < _options.BatchSize && order.TryTake(out var item))
                {
                    items.Add(item);
                    if (item.State is WorkState.Write or WorkState.ReplyUpdate) toWrite.Add(item);
                }
                if (toWrite.Count > 0) await WriteSinksAsync(toWrite, ct).ConfigureAwait(false);
                // Every sink has the batch: now its positions are done, and the watermarks may move.
                Interlocked.Increment(ref _committing);
                var commit = BuildCommit(items, out var advanced);
                await previous.ConfigureAwait(false);
                // On a thread of its own: a store that commits synchronously would otherwise hold up the next write.
                previous = Task.Run(async () =>
                {
                    try
                    {
                        await CommitAsync(commit, advanced, items, ct).ConfigureAwait(false);
                    }
                    catch
                    {
                        await commitFailed.CancelAsync().ConfigureAwait(false);
                        throw;
                    }
                    finally
                    {
                        Interlocked.Decrement(ref _committing);
                    }
                }, CancellationToken.None);
            }
        }
        finally
        {
            // A failed commit's own exception, not the cancellation it caused, is the stage's failure.
            await previous.ConfigureAwait(false);
            _heartbeat?.Idle(LoopName);
        }
    }

    /// <summary>How long a batch is let fill at most while the connector drains a backlog (<see cref="IConnector.HasBacklog"/>).</summary>
    internal static readonly TimeSpan BacklogLinger = TimeSpan.FromMilliseconds(20);

    /// <summary>How often a filling batch looks at whether the backlog lasts.</summary>
    internal static readonly TimeSpan BacklogLook = TimeSpan.FromMilliseconds(1);

    /// <summary>
    /// Takes in what the workers have finished until something is ready to be written in intake order: waits for more,
    /// but while items are held for an earlier one, no longer than their order window; while the connector drains a backlog,
    /// lets the batch fill for a moment. False when nothing is left.
    /// </summary>
    private async ValueTask<bool> NextAsync(ChannelReader<WorkItem> reader, IntakeOrder order, CancellationToken ct)
    {
        long? filling = null; // when the batch began to fill, while the connector drains a backlog
        while (true)
        {
            // A batch at most is taken in ahead of the sinks, so a slow sink still makes the workers, and the connector, wait.
            while (order.Ready < _options.BatchSize && reader.TryRead(out var item)) order.Add(item);
            if (order.Ready > 0)
            {
                if (order.Ready >= _options.BatchSize || !_connector.HasBacklog) return true;
                // The connector drains a backlog and hands over more at once: the batch is let fill, so that the sinks write
                // and sync it, and the store commits it, once instead of once an answer; for a moment at most, and no longer
                // than the backlog lasts (it ends without a message to say so: looked at again every BacklogLook).
                filling ??= _time.GetTimestamp();
                var rest = BacklogLinger - _time.GetElapsedTime(filling.Value);
                if (rest <= TimeSpan.Zero) return true;
                var coming = reader.WaitToReadAsync(ct);
                if (!coming.IsCompleted)
                {
                    var waiting = coming.AsTask();
                    using (var look = CancellationTokenSource.CreateLinkedTokenSource(ct))
                    {
                        await Task.WhenAny(waiting, Task.Delay(rest < BacklogLook ? rest : BacklogLook, _time, look.Token)).ConfigureAwait(false);
                        await look.CancelAsync().ConfigureAwait(false);
                    }
                    ct.ThrowIfCancellationRequested();
                    if (!waiting.IsCompleted) continue;
                    coming = new ValueTask<bool>(waiting);
                }
                if (!await coming.ConfigureAwait(false)) return true; // the workers are done
                continue;
            }
            // Waiting for messages is not being stuck.
            _heartbeat?.Idle(LoopName);
            var more = reader.WaitToReadAsync(ct);
            if (order.WaitLeft is { } left && !more.IsCompleted)
            {
                var waiting = more.AsTask();
                if (left > TimeSpan.Zero)
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    var expired = Task.Delay(left, _time, timeout.Token);
                    await Task.WhenAny(waiting, expired).ConfigureAwait(false);
                    await timeout.CancelAsync().ConfigureAwait(false);
                }
                ct.ThrowIfCancellationRequested();
                if (!waiting.IsCompleted)
                {
                    order.StopWaiting();
                    continue;
                }
                more = new ValueTask<bool>(waiting);
            }
            if (!await more.ConfigureAwait(false))
            {
                // The workers are done: what is held waits for nothing any more.
                order.ReleaseAll();
                return order.Ready > 0;
            }
        }
    }

    private StoreCommit BuildCommit(List<WorkItem> items, out List<Checkpoint> advanced)
    {
        var now = _time.GetUtcNow();
        var processed = new List<ProcessedMessage>(items.Count);
        var pending = new List<PendingReply>();
        var resolved = new List<string>();
        var downloads = new List<PendingReply>();
        var ended = new List<string>();
        var marks = new Dictionary<string, Checkpoint>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            if (item.State == WorkState.Write)
            {
                var m = item.Message!;
                processed.Add(new ProcessedMessage(item.Key!, m.Chat.Id, m.Chat.Title, m.MessageId, m.Date) { Sinks = item.Targets ?? _sinkNames });
                if (item.RetryReply) pending.Add(new PendingReply(item.Key!, TgMessageJson.ToJson(m, full: true), 0, now + _options.ReplyRetryDelay, now));
                if (item.RetryDownload) downloads.Add(new PendingReply(item.Key!, TgMessageJson.ToJson(m, full: true), 0, now, now));
            }
            if (item.Pending is { } done) (item.Message!.IsMediaUpdate ? ended : resolved).Add(done.Key);
            if (item.Delivery is { } d && _positions.Complete(d.Position) is { } mark) marks[mark.Stream] = mark;
        }
        advanced = [.. marks.Values];
        return new StoreCommit(_connector.Account, _connector.Name, advanced, processed, now)
        {
            NewPendingReplies = pending,
            ResolvedPendingReplies = resolved,
            NewPendingDownloads = downloads,
            EndedPendingDownloads = ended,
        };
    }

    private async Task CommitAsync(StoreCommit commit, List<Checkpoint> advanced, List<WorkItem> items, CancellationToken ct)
    {
        if (!commit.IsEmpty) await _store.RunAsync((store, token) => store.CommitAsync(commit, token), ct).ConfigureAwait(false);
        // The lags first: a figure read in between (the heartbeat line) that counts these messages has their lags too.
        if (Stats.Timings is { Lag.Enabled: true } timings) RecordLags(timings.Lag, items, _time.GetUtcNow());
        Interlocked.Add(ref Stats.written, commit.Processed.Count);
        CountWrittenPerSink(commit.Processed);
        Interlocked.Increment(ref Stats.commits);
        foreach (var mark in advanced) await CommitConnectorAsync(mark, ct).ConfigureAwait(false);
        foreach (var item in items)
        {
            item.Committed?.TrySetResult();
            if (item.HoldsKey) _inFlightKeys.TryRemove(item.Key!, out _);
        }
        if (commit.NewPendingReplies.Count > 0) _replies.Wake();
        if (commit.NewPendingDownloads.Count > 0) _downloads?.Wake();
        await PruneNowAndThenAsync(ct).ConfigureAwait(false);
    }

    // A message's lag: from when it was sent (or edited) to the commit of every sink; a date ahead of this clock counts as none.
    private static void RecordLags(System.Diagnostics.Metrics.Histogram<double> lag, List<WorkItem> items, DateTimeOffset committed)
    {
        foreach (var item in items)
        {
            if (item.State != WorkState.Write) continue;
            var m = item.Message!;
            lag.Record(Math.Max(0, (committed - (m.EditDate ?? m.Date)).TotalSeconds));
        }
    }

    /// <summary>Adds the committed messages to the figures of each sink that has them (most batches go to every sink).</summary>
    private void CountWrittenPerSink(IReadOnlyList<ProcessedMessage> processed)
    {
        var toAll = 0;
        foreach (var p in processed)
        {
            if (p.Sinks is null || ReferenceEquals(p.Sinks, _sinkNames))
            {
                toAll++;
                continue;
            }
            foreach (var sink in p.Sinks)
            {
                var i = Array.IndexOf(_sinkNames, sink);
                if (i >= 0) Interlocked.Increment(ref Stats.sinks[i].written);
            }
        }
        if (toAll > 0) foreach (var s in Stats.sinks) Interlocked.Add(ref s.written, toAll);
    }

    private async ValueTask WriteSinksAsync(List<WorkItem> items, CancellationToken ct)
    {
        var some = false;
        _messages.Clear();
        foreach (var item in items)
        {
            _messages.Add(item.Message!);
            some |= item.Targets is not null;
        }
        if (_writers.Length == 1 && !some)
        {
            await _writers[0].WriteAsync(_messages, ct).ConfigureAwait(false);
            return;
        }
        var writes = new List<Task>(_writers.Length);
        foreach (var writer in _writers)
        {
            var batch = some ? For(writer.Name, items) : _messages;
            if (batch.Count > 0) writes.Add(writer.WriteAsync(batch, ct).AsTask());
        }
        await Task.WhenAll(writes).ConfigureAwait(false);

        static List<TgMessage> For(string sink, List<WorkItem> items)
        {
            var batch = new List<TgMessage>(items.Count);
            foreach (var item in items)
                if (item.Targets is null || item.Targets.Contains(sink, StringComparer.Ordinal)) batch.Add(item.Message!);
            return batch;
        }
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

    private async ValueTask PruneNowAndThenAsync(CancellationToken ct)
    {
        if (_time.GetElapsedTime(_lastPrune) < TimeSpan.FromMinutes(10)) return;
        _lastPrune = _time.GetTimestamp();
        var olderThan = _time.GetUtcNow() - _options.ProcessedRetention;
        await _store.RunAsync((store, token) => store.PruneProcessedAsync(olderThan, _options.ProcessedKeep, token), ct).ConfigureAwait(false);
    }

    /// <summary>A reply resolved in the background: through the filters, then written and committed like a batch.</summary>
    private async ValueTask EmitReplyUpdateAsync(TgMessage update, PendingReply pending, CancellationToken ct)
    {
        var item = new WorkItem(update, pending);
        if (!Accepted(update)) item.State = WorkState.Filtered;
        await _ready.Writer.WriteAsync(item, ct).ConfigureAwait(false);
        await item.Committed!.Task.WaitAsync(ct).ConfigureAwait(false);
    }
}
