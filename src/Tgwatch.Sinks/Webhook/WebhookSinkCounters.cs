namespace Tgwatch.Sinks.Webhook;

/// <summary>What a <see cref="WebhookSink"/> has done since it started, for status.</summary>
/// <param name="Sent">Records delivered (answered 2xx).</param>
/// <param name="FailedAttempts">Requests that failed and were retried (network, timeout, 408, 429, 5xx, refusals of every record…).</param>
/// <param name="DeadLettered">Records moved to dead letters: refused alone while the endpoint accepted others, or not valid JSON.</param>
/// <param name="Pending">Records waiting in the outbox.</param>
/// <param name="Failing">Whether delivery is failing right now (backing off).</param>
public sealed record WebhookSinkCounters(long Sent, long FailedAttempts, long DeadLettered, long Pending, bool Failing);
