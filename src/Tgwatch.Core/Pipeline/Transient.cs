using Polly;
using Tgwatch.Faults;
using Tgwatch.Resilience;

namespace Tgwatch.Pipeline;

/// <summary>Which faults are worth retrying, and the retry built on that (Polly, with Tgwatch's <see cref="Backoff"/>).</summary>
internal static class Transient
{
    /// <summary>Faults that may go away by waiting: the network, time-outs, rate limits.</summary>
    public static bool IsTransient(FaultKind kind) => kind is FaultKind.Network or FaultKind.Timeout or FaultKind.RateLimited;

    /// <summary>A retry of the faults <paramref name="retryable"/> names, with backoff, honouring a server's retry-after.</summary>
    /// <param name="options">The backoff (<see cref="PipelineOptions.MinBackoff"/>, <see cref="PipelineOptions.MaxBackoff"/>).</param>
    /// <param name="attempts">Total attempts (int.MaxValue: until cancelled).</param>
    /// <param name="retryable">Whether a fault is retried.</param>
    /// <param name="onRetry">Called before each retry with the exception and the attempt number (0-based).</param>
    /// <param name="time">Clock for the delays.</param>
    /// <param name="randomizer">Where each wait falls in its backoff step.</param>
    public static ResiliencePipeline Retry(PipelineOptions options, int attempts, Func<FaultKind, bool> retryable, Action<Exception, int>? onRetry, TimeProvider time, Func<double> randomizer)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = time };
        if (attempts <= 1) return builder.Build();
        return builder.AddBackoffRetry(RetryOptions(options, attempts, retryable, onRetry, randomizer)).Build();
    }

    /// <summary>The options of <see cref="Retry"/>, for a pipeline that holds more than that retry.</summary>
    public static BackoffRetryOptions RetryOptions(PipelineOptions options, int attempts, Func<FaultKind, bool> retryable, Action<Exception, int>? onRetry, Func<double> randomizer) => new()
    {
        MinBackoff = options.MinBackoff,
        MaxBackoff = options.MaxBackoff,
        Randomizer = randomizer,
        ShouldHandle = args => ValueTask.FromResult(
            args.Outcome.Exception is { } e && !args.Context.CancellationToken.IsCancellationRequested
            && retryable(FaultClassifier.Default.Classify(e, args.Context.CancellationToken).Kind)),
        MaxRetryAttempts = attempts == int.MaxValue ? int.MaxValue : attempts - 1,
        ServerDelay = static (outcome, _) => outcome.Exception is { } e ? FaultClassifier.Default.Classify(e).RetryAfter : null,
        OnRetry = args =>
        {
            if (args.Outcome.Exception is { } e) onRetry?.Invoke(e, args.AttemptNumber);
            return ValueTask.CompletedTask;
        },
    };
}
