using Tgwatch.Sinks.Outbox;

namespace Tgwatch.Sinks.Webhook;

/// <summary>
/// What a <see cref="WebhookSink"/> has done since it started (ARCHITECTURE §5): <see cref="OutboxSinkStats.Sent"/> counts records
/// answered 2xx; <see cref="OutboxSinkStats.FailedAttempts"/> requests that failed and were retried (network, timeout, 408, 429, 5xx,
/// refusals of every record…); <see cref="OutboxSinkStats.DeadLettered"/> records refused alone while the endpoint accepted others, or
/// not valid JSON.
/// </summary>
public sealed class WebhookSinkStats : OutboxSinkStats;
