using Tgwatch.Connectors;

namespace Tgwatch.Tdlib.Connector;

/// <summary>The TDLib session is no longer authorized (logged out, revoked, closed): the run cannot go on (exit code 3).</summary>
public sealed class TdlibAuthorizationLostException(string state)
    : ConnectorException($"the Telegram session is no longer authorized ({state}); run tgwatch login again")
{
    /// <summary>The authorization state TDLib reported.</summary>
    public string State { get; } = state;
}

/// <summary>None of the chats to watch exists or is visible to the account: the run cannot go on (a configuration problem, exit code 2).</summary>
public sealed class TdlibChatsNotFoundException()
    : ConnectorException("none of the chats to watch was found; check the ids and @usernames (tgwatch chats lists them)");
