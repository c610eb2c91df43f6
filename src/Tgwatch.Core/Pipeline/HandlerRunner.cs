using Microsoft.Extensions.Logging;
using Polly;
using Tgwatch.Faults;
using Tgwatch.Messages;
using Tgwatch.Storage;

namespace Tgwatch.Pipeline;

/// <summary>
/// Runs the handlers on one message, each isolated: a transient fault is retried with backoff, a
/// call that outlives its deadline is abandoned as a time-out, and when the budget is spent the
/// message and the error go to the dead letters. Nothing a handler does stops the stream.
/// </summary>
internal sealed class HandlerRunner
{
    private readonly IReadOnlyList<IMessageHandler> _handlers;
    private readonly StoreCalls _store;
    private readonly PipelineOptions _options;
    private readonly PipelineStats _stats;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ResiliencePipeline _retry;

    public HandlerRunner(IReadOnlyList<IMessageHandler> handlers, StoreCalls store, PipelineOptions options, PipelineStats stats, ILogger logger, TimeProvider time,
        Func<double>? randomizer = null)
    {
        _handlers = handlers;
        _store = store;
        _options = options;
        _stats = stats;
        _logger = logger;
        _time = time;
        _retry = Transient.Retry(options, options.HandlerAttempts, Transient.IsTransient, onRetry: null, time, randomizer ?? Random.Shared.NextDouble);
    }

    public bool IsEmpty => _handlers.Count == 0;

    /// <summary>Runs every handler on <paramref name="message"/>; failures end in dead letters, never in an exception (except cancellation of <paramref name="ct"/>).</summary>
    public async ValueTask RunAsync(TgMessage message, CancellationToken ct)
    {
        var timings = _stats.Timings is { Handler.Enabled: true } t ? t : null;
        foreach (var handler in _handlers)
        {
            var started = timings is null ? 0 : _time.GetTimestamp();
            var attempt = 0;
            try
            {
                await _retry.ExecuteAsync(async token =>
                {
                    attempt++;
                    try
                    {
                        await CallWithDeadlineAsync(handler, message, token).ConfigureAwait(false);
                    }
                    catch (Exception e) when (!token.IsCancellationRequested)
                    {
                        Interlocked.Increment(ref _stats.handlerFailures);
                        var fault = FaultClassifier.Default.Classify(e, token).Kind;
                        Log.HandlerFailed(_logger, handler.Name, message.Key, fault, attempt, _options.HandlerAttempts, e);
                        throw;
                    }
                }, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                await DeadLetterAsync($"handler:{handler.Name}", message, e, attempt, ct).ConfigureAwait(false);
            }
            timings?.Handler.Record(_time.GetElapsedTime(started).TotalSeconds);
        }
    }

    // A handler that ignores its token is not waited for past the deadline (it is left behind).
    private Task CallWithDeadlineAsync(IMessageHandler handler, TgMessage message, CancellationToken ct) =>
        Deadline.RunAsync(token => handler.HandleAsync(message, token), handler.Timeout ?? _options.HandlerTimeout, _time, $"handler {handler.Name}", ct);

    internal async ValueTask DeadLetterAsync(string stage, TgMessage message, Exception error, int attempts, CancellationToken ct)
    {
        var fault = FaultClassifier.Default.Classify(error, ct).Kind;
        Log.DeadLettered(_logger, stage, message.Key, attempts, fault, error);
        var letter = new NewDeadLetter(message.Key, stage, TgMessageJson.ToJson(message, full: true), fault,
            error.GetType().FullName ?? error.GetType().Name, Secrets.SecretRedactor.Default.Redact(error.ToString()), attempts, _time.GetUtcNow());
        if (stage.StartsWith("sink:", StringComparison.Ordinal))
        {
            // The message is not in that sink: its letter is the only way back, so it is stored whatever it takes.
            await _store.RunAsync((store, token) => store.DeadLetters.AddAsync(letter, token), ct).ConfigureAwait(false);
        }
        else if (!await _store.TryRunAsync(async (store, token) => await store.DeadLetters.AddAsync(letter, token).ConfigureAwait(false), ct).ConfigureAwait(false))
        {
            // A handler's letter is the record of a failure (the message itself goes on to the sinks): when it
            // cannot be stored, it goes to the log whole rather than stopping the stream.
            Log.DeadLetterNotStored(_logger, stage, message.Key, letter.MessageJson);
            return;
        }
        Interlocked.Increment(ref _stats.deadLetters);
    }
}
