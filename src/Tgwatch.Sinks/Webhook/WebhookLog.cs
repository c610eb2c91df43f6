using Microsoft.Extensions.Logging;
using Tgwatch.Faults;

namespace Tgwatch.Sinks.Webhook;

/// <summary>
/// The webhook sink's own log events (ids 3200–3299; those every outbox sender shares are <see cref="Outbox.OutboxLog"/>).
/// Addresses are logged as <see cref="SafeUrl.ForLog"/> only.
/// </summary>
internal static partial class WebhookLog
{
    [LoggerMessage(3204, LogLevel.Error, "{Sink}: {Url} refused {Count} of {Sent} records sent alone with HTTP {Status} {ReasonPhrase} while accepting others; moved to dead letters (stage {Stage})")]
    public static partial void Rejected(ILogger logger, string sink, string url, int count, int sent, int status, string reasonPhrase, string stage);

    [LoggerMessage(3205, LogLevel.Warning, "{Sink}: {Url} answered HTTP 413 to {Count} records; sending at most {Limit} per request from now on")]
    public static partial void TooLarge(ILogger logger, string sink, string url, int count, int limit);

    [LoggerMessage(3210, LogLevel.Error, "{Sink}: {Url} refuses every request (HTTP {Status} {ReasonPhrase}): check the address and its credentials; retrying with backoff, nothing goes to dead letters while it refuses, {Pending} records stay queued")]
    public static partial void EndpointRefuses(ILogger logger, string sink, string url, int status, string reasonPhrase, long pending);

    [LoggerMessage(3211, LogLevel.Error, "{Sink}: {Url} refused every record it was sent, each alone too (HTTP {Status} {ReasonPhrase}, {Count} records): the endpoint refuses records, not these ones; retrying with backoff, nothing goes to dead letters until it accepts a record, {Pending} records stay queued")]
    public static partial void RefusesEveryRecord(ILogger logger, string sink, string url, int status, string reasonPhrase, int count, long pending);
}
