using System.ComponentModel.DataAnnotations;

namespace Tgwatch.Pipeline;

/// <summary>How the pipeline runs. Defaults suit one account on a small machine.</summary>
public sealed class PipelineOptions
{
    /// <summary>Deliveries held between the connector and the workers before the connector is made to wait.</summary>
    /// <value>1024.</value>
    [Range(1, 1_000_000)]
    public int Capacity { get; set; } = 1024;

    /// <summary>Chats processed in parallel (a chat's messages always in order, by one worker).</summary>
    /// <value>4.</value>
    [Range(1, 256)]
    public int Parallelism { get; set; } = 4;

    /// <summary>Most messages written to the sinks in one batch.</summary>
    /// <value>512.</value>
    [Range(1, 100_000)]
    public int BatchSize { get; set; } = 512;

    /// <summary>How long one handler call may run before it is cancelled and counted as a timeout.</summary>
    /// <value>30 seconds.</value>
    public TimeSpan HandlerTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Attempts of a handler on one message (transient faults only are retried) before it is dead-lettered.</summary>
    /// <value>3.</value>
    [Range(1, 100)]
    public int HandlerAttempts { get; set; } = 3;

    /// <summary>
    /// First backoff step of handlers, sinks and the state store; it doubles with each retry up to <see cref="MaxBackoff"/>,
    /// and each wait falls in the upper half of its step (<see cref="Resilience.Backoff"/>).
    /// </summary>
    /// <value>200 milliseconds.</value>
    public TimeSpan MinBackoff { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest backoff step of handlers, sinks and the state store.</summary>
    /// <value>30 seconds.</value>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Attempts of a sink on a message that fails for a reason other than a transient one, before it is dead-lettered.</summary>
    /// <value>3.</value>
    [Range(1, 100)]
    public int SinkAttempts { get; set; } = 3;

    /// <summary>
    /// How long the sinks' stage holds a message back for an earlier delivery still being processed (in a handler, or waiting
    /// for its reply), so that sinks get the messages of different chats in the order they came in; past it, what is ready
    /// is written without waiting. Zero: written as soon as each is processed (in order only as far as that goes).
    /// </summary>
    /// <value>1 second.</value>
    public TimeSpan OrderWindow { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a delivery may wait for its replied-to message to be read.</summary>
    /// <value>2 seconds.</value>
    public TimeSpan ReplyDeadline { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>First delay of the background retry of an unresolved reply; it doubles up to <see cref="ReplyMaxDelay"/>.</summary>
    /// <value>5 seconds.</value>
    public TimeSpan ReplyRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest delay between background attempts to resolve a reply.</summary>
    /// <value>10 minutes.</value>
    public TimeSpan ReplyMaxDelay { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Background attempts to resolve a reply before it is left unresolved for good.</summary>
    /// <value>20.</value>
    [Range(1, 10_000)]
    public int ReplyAttempts { get; set; } = 20;

    /// <summary>How long processed keys are kept for dedup.</summary>
    /// <value>7 days.</value>
    public TimeSpan ProcessedRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Most processed keys kept for dedup.</summary>
    /// <value>1,000,000.</value>
    [Range(1000, int.MaxValue)]
    public int ProcessedKeep { get; set; } = 1_000_000;

    /// <summary>How long a stop waits for in-flight work to finish and commit before it cancels it.</summary>
    /// <value>10 seconds.</value>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often a run renews its link record in the state store (for <c>tgwatch status</c>), besides every change.</summary>
    /// <value>30 seconds.</value>
    public TimeSpan LinkReportInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Checks the values; throws <see cref="ArgumentException"/> with a one-line message naming the option.</summary>
    public PipelineOptions Validate()
    {
        var context = new ValidationContext(this);
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(this, context, results, validateAllProperties: true))
            throw new ArgumentException($"pipeline option {string.Join(", ", results[0].MemberNames)}: {results[0].ErrorMessage}");
        Positive(HandlerTimeout, nameof(HandlerTimeout));
        Positive(MinBackoff, nameof(MinBackoff));
        Positive(MaxBackoff, nameof(MaxBackoff));
        Positive(ReplyDeadline, nameof(ReplyDeadline));
        Positive(ReplyRetryDelay, nameof(ReplyRetryDelay));
        Positive(ReplyMaxDelay, nameof(ReplyMaxDelay));
        Positive(ProcessedRetention, nameof(ProcessedRetention));
        Positive(DrainTimeout, nameof(DrainTimeout));
        Positive(LinkReportInterval, nameof(LinkReportInterval));
        if (OrderWindow < TimeSpan.Zero) throw new ArgumentException($"pipeline option {nameof(OrderWindow)}: must not be negative, not {OrderWindow}");
        if (LinkReportInterval > TimeSpan.FromDays(1)) throw new ArgumentException($"pipeline option {nameof(LinkReportInterval)}: at most a day, not {Duration.Format(LinkReportInterval)}");
        if (MaxBackoff < MinBackoff) throw new ArgumentException($"pipeline option {nameof(MaxBackoff)}: must not be shorter than {nameof(MinBackoff)}");
        return this;
    }

    private static void Positive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero) throw new ArgumentException($"pipeline option {name}: must be positive, not {value}");
    }
}
