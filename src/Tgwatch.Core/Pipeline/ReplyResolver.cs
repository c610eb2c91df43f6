using Microsoft.Extensions.Logging;
using Tgwatch.Connectors;
using Tgwatch.Faults;
using Tgwatch.Formatting;
using Tgwatch.Messages;
using Tgwatch.Resilience;
using Tgwatch.Storage;

namespace Tgwatch.Pipeline;

/// <summary>
/// Reads replied-to messages: inline under a deadline (a delivery never waits longer), and in the
/// background for those that missed it, with backoff, until they resolve, turn out gone, or the
/// attempts run out. A later success becomes a reply update written to the sinks.
/// </summary>
internal sealed class ReplyResolver
{
    private readonly IConnector _connector;
    private readonly IStateStore _store;
    private readonly PipelineOptions _options;
    private readonly PipelineStats _stats;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Signal _wake = new();
    private int _timeoutsInRow;
    private long _skipUntil;

    /// <summary>Inline attempts that time out in a row before inline attempts pause (Telegram is slow: replies go straight to the background).</summary>
    internal const int TimeoutsBeforePause = 3;

    public ReplyResolver(IConnector connector, IStateStore store, PipelineOptions options, PipelineStats stats, ILogger logger, TimeProvider time)
    {
        _connector = connector;
        _store = store;
        _options = options;
        _stats = stats;
        _logger = logger;
        _time = time;
    }

    /// <summary>The outcome of an inline attempt.</summary>
    public readonly record struct Inline(TgMessage Message, bool RetryLater);

    /// <summary>Tries to resolve the reply of <paramref name="message"/> within the deadline.</summary>
    public async ValueTask<Inline> ResolveInlineAsync(TgMessage message, CancellationToken ct)
    {
        if (message.ReplyTo is not { State: ReplyState.Unresolved } reply) return new(message, false);
        if (_connector.Status.State != ConnectionState.Ready || _time.GetTimestamp() < Volatile.Read(ref _skipUntil))
        {
            // Not connected, or reads keep timing out: a delivery does not wait for what cannot come in time.
            Interlocked.Increment(ref _stats.repliesUnresolved);
            return new(message, true);
        }
        var result = await AttemptAsync(reply, ct).ConfigureAwait(false);
        if (result.Fault == FaultKind.Timeout)
        {
            if (Interlocked.Increment(ref _timeoutsInRow) >= TimeoutsBeforePause)
            {
                Volatile.Write(ref _skipUntil, _time.GetTimestamp() + (long)(_options.ReplyDeadline.TotalSeconds * 15 * _time.TimestampFrequency));
                Volatile.Write(ref _timeoutsInRow, 0);
            }
        }
        else
        {
            Volatile.Write(ref _timeoutsInRow, 0);
        }
        if (result.Found)
        {
            Interlocked.Increment(ref _stats.repliesResolved);
            return new(message with { ReplyTo = reply with { State = ReplyState.Resolved, Text = result.Text } }, false);
        }
        Interlocked.Increment(ref _stats.repliesUnresolved);
        if (result.Fault is null) return new(message, false); // gone: nothing to wait for
        Log.ReplyUnresolved(_logger, message.Key, result.Error ?? result.Fault.ToString()!);
        return new(message, true);
    }

    /// <summary>One attempt, bounded by the reply deadline; faults become a failed result.</summary>
    private async ValueTask<ReplyResult> AttemptAsync(ReplyRef reply, CancellationToken ct)
    {
        try
        {
            return await Deadline.RunAsync(token => _connector.ResolveReplyAsync(new MessageRef(reply.ChatId, reply.MessageId), token),
                _options.ReplyDeadline, _time, "reading the replied-to message", ct).ConfigureAwait(false);
        }
        catch (DeadlineExceededException)
        {
            return ReplyResult.Failed(FaultKind.Timeout, $"no answer within {Duration.Format(_options.ReplyDeadline)}");
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            return ReplyResult.Failed(FaultClassifier.Default.Classify(e, ct).Kind, $"{e.GetType().Name}: {TextLines.FirstLine(e.Message)}");
        }
    }

    /// <summary>Wakes the background loop (a new pending reply was stored).</summary>
    public void Wake() => _wake.Set();

    /// <summary>
    /// The background loop: resolves due pending replies and hands each success to <paramref name="emit"/>
    /// (which writes the update to the sinks and removes the pending entry once committed).
    /// </summary>
    public async Task RunAsync(Func<TgMessage, PendingReply, CancellationToken, ValueTask> emit, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var due = await _store.PendingReplies.DueAsync(_time.GetUtcNow(), 64, ct).ConfigureAwait(false);
                foreach (var pending in due)
                    await RetryAsync(pending, emit, ct).ConfigureAwait(false);
                if (due.Count > 0) continue;
                var next = await _store.PendingReplies.NextDueAsync(ct).ConfigureAwait(false);
                var wait = next is { } at ? at - _time.GetUtcNow() : Timeout.InfiniteTimeSpan;
                if (wait == Timeout.InfiniteTimeSpan || wait > TimeSpan.Zero)
                    await _wake.WaitAsync(wait == Timeout.InfiniteTimeSpan ? TimeSpan.FromHours(1) : Clamp(wait), _time, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                Log.ResolverFailed(_logger, FaultClassifier.Default.Classify(e, ct).Kind, e);
                try { await Task.Delay(_options.MaxBackoff, _time, ct).ConfigureAwait(false); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    private async ValueTask RetryAsync(PendingReply pending, Func<TgMessage, PendingReply, CancellationToken, ValueTask> emit, CancellationToken ct)
    {
        TgMessage message;
        try { message = TgMessageJson.Parse(pending.MessageJson); }
        catch (FormatException e)
        {
            Log.ReplyGivenUp(_logger, pending.Key, pending.Attempts, $"stored record unreadable: {e.Message}");
            await _store.PendingReplies.RemoveAsync(pending.Key, ct).ConfigureAwait(false);
            return;
        }
        if (message.ReplyTo is not { } reply)
        {
            await _store.PendingReplies.RemoveAsync(pending.Key, ct).ConfigureAwait(false);
            return;
        }
        TgMessage update;
        var attempts = pending.Attempts;
        if (message.IsReplyUpdate)
        {
            // Resolved by an earlier run whose write may have reached the sinks before it could commit:
            // the same record again (same key), never a second one dated now.
            update = message;
        }
        else
        {
            var result = await AttemptAsync(reply, ct).ConfigureAwait(false);
            attempts++;
            if (!result.Found)
            {
                if (result.Fault is null || attempts >= _options.ReplyAttempts)
                {
                    Log.ReplyGivenUp(_logger, pending.Key, attempts, result.Error ?? "the replied-to message no longer exists");
                    await _store.PendingReplies.RemoveAsync(pending.Key, ct).ConfigureAwait(false);
                    return;
                }
                await _store.PendingReplies.RescheduleAsync(pending.Key, attempts, _time.GetUtcNow() + DelayAfter(attempts), ct).ConfigureAwait(false);
                return;
            }
            // An edit-like record dated when the reply was resolved: readers that key records on
            // (chat, message, kind, edit date) tell it apart from the message and from its real edits.
            var now = _time.GetUtcNow();
            update = message with
            {
                ReplyTo = reply with { State = ReplyState.Resolved, Text = result.Text },
                EditDate = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond)),
                IsReplyUpdate = true,
            };
            // Kept before it is written: a run killed between the write and its commit emits this record
            // again, not a new one with another date (and key) that every sink would take as new.
            await _store.PendingReplies.AddAsync(pending with { MessageJson = TgMessageJson.ToJson(update, full: true), Attempts = attempts }, ct)
                .ConfigureAwait(false);
        }
        await emit(update, pending, ct).ConfigureAwait(false);
        Interlocked.Increment(ref _stats.replyUpdates);
        Log.ReplyResolvedLater(_logger, pending.Key, attempts);
    }

    /// <summary>
    /// The wait after the given number of failed background attempts (from 1): the <see cref="Backoff.Step"/> from
    /// <see cref="PipelineOptions.ReplyRetryDelay"/> doubling up to <see cref="PipelineOptions.ReplyMaxDelay"/>. The step
    /// itself, not a wait drawn from it: the next attempt is a time stored with the pending reply, not a Polly retry's wait.
    /// </summary>
    internal TimeSpan DelayAfter(int attempts) => Backoff.Step(attempts - 1, _options.ReplyRetryDelay, _options.ReplyMaxDelay);

    private static TimeSpan Clamp(TimeSpan wait) => wait > TimeSpan.FromHours(1) ? TimeSpan.FromHours(1) : wait;

}
