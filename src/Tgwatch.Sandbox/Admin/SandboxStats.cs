namespace Tgwatch.Sandbox.Admin;

/// <summary>Counters of a sandbox (<c>GET /sandbox/stats</c>).</summary>
/// <param name="RequestsServed">Bot API requests received (faulted ones included; a path that is neither API's counts as an unknown method).</param>
/// <param name="AdminRequests">Admin API requests received (under <c>/sandbox/</c>: injections, faults, listings, this one included).</param>
/// <param name="FaultsInjected">Requests that met a fault, plus malformed updates queued.</param>
/// <param name="RequestsByMethod">Requests per Bot API method (unknown methods counted as "unknown").</param>
/// <param name="FaultsByKind">Faults per kind (rate_limit, bad_gateway, drop, drop_response, stall, malformed).</param>
/// <param name="Bots">Each bot's queue.</param>
public sealed record SandboxStats(
    long RequestsServed,
    long AdminRequests,
    long FaultsInjected,
    IReadOnlyDictionary<string, long> RequestsByMethod,
    IReadOnlyDictionary<string, long> FaultsByKind,
    IReadOnlyList<BotStats> Bots);

/// <summary>One bot's numbers.</summary>
/// <param name="Id">Bot id (the numeric part of its token).</param>
/// <param name="Username">The bot's username.</param>
/// <param name="PendingUpdates">Updates queued and not confirmed.</param>
/// <param name="Injected">Injections recorded (malformed updates included).</param>
/// <param name="Sent">Messages the bot sent with sendMessage.</param>
/// <param name="WebhookUrl">The webhook set, if any.</param>
public sealed record BotStats(long Id, string Username, int PendingUpdates, int Injected, int Sent, string? WebhookUrl);
