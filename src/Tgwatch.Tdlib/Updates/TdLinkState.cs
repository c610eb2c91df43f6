using Tgwatch.Connectors;

namespace Tgwatch.Tdlib.Updates;

/// <summary>What a TDLib connection state means for the connector's link (<see cref="LinkMonitor"/>).</summary>
/// <param name="State"><see cref="ConnectionState.Ready"/> or <see cref="ConnectionState.Connecting"/>.</param>
/// <param name="Reason">
/// TDLib's state in words: "waiting for network", "connecting to proxy", "connecting", "updating", "ready". For a
/// <see cref="ConnectionState.Connecting"/> state it is the reason to give <see cref="LinkMonitor.Failed"/>; for a
/// ready one it only describes (a ready <see cref="ConnectionStatus"/> has no reason).
/// </param>
public readonly record struct TdLinkState(ConnectionState State, string Reason)
{
    /// <summary>
    /// Maps TDLib's <c>updateConnectionState</c>. Waiting for the network, connecting to the proxy and connecting are
    /// <see cref="ConnectionState.Connecting"/> (network faults while they last). Updating is
    /// <see cref="ConnectionState.Ready"/>: TDLib is connected and fetching what it missed, and delivers those updates
    /// as it gets them, so the link works; counting catch-up as downtime would report a recovered link as down for as
    /// long as a backlog takes, and turn a short drop into a "down" line.
    /// </summary>
    /// <param name="state">TDLib's state.</param>
    /// <returns>The link state and its reason.</returns>
    public static TdLinkState From(TdConnectionState state) => state switch
    {
        TdConnectionState.WaitingForNetwork => new(ConnectionState.Connecting, "waiting for network"),
        TdConnectionState.ConnectingToProxy => new(ConnectionState.Connecting, "connecting to proxy"),
        TdConnectionState.Connecting => new(ConnectionState.Connecting, "connecting"),
        TdConnectionState.Updating => new(ConnectionState.Ready, "updating"),
        TdConnectionState.Ready => new(ConnectionState.Ready, "ready"),
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "not a TDLib connection state"),
    };

    /// <summary>TDLib's <c>ConnectionState</c> type name (<c>connectionStateConnectingToProxy</c>) as a <see cref="TdConnectionState"/>; null for an unknown name.</summary>
    /// <param name="type">The <c>@type</c> of the <c>state</c> of an <c>updateConnectionState</c>.</param>
    /// <returns>The state, or null.</returns>
    public static TdConnectionState? Parse(string? type) => type switch
    {
        "connectionStateWaitingForNetwork" => TdConnectionState.WaitingForNetwork,
        "connectionStateConnectingToProxy" => TdConnectionState.ConnectingToProxy,
        "connectionStateConnecting" => TdConnectionState.Connecting,
        "connectionStateUpdating" => TdConnectionState.Updating,
        "connectionStateReady" => TdConnectionState.Ready,
        _ => null,
    };
}
