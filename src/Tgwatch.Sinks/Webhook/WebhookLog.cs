using Microsoft.Extensions.Logging;
using Tgwatch.Faults;

namespace Tgwatch.Sinks.Webhook;

/// <summary>The webhook sink's log events (ids 3200–3299). Addresses are logged as <see cref="SafeUrl.ForLog"/> only.</summary>
internal static partial class WebhookLog
{
    [LoggerMessage(EventId = 3201, Message = "{Sink}: delivery to {Url} failed ({Fault}: {Reason}); retrying with backoff, {Pending} records stay queued")]
    public static partial void DeliveryFailing(ILogger logger, LogLevel level, string sink, string url, FaultKind fault, string reason, long pending, Exception? exception);

    [LoggerMessage(3202, LogLevel.Warning, "{Sink}: delivery to {Url} still failing after {Attempts} attempts over {Duration} ({Fault}: {Reason}); {Pending} records queued")]
    private static partial void StillFailing(ILogger logger, string sink, string url, long attempts, string duration, FaultKind fault, string reason, long pending);

    public static void StillFailing(ILogger logger, string sink, string url, long attempts, TimeSpan duration, FaultKind fault, string reason, long pending) =>
        StillFailing(logger, sink, url, attempts, Duration.Format(duration), fault, reason, pending);

    [LoggerMessage(3203, LogLevel.Information, "{Sink}: delivering to {Url} again after {Attempts} failed attempts over {Duration}")]
    private static partial void Recovered(ILogger logger, string sink, string url, long attempts, string duration);

    public static void Recovered(ILogger logger, string sink, string url, long attempts, TimeSpan duration) => Recovered(logger, sink, url, attempts, Duration.Format(duration));

    [LoggerMessage(3204, LogLevel.Error, "{Sink}: {Url} refused {Count} of {Sent} records sent alone with HTTP {Status} {ReasonPhrase} while accepting others; moved to dead letters (stage {Stage})")]
    public static partial void Rejected(ILogger logger, string sink, string url, int count, int sent, int status, string reasonPhrase, string stage);

    [LoggerMessage(3205, LogLevel.Warning, "{Sink}: {Url} answered HTTP 413 to {Count} records; sending at most {Limit} per request from now on")]
    public static partial void TooLarge(ILogger logger, string sink, string url, int count, int limit);

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

    [LoggerMessage(3210, LogLevel.Error, "{Sink}: {Url} refuses every request (HTTP {Status} {ReasonPhrase}): check the address and its credentials; retrying with backoff, nothing goes to dead letters while it refuses, {Pending} records stay queued")]
    public static partial void EndpointRefuses(ILogger logger, string sink, string url, int status, string reasonPhrase, long pending);

    [LoggerMessage(3211, LogLevel.Error, "{Sink}: {Url} refused every record it was sent, each alone too (HTTP {Status} {ReasonPhrase}, {Count} records): the endpoint refuses records, not these ones; retrying with backoff, nothing goes to dead letters until it accepts a record, {Pending} records stay queued")]
    public static partial void RefusesEveryRecord(ILogger logger, string sink, string url, int status, string reasonPhrase, int count, long pending);
}
