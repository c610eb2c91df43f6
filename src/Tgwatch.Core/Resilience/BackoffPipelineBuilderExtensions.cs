using Polly;
using Polly.Retry;

namespace Tgwatch.Resilience;

/// <summary>Adds a retry with Tgwatch's <see cref="Backoff"/> to a Polly pipeline.</summary>
public static class BackoffPipelineBuilderExtensions
{
    /// <summary>Adds a retry that waits <see cref="Backoff"/> between attempts (or what the other side asked for).</summary>
    /// <param name="builder">The pipeline; its time provider is the clock of the waits.</param>
    /// <param name="options">What is retried, how often, and the backoff.</param>
    /// <exception cref="ArgumentException">The least wait is not positive, or the most is below it.</exception>
    public static ResiliencePipelineBuilder AddBackoffRetry(this ResiliencePipelineBuilder builder, BackoffRetryOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddRetry(Retry(new RetryStrategyOptions(), options));
    }

    /// <summary>Adds a retry that waits <see cref="Backoff"/> between attempts (or what the other side asked for).</summary>
    /// <typeparam name="TResult">What the retried call returns.</typeparam>
    /// <param name="builder">The pipeline; its time provider is the clock of the waits.</param>
    /// <param name="options">What is retried, how often, and the backoff.</param>
    /// <exception cref="ArgumentException">The least wait is not positive, or the most is below it.</exception>
    public static ResiliencePipelineBuilder<TResult> AddBackoffRetry<TResult>(this ResiliencePipelineBuilder<TResult> builder, BackoffRetryOptions<TResult> options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddRetry(Retry(new RetryStrategyOptions<TResult>(), options));
    }

    private static TRetry Retry<TRetry, TResult>(TRetry retry, BackoffRetryOptions<TResult> options)
        where TRetry : RetryStrategyOptions<TResult>
    {
        ArgumentNullException.ThrowIfNull(options);
        var (least, most, random, server) = (options.MinBackoff, options.MaxBackoff, options.Randomizer, options.ServerDelay);
        if (least <= TimeSpan.Zero || most < least)
            throw new ArgumentException($"backoff: the least wait must be positive and not above the most, not {least} and {most}", nameof(options));
        retry.MaxRetryAttempts = options.MaxRetryAttempts;
        retry.ShouldHandle = options.ShouldHandle;
        retry.OnRetry = options.OnRetry;
        retry.Randomizer = random;
        // Polly's own delay is left at zero: every wait is the one below, so the shape of the backoff lives in Backoff alone.
        retry.BackoffType = DelayBackoffType.Constant;
        retry.Delay = TimeSpan.Zero;
        retry.UseJitter = false;
        retry.DelayGenerator = args =>
        {
            var backoff = Backoff.Delay(args.AttemptNumber, least, most, random());
            return new ValueTask<TimeSpan?>(server?.Invoke(args.Outcome, backoff) ?? backoff);
        };
        return retry;
    }
}
