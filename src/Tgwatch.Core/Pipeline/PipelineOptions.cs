using Microsoft.Extensions.Options;
using Tgwatch.Validation;

namespace Tgwatch.Pipeline;

/// <summary>
/// How the pipeline runs. Defaults suit one account on a small machine. No wait is longer than a day: a longer one would
/// overflow a timer (or a host's shutdown time, twice <see cref="DrainTimeout"/>).
/// </summary>
public sealed class PipelineOptions
{
    /// <summary>
    /// Deliveries held between the connector and the workers before the connector is made to wait (and as many again
    /// between the workers and the sinks).
    /// </summary>
    /// <remarks>
    /// Behind a sink slower than the rest (one that waits for a server's acknowledgements) every place is taken, and what
    /// is held outlives the garbage collector's young generation: 512 cost a nats sink's pipeline about a fifth less CPU a
    /// record than 1024, with the same Bot API drain. A batch (<see cref="BatchSize"/>) still fills from it.
    /// </remarks>
    /// <value>512.</value>
    [Between(1, 1_000_000)]
    public int Capacity { get; set; } = 512;

    /// <summary>Chats processed in parallel (a chat's messages always in order, by one worker).</summary>
    /// <value>4.</value>
    [Between(1, 256)]
    public int Parallelism { get; set; } = 4;

    /// <summary>Most messages written to the sinks in one batch.</summary>
    /// <remarks>
    /// A batch fills from what <see cref="Capacity"/> holds: a larger batch needs a larger capacity too. A batch is written as
    /// soon as something is ready, except while the connector drains a backlog (<see cref="Connectors.IConnector.HasBacklog"/>):
    /// then it is let fill to this size for a moment (20 ms at most).
    /// </remarks>
    /// <value>512.</value>
    [Between(1, 100_000)]
    public int BatchSize { get; set; } = 512;

    /// <summary>How long one handler call may run before it is cancelled and counted as a timeout.</summary>
    /// <value>30 seconds.</value>
    [Duration(Positive = true, AtMost = "1.00:00:00", AtMostInWords = "a day")]
    public TimeSpan HandlerTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Attempts of a handler on one message (transient faults only are retried) before it is dead-lettered.</summary>
    /// <value>3.</value>
    [Between(1, 100)]
    public int HandlerAttempts { get; set; } = 3;

    /// <summary>
    /// First backoff step of handlers, sinks and the state store; it doubles with each retry up to <see cref="MaxBackoff"/>,
    /// and each wait falls in the upper half of its step (<see cref="Resilience.Backoff"/>).
    /// </summary>
    /// <value>200 milliseconds.</value>
    [Duration(Positive = true, AtMost = "1.00:00:00", AtMostInWords = "a day")]
    public TimeSpan MinBackoff { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest backoff step of handlers, sinks and the state store.</summary>
    /// <value>30 seconds.</value>
    [Duration(Positive = true, AtMost = "1.00:00:00", AtMostInWords = "a day")]
    [NotShorterThan(nameof(MinBackoff))]
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Attempts of a sink on a message that fails for a reason other than a transient one, before it is dead-lettered.</summary>
    /// <value>3.</value>
    [Between(1, 100)]
    public int SinkAttempts { get; set; } = 3;

    /// <summary>
    /// How long the sinks' stage holds a message back for an earlier delivery still being processed (in a handler, or waiting
    /// for its reply), so that sinks get the messages of different chats in the order they came in; past it, what is ready
    /// is written without waiting. Zero: written as soon as each is processed (in order only as far as that goes).
    /// </summary>
    /// <value>1 second.</value>
    [Duration(AtLeast = "00:00:00", AtMost = "1.00:00:00", AtMostInWords = "a day")]
    public TimeSpan OrderWindow { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a delivery may wait for its replied-to message to be read.</summary>
    /// <value>2 seconds.</value>
    [Duration(Positive = true, AtMost = "1.00:00:00", AtMostInWords = "a day")]
    public TimeSpan ReplyDeadline { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>First delay of the background retry of an unresolved reply; it doubles up to <see cref="ReplyMaxDelay"/>.</summary>
    /// <value>5 seconds.</value>
    [Duration(Positive = true, AtMost = "1.00:00:00", AtMostInWords = "a day")]
    public TimeSpan ReplyRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest delay between background attempts to resolve a reply.</summary>
    /// <value>10 minutes.</value>
    [Duration(Positive = true, AtMost = "1.00:00:00", AtMostInWords = "a day")]
    public TimeSpan ReplyMaxDelay { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Background attempts to resolve a reply before it is left unresolved for good.</summary>
    /// <value>20.</value>
    [Between(1, 10_000)]
    public int ReplyAttempts { get; set; } = 20;

    /// <summary>How long processed keys are kept for dedup.</summary>
    /// <value>7 days.</value>
    [Duration(Positive = true, AtMost = "3650.00:00:00", AtMostInWords = "ten years")]
    public TimeSpan ProcessedRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Most processed keys kept for dedup.</summary>
    /// <value>1,000,000.</value>
    [Between(1000, int.MaxValue)]
    public int ProcessedKeep { get; set; } = 1_000_000;

    /// <summary>How long a stop waits for in-flight work to finish and commit before it cancels it.</summary>
    /// <value>10 seconds.</value>
    [Duration(Positive = true, AtMost = "1.00:00:00", AtMostInWords = "a day")]
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often a run renews its link record in the state store (for <c>tgwatch status</c>), besides every change.</summary>
    /// <value>30 seconds.</value>
    [Duration(Positive = true, AtMost = "1.00:00:00", AtMostInWords = "a day")]
    public TimeSpan LinkReportInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Checks the values (<see cref="PipelineOptionsValidator"/>).</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message has one line for each (<c>PipelineOptions.BatchSize: between 1 and 100000</c>).</exception>
    public PipelineOptions Validate() => new PipelineOptionsValidator().Check(this);
}

/// <summary>Checks <see cref="PipelineOptions"/> by the rules on its settings, every problem at once.</summary>
[OptionsValidator]
public sealed partial class PipelineOptionsValidator : IValidateOptions<PipelineOptions>;
