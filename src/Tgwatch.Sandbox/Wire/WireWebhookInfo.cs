namespace Tgwatch.Sandbox.Wire;

/// <summary>Bot API <c>WebhookInfo</c>.</summary>
internal sealed record WireWebhookInfo(string Url, bool HasCustomCertificate, int PendingUpdateCount, int? MaxConnections, IReadOnlyList<string>? AllowedUpdates);
