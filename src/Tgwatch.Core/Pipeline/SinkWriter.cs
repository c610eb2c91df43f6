using Microsoft.Extensions.Logging;
using Polly;
using Tgwatch.Faults;
using Tgwatch.Formatting;
using Tgwatch.Messages;
using Tgwatch.Resilience;

namespace Tgwatch.Pipeline;

/// <summary>
/// Writes batches to one sink. A transient fault (network, time-out, rate limit, a full disk) is
/// retried with backoff for as long as it lasts: nothing is committed meanwhile, so nothing is lost.
/// Any other fault isolates the messages: the batch is written one by one, each tried
/// <see cref="PipelineOptions.SinkAttempts"/> times with backoff, and a message the sink keeps rejecting goes to the
/// dead letters. One log line when a sink starts failing (with the stack trace only when the fault is a bug), a
/// counted summary at most once a minute while it lasts, one when it works again.
/// </summary>
internal sealed class SinkWriter
{
    private readonly IMessageSink _sink;
    private readonly PipelineOptions _options;
    private readonly PipelineStats _stats;
    private readonly PipelineSinkStats _sinkStats;
    private readonly ILogger _logger;
    private readonly HandlerRunner _deadLetters;
    private readonly ResiliencePipeline _transient;
    private readonly ResiliencePipeline _oneMessage;
    private readonly List<TgMessage> _one = [null!];
    private readonly FailureStreak _streak;
    private readonly TimeProvider _time;

    public SinkWriter(IMessageSink sink, PipelineOptions options, PipelineStats stats, PipelineSinkStats sinkStats, ILogger logger, TimeProvider time, HandlerRunner deadLetters,
        Func<double>? randomizer = null)
    {
        _sink = sink;
        _options = options;
        _stats = stats;
        _sinkStats = sinkStats;
        _logger = logger;
        _deadLetters = deadLetters;
        _streak = new FailureStreak(time);
        _time = time;
        randomizer ??= Random.Shared.NextDouble;
        var transient = Transient.RetryOptions(options, int.MaxValue, IsRetried, OnRetry, randomizer);
        _transient = new ResiliencePipelineBuilder { TimeProvider = time }.AddBackoffRetry(transient).Build();
        // One message: a fault the transient retry gives up on is tried again, a few times, before the message is dead-lettered.
        var oneMessage = new ResiliencePipelineBuilder { TimeProvider = time };
        if (options.SinkAttempts > 1)
        {
            oneMessage.AddBackoffRetry(new BackoffRetryOptions
            {
                MinBackoff = options.MinBackoff,
                MaxBackoff = options.MaxBackoff,
                MaxRetryAttempts = options.SinkAttempts - 1,
                Randomizer = randomizer,
                ShouldHandle = static args => ValueTask.FromResult(args.Outcome.Exception is not null && !args.Context.CancellationToken.IsCancellationRequested),
            });
        }
        _oneMessage = oneMessage.AddBackoffRetry(transient).Build();
    }

    /// <summary>Faults a sink waits out: the transient ones and a local resource (a full disk) that may come back.</summary>
    private static bool IsRetried(FaultKind kind) => Transient.IsTransient(kind) || kind == FaultKind.Resource;

    public string Name => _sink.Name;

    /// <summary>Beaten on each retry: a sink write that is retried is the pipeline making progress, not a loop stuck.</summary>
    public Health.Heartbeat? Heartbeat { get; set; }

    public async ValueTask WriteAsync(IReadOnlyList<TgMessage> batch, CancellationToken ct)
    {
        var timings = _stats.Timings is { SinkWrite.Enabled: true } t ? t : null;
        var started = timings is null ? 0 : _time.GetTimestamp();
        await WriteUntimedAsync(batch, ct).ConfigureAwait(false);
        timings?.SinkWrite.Record(_time.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("sink", _sink.Name));
    }

    private async ValueTask WriteUntimedAsync(IReadOnlyList<TgMessage> batch, CancellationToken ct)
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
            var kind = FaultClassifier.Default.Classify(e, ct).Kind;
            _sinkStats.Failures.Add(kind);
            Log.SinkBatchRejected(_logger, _sink.Name, batch.Count, kind, e);
        }
        foreach (var message in batch) await WriteOneAsync(message, ct).ConfigureAwait(false);
    }

    private async ValueTask WriteOneAsync(TgMessage message, CancellationToken ct)
    {
        _one[0] = message;
        try
        {
            await _oneMessage.ExecuteAsync(static (state, token) => state.Sink.WriteAsync(state.Batch, token), (Sink: _sink, Batch: _one), ct).ConfigureAwait(false);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            _sinkStats.Failures.Add(FaultClassifier.Default.Classify(e, ct).Kind);
            await _deadLetters.DeadLetterAsync($"sink:{_sink.Name}", message, e, _options.SinkAttempts, ct).ConfigureAwait(false);
            // The message is set aside; the sink goes on with the next ones, and is failing again only if they fail too.
            _sinkStats.failing = false;
            return;
        }
        Recovered();
    }

    private async ValueTask WriteWithRetryAsync(IReadOnlyList<TgMessage> batch, CancellationToken ct)
    {
        await _transient.ExecuteAsync(static (state, token) => state.Sink.WriteAsync(state.Batch, token), (Sink: _sink, Batch: batch), ct).ConfigureAwait(false);
        Recovered();
    }

    private void Recovered()
    {
        _sinkStats.failing = false;
        if (_streak.Succeeded(out var streak)) Log.SinkRecovered(_logger, _sink.Name, streak.Attempts, streak.Duration);
    }

    private void OnRetry(Exception e, int attempt)
    {
        Interlocked.Increment(ref _stats.sinkRetries);
        var kind = FaultClassifier.Default.Classify(e).Kind;
        _sinkStats.Failed(kind, _time.GetUtcNow());
        Heartbeat?.Beat(MessagePipeline.LoopName);
        switch (_streak.Failed(out var since))
        {
            case FailureStreak.Step.Started:
                Log.SinkFailing(_logger, _sink.Name, kind, Reason(e), kind == FaultKind.Bug ? e : null);
                break;
            case FailureStreak.Step.Summary:
                Log.SinkStillFailing(_logger, _sink.Name, kind, since.Attempts, since.Duration);
                break;
        }
    }

    /// <summary>An exception in one line: its type and the first line of its message (a classified fault needs no stack trace).</summary>
    internal static string Reason(Exception e) => Secrets.SecretRedactor.Default.Redact($"{e.GetType().Name}: {TextLines.FirstLine(e.Message)}");

}
