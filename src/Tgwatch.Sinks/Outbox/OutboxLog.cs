using Microsoft.Extensions.Logging;
using Tgwatch.Faults;

namespace Tgwatch.Sinks.Outbox;

/// <summary>
/// The log events every outbox sender shares (ids in 3200–3299, the webhook's range, where they began). The target is said
/// in a form safe to log: a webhook as <c>scheme://host:port/…</c>, a chat as <c>chat @name</c>.
/// </summary>
internal static partial class OutboxLog
{
    [LoggerMessage(EventId = 3201, Message = "{Sink}: delivery to {Target} failed ({Fault}: {Reason}); retrying with backoff, {Pending} records stay queued")]
    public static partial void DeliveryFailing(ILogger logger, LogLevel level, string sink, string target, FaultKind fault, string reason, long pending, Exception? exception);

    [LoggerMessage(3202, LogLevel.Warning, "{Sink}: delivery to {Target} still failing after {Attempts} attempts over {Duration} ({Fault}: {Reason}); {Pending} records queued")]
    private static partial void StillFailing(ILogger logger, string sink, string target, long attempts, string duration, FaultKind fault, string reason, long pending);

    public static void StillFailing(ILogger logger, string sink, string target, long attempts, TimeSpan duration, FaultKind fault, string reason, long pending) =>
        StillFailing(logger, sink, target, attempts, Duration.Format(duration), fault, reason, pending);

    [LoggerMessage(3203, LogLevel.Information, "{Sink}: delivering to {Target} again after {Attempts} failed attempts over {Duration}")]
    private static partial void Recovered(ILogger logger, string sink, string target, long attempts, string duration);

    public static void Recovered(ILogger logger, string sink, string target, long attempts, TimeSpan duration) => Recovered(logger, sink, target, attempts, Duration.Format(duration));

    [LoggerMessage(3206, LogLevel.Error, "{Sink}: the outbox failed ({Fault}: {Reason}); trying again in {Delay}, and until it works")]
    private static partial void OutboxFailed(ILogger logger, string sink, FaultKind fault, string delay, string reason, Exception? exception);

    public static void OutboxFailed(ILogger logger, string sink, FaultKind fault, TimeSpan delay, string reason, Exception? exception) =>
        OutboxFailed(logger, sink, fault, Duration.Format(delay), reason, exception);

    [LoggerMessage(3212, LogLevel.Information, "{Sink}: the outbox works again after {Attempts} failed attempt(s)")]
    public static partial void OutboxRecovered(ILogger logger, string sink, int attempts);

    [LoggerMessage(3207, LogLevel.Information, "{Sink}: stopped with {Pending} records queued; they are sent on the next run")]
    public static partial void StoppedWithPending(ILogger logger, string sink, long pending);

    [LoggerMessage(3208, LogLevel.Debug, "{Sink}: attempt {Attempt} failed ({Fault}: {Reason}); next in {Delay}")]
    private static partial void AttemptFailed(ILogger logger, string sink, int attempt, FaultKind fault, string reason, string delay);

    public static void AttemptFailed(ILogger logger, string sink, int attempt, FaultKind fault, string reason, TimeSpan delay) => AttemptFailed(logger, sink, attempt, fault, reason, Duration.Format(delay));

    [LoggerMessage(3209, LogLevel.Error, "{Sink}: a queued record ({Key}) is not valid JSON; moved to dead letters (stage {Stage})")]
    public static partial void InvalidRecord(ILogger logger, string sink, string key, string stage);
}
