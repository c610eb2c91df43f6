using Polly;
using Polly.Retry;

namespace Tgwatch.Resilience;

/// <summary>
/// A retry that waits <see cref="Backoff"/> between attempts, or what the other side asked for (a <c>Retry-After</c>, a
/// <c>FLOOD_WAIT</c>); added to a pipeline with <see cref="BackoffPipelineBuilderExtensions"/>. The clock of the waits is
/// the pipeline builder's <see cref="ResiliencePipelineBuilderBase.TimeProvider"/>.
/// </summary>
/// <typeparam name="TResult">What the retried call returns.</typeparam>
public class BackoffRetryOptions<TResult>
{
    /// <summary>The first step of the backoff; it doubles with each retry up to <see cref="MaxBackoff"/>.</summary>
    /// <value>1 second.</value>
    public TimeSpan MinBackoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest step of the backoff.</summary>
    /// <value>30 seconds.</value>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries after the first attempt; <see cref="int.MaxValue"/> retries until the call works or is cancelled.</summary>
    /// <value><see cref="int.MaxValue"/>.</value>
    public int MaxRetryAttempts { get; set; } = int.MaxValue;

    /// <summary>Where each wait falls in the upper half of its step: a number in [0, 1) (as Polly's <see cref="RetryStrategyOptions{TResult}.Randomizer"/>).</summary>
    /// <value>Random.</value>
    public Func<double> Randomizer { get; set; } = Random.Shared.NextDouble;

    /// <summary>Which outcomes are retried.</summary>
    /// <value>Every exception but <see cref="OperationCanceledException"/>.</value>
    public Func<RetryPredicateArguments<TResult>, ValueTask<bool>> ShouldHandle { get; set; } =
        args => new ValueTask<bool>(args.Outcome.Exception is not null and not OperationCanceledException);

    /// <summary>
    /// The wait the other side asked for, given the failed outcome and the backoff's wait; it wins over the backoff (and
    /// may be longer than <see cref="MaxBackoff"/>). Null, or a null answer: the backoff.
    /// </summary>
    /// <value>Null.</value>
    public Func<Outcome<TResult>, TimeSpan, TimeSpan?>? ServerDelay { get; set; }

    /// <summary>Called after a failed attempt that is retried, before the wait (<see cref="OnRetryArguments{TResult}.RetryDelay"/>).</summary>
    /// <value>Null.</value>
    public Func<OnRetryArguments<TResult>, ValueTask>? OnRetry { get; set; }
}

/// <summary>A <see cref="BackoffRetryOptions{TResult}"/> for calls of any result, for a <see cref="ResiliencePipelineBuilder"/>.</summary>
public class BackoffRetryOptions : BackoffRetryOptions<object>;
