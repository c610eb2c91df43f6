namespace Tgwatch.Connectors;

/// <summary>The state of a connector's link to Telegram.</summary>
public enum ConnectionState
{
    /// <summary>Not connected and not trying (stopped, or before the start).</summary>
    Disconnected,

    /// <summary>Trying to (re)connect; <see cref="ConnectionStatus.Reason"/> says why it is not ready.</summary>
    Connecting,

    /// <summary>Connected; updates flow.</summary>
    Ready,
}

/// <summary>A connector's state, why, and since when.</summary>
/// <param name="State">The state.</param>
/// <param name="Reason">Why (for Connecting: the last fault, e.g. "connection refused"); null when ready.</param>
/// <param name="Since">When the state began.</param>
public sealed record ConnectionStatus(ConnectionState State, string? Reason, DateTimeOffset Since);
