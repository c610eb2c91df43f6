using Microsoft.Extensions.Logging;
using Tgwatch.Faults;

namespace Tgwatch.Pipeline;

/// <summary>The pipeline's log events (stable ids: the noise gate groups by event id and fault kind).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Handler {Handler} failed on {Key} ({Fault}), attempt {Attempt} of {Attempts}")]
    public static partial void HandlerFailed(ILogger logger, string handler, string key, FaultKind fault, int attempt, int attempts, Exception exception);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Error, Message = "Dead letter: {Stage} gave up on {Key} after {Attempts} attempt(s) ({Fault})")]
    public static partial void DeadLettered(ILogger logger, string stage, string key, int attempts, FaultKind fault, Exception exception);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Sink {Sink} is failing ({Fault}): {Reason}; retrying with backoff, nothing is committed meanwhile")]
    public static partial void SinkFailing(ILogger logger, string sink, FaultKind fault, string reason, Exception? exception);

    [LoggerMessage(EventId = 3021, Level = LogLevel.Warning, Message = "Sink {Sink} still failing ({Fault}): {Attempts} more failed attempt(s) in the last {Duration}; nothing is committed meanwhile")]
    public static partial void SinkStillFailing(ILogger logger, string sink, FaultKind fault, int attempts, TimeSpan duration);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Information, Message = "Sink {Sink} works again after {Attempts} failed attempt(s) over {Duration}")]
    private static partial void SinkRecovered(ILogger logger, string sink, int attempts, string duration);

    public static void SinkRecovered(ILogger logger, string sink, int attempts, TimeSpan duration) => SinkRecovered(logger, sink, attempts, Duration.Format(duration));

    [LoggerMessage(EventId = 3005, Level = LogLevel.Error, Message = "Sink {Sink} rejected a batch of {Count} ({Fault}); writing its messages one by one")]
    public static partial void SinkBatchRejected(ILogger logger, string sink, int count, FaultKind fault, Exception exception);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Debug, Message = "Reply of {Key} unresolved within the deadline ({Reason}); retrying in the background")]
    public static partial void ReplyUnresolved(ILogger logger, string key, string reason);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Information, Message = "Reply of {Key} resolved after {Attempts} background attempt(s)")]
    public static partial void ReplyResolvedLater(ILogger logger, string key, int attempts);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Warning, Message = "Reply of {Key} left unresolved after {Attempts} attempts: {Reason}")]
    public static partial void ReplyGivenUp(ILogger logger, string key, int attempts, string reason);

    [LoggerMessage(EventId = 3009, Level = LogLevel.Warning, Message = "Stopping: in-flight work did not finish within {Timeout}; it is cancelled and will be delivered again on the next start")]
    private static partial void DrainTimedOut(ILogger logger, string timeout);

    public static void DrainTimedOut(ILogger logger, TimeSpan timeout) => DrainTimedOut(logger, Duration.Format(timeout));

    [LoggerMessage(EventId = 3010, Level = LogLevel.Warning, Message = "State store failing ({Fault}): {Reason}; retrying with backoff, nothing is committed meanwhile")]
    public static partial void StoreFailing(ILogger logger, FaultKind fault, string reason, Exception? exception);

    [LoggerMessage(EventId = 3022, Level = LogLevel.Warning, Message = "State store still failing ({Fault}): {Attempts} more failed attempt(s) in the last {Duration}; nothing is committed meanwhile")]
    public static partial void StoreStillFailing(ILogger logger, FaultKind fault, int attempts, TimeSpan duration);

    [LoggerMessage(EventId = 3023, Level = LogLevel.Information, Message = "State store works again after {Attempts} failed attempt(s) over {Duration}")]
    public static partial void StoreRecovered(ILogger logger, int attempts, TimeSpan duration);

    [LoggerMessage(EventId = 3013, Level = LogLevel.Error, Message = "State store failed ({Fault}), attempt {Attempt}; retrying with backoff, nothing is committed meanwhile")]
    public static partial void StoreBroken(ILogger logger, FaultKind fault, int attempt, Exception exception);

    [LoggerMessage(EventId = 3025, Level = LogLevel.Information, Message = "The stream has ended; waiting for {Count} file downloads to end (done, or failed for good) before stopping")]
    public static partial void WaitingForDownloads(ILogger logger, long count);

    [LoggerMessage(EventId = 3014, Level = LogLevel.Error, Message = "Filter {Filter} failed on {Key}; the message is kept")]
    public static partial void FilterFailed(ILogger logger, string filter, string key, Exception exception);

    [LoggerMessage(EventId = 3015, Level = LogLevel.Error, Message = "Delivery at {Stream}/{Position} is not a valid message ({Reason}); skipped")]
    public static partial void InvalidDelivery(ILogger logger, string stream, long position, string reason);

    [LoggerMessage(EventId = 3016, Level = LogLevel.Error, Message = "Unexpected failure on {Key}; the message goes on to the sinks")]
    public static partial void ProcessingFailed(ILogger logger, string key, Exception exception);

    [LoggerMessage(EventId = 3017, Level = LogLevel.Critical, Message = "A pipeline stage failed; stopping")]
    public static partial void StageFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3019, Level = LogLevel.Critical, Message = "Dead letter of {Stage} for {Key} could not be stored; the record: {Record}")]
    public static partial void DeadLetterNotStored(ILogger logger, string stage, string key, string record);

    [LoggerMessage(EventId = 3018, Level = LogLevel.Error, Message = "Stopping: a sink or handler did not give up within {Timeout} after it was cancelled; it is left behind, uncommitted work will be delivered again on the next start")]
    private static partial void Abandoned(ILogger logger, string timeout);

    public static void Abandoned(ILogger logger, TimeSpan timeout) => Abandoned(logger, Duration.Format(timeout));

    [LoggerMessage(EventId = 3011, Level = LogLevel.Warning, Message = "Connector commit of {Stream} at {Position} failed ({Fault}); the next commit carries it")]
    public static partial void ConnectorCommitFailed(ILogger logger, string stream, long position, FaultKind fault, Exception exception);

    [LoggerMessage(EventId = 3012, Level = LogLevel.Warning, Message = "Background reply resolution failed ({Fault}); it goes on")]
    public static partial void ResolverFailed(ILogger logger, FaultKind fault, Exception exception);

    /// <summary>Once per run, so a run that writes only to files shows its messages arrive; ids only, never a message's text.</summary>
    [LoggerMessage(EventId = 3024, Level = LogLevel.Information, Message = "First message received: chat {ChatId}, message {MessageId}")]
    public static partial void FirstMessage(ILogger logger, long chatId, long messageId);

    [LoggerMessage(EventId = 3020, Level = LogLevel.Debug, Message = "Link state of {Connector}/{Account} not recorded in the state store (status shows the previous one)")]
    public static partial void LinkNotRecorded(ILogger logger, string connector, string account);
}
