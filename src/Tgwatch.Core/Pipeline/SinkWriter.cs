using Microsoft.Extensions.Logging;
using Polly;
using Tgwatch.Faults;
using Tgwatch.Messages;

namespace Tgwatch.Pipeline;

/// <summary>
/// Writes batches to one sink. A transient fault (network, time-out, rate limit, a full disk) is
/// retried with backoff for as long as it lasts: nothing is committed meanwhile, so nothing is lost.
/// Any other fault isolates the messages: the batch is written one by one, and a message the sink
/// keeps rejecting goes to the dead letters. One log line when a sink starts failing, one when it works again.
/// </summary>
internal sealed class SinkWriter
{
    private readonly IMessageSink _sink;
    private readonly PipelineOptions _options;
    private readonly PipelineStats _stats;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly HandlerRunner _deadLetters;
    private readonly ResiliencePipeline _transient;
    private readonly List<TgMessage> _one = [null!];
    private long _failingSince = -1;
    private int _failedAttempts;

    public SinkWriter(IMessageSink sink, PipelineOptions options, PipelineStats stats, ILogger logger, TimeProvider time, HandlerRunner deadLetters)
    {
        _sink = sink;
        _options = options;
        _stats = stats;
        _logger = logger;
        _time = time;
        _deadLetters = deadLetters;
        _transient = Transient.Retry(options, int.MaxValue, IsRetried, OnRetry, time);
    }

    /// <summary>Faults a sink waits out: the transient ones and a local resource (a full disk) that may come back.</summary>
    private static bool IsRetried(FaultKind kind) => Transient.IsTransient(kind) || kind == FaultKind.Resource;

    public string Name => _sink.Name;

    public async ValueTask WriteAsync(IReadOnlyList<TgMessage> batch, CancellationToken ct)
    {
        if (batch.Count == 1)
        {
            await WriteOneAsync(batch[0], ct).ConfigureAwait(false);
            return;
        }
        try
        {
            await WriteWithRetryAsync(batch, ct).ConfigureAwait(false);
            return;
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            Log.SinkBatchRejected(_logger, _sink.Name, batch.Count, FaultClassifier.Default.Classify(e, ct).Kind, e);
        }
        foreach (var message in batch) await WriteOneAsync(message, ct).ConfigureAwait(false);
    }

    private async ValueTask WriteOneAsync(TgMessage message, CancellationToken ct)
    {
        _one[0] = message;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await WriteWithRetryAsync(_one, ct).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                if (attempt >= _options.SinkAttempts)
                {
                    await _deadLetters.DeadLetterAsync($"sink:{_sink.Name}", message, e, attempt, ct).ConfigureAwait(false);
                    return;
                }
                await Task.Delay(_options.RetryDelay * attempt, _time, ct).ConfigureAwait(false);
            }
        }
    }

    private async ValueTask WriteWithRetryAsync(IReadOnlyList<TgMessage> batch, CancellationToken ct)
    {
        await _transient.ExecuteAsync(static (state, token) => state.Sink.WriteAsync(state.Batch, token), (Sink: _sink, Batch: batch), ct).ConfigureAwait(false);
        if (_failingSince >= 0)
        {
            Log.SinkRecovered(_logger, _sink.Name, _failedAttempts, _time.GetElapsedTime(_failingSince));
            _failingSince = -1;
            _failedAttempts = 0;
        }
    }

    private void OnRetry(Exception e, int attempt)
    {
        Interlocked.Increment(ref _stats.sinkRetries);
        _failedAttempts++;
        if (_failingSince >= 0) return;
        _failingSince = _time.GetTimestamp();
        Log.SinkFailing(_logger, _sink.Name, FaultClassifier.Default.Classify(e).Kind, $"{e.GetType().Name}: {TextLines.FirstLine(e.Message)}", e);
    }

}
