using Polly;
using Polly.Retry;
using Tgwatch.Faults;

namespace Tgwatch.Pipeline;

/// <summary>Which faults are worth retrying, and the retry strategy built on that (Polly).</summary>
internal static class Transient
{
    /// <summary>Faults that may go away by waiting: the network, time-outs, rate limits.</summary>
    public static bool IsTransient(FaultKind kind) => kind is FaultKind.Network or FaultKind.Timeout or FaultKind.RateLimited;

    /// <summary>A retry of transient faults with exponential backoff and jitter, honouring a server's retry-after.</summary>
    /// <param name="options">Delays.</param>
    /// <param name="attempts">Total attempts (int.MaxValue: until cancelled).</param>
    /// <param name="retryable">Whether a fault is retried.</param>
    /// <param name="onRetry">Called before each retry with the exception and the attempt number (0-based).</param>
    /// <param name="time">Clock for the delays.</param>
    public static ResiliencePipeline Retry(PipelineOptions options, int attempts, Func<FaultKind, bool> retryable, Action<Exception, int>? onRetry, TimeProvider time)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = time };
        if (attempts <= 1) return builder.Build();
        return builder.AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = args => ValueTask.FromResult(
                args.Outcome.Exception is { } e && !args.Context.CancellationToken.IsCancellationRequested
                && retryable(FaultClassifier.Default.Classify(e, args.Context.CancellationToken).Kind)),
            MaxRetryAttempts = attempts == int.MaxValue ? int.MaxValue : attempts - 1,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = options.RetryDelay,
            MaxDelay = options.MaxRetryDelay,
            DelayGenerator = args => ValueTask.FromResult(
                args.Outcome.Exception is { } e && FaultClassifier.Default.Classify(e).RetryAfter is { } wait ? (TimeSpan?)wait : null),
            OnRetry = args =>
            {
                if (args.Outcome.Exception is { } e) onRetry?.Invoke(e, args.AttemptNumber);
                return ValueTask.CompletedTask;
            },
        }).Build();
    }
}
