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

/// <summary>The chat to export does not exist or is not visible to the account (a configuration problem, exit code 2).</summary>
public sealed class TdlibChatNotFoundException(string chat)
    : ConnectorException($"chat {chat} was not found; check the id or @username (tgwatch chats lists the account's chats)")
{
    /// <summary>The chat as given.</summary>
    public string Chat { get; } = chat;
}

/// <summary>TDLib refuses to read the chat's history (a bot account cannot; a chat the account left): the export cannot go on (exit code 2).</summary>
public sealed class TdlibHistoryRefusedException(string chat)
    : ConnectorException($"TDLib refuses to read the history of chat {chat} (a bot account cannot read history; a user account must be a member)")
{
    /// <summary>The chat as given.</summary>
    public string Chat { get; } = chat;
}
