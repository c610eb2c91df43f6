using System.Text.Json;
using Tgwatch.Messages;

namespace Tgwatch.Tdlib.Updates;

/// <summary>
/// What one TDLib update means to Tgwatch, as the update reader gives it. Message ids here are
/// TDLib's own (server id &lt;&lt; 20 for messages the server has); <see cref="TgMessage.MessageId"/> is the server id.
/// </summary>
public abstract record TdEvent;

/// <summary><c>updateNewMessage</c>.</summary>
public sealed record TdNewMessage(TdMappedMessage Message) : TdEvent;

/// <summary>
/// <c>updateMessageSendSucceeded</c>: a message this client sent (seen before as a <see cref="TdNewMessage"/> that is
/// not a server message, under <paramref name="OldTdMessageId"/>) reached the server; <paramref name="Message"/> has its server id.
/// </summary>
public sealed record TdMessageSendSucceeded(TdMappedMessage Message, long OldTdMessageId) : TdEvent;

/// <summary>
/// <c>updateMessageSendFailed</c>: a message this client sent (under <paramref name="OldTdMessageId"/> in <paramref name="ChatId"/>)
/// was refused with TDLib's error <paramref name="Code"/> and <paramref name="Error"/>.
/// </summary>
public sealed record TdMessageSendFailed(long ChatId, long OldTdMessageId, int Code, string Error) : TdEvent;

/// <summary><c>updateMessageEdited</c>: the message at <paramref name="TdMessageId"/> was edited (read it again with <c>getMessage</c>).</summary>
public sealed record TdMessageEdited(long ChatId, long TdMessageId, DateTimeOffset? EditDate) : TdEvent;

/// <summary><c>updateMessageContent</c>: new content of a message; an edit by a user is followed by <see cref="TdMessageEdited"/>.</summary>
public sealed record TdMessageContentChanged(long ChatId, long TdMessageId) : TdEvent;

/// <summary><c>updateDeleteMessages</c>.</summary>
public sealed record TdMessagesDeleted(long ChatId, IReadOnlyList<long> TdMessageIds, bool IsPermanent, bool FromCache) : TdEvent;

/// <summary><c>updateConnectionState</c>.</summary>
public sealed record TdConnectionChanged(TdConnectionState State) : TdEvent;

/// <summary><c>updateAuthorizationState</c>; <paramref name="State"/> is the raw <c>AuthorizationState</c> object.</summary>
public sealed record TdAuthorizationChanged(string StateType, JsonElement State) : TdEvent;

/// <summary>An update that only fed the directory of users and chats (<c>updateUser</c>, <c>updateNewChat</c>, ...).</summary>
public sealed record TdDirectoryChanged(string Type) : TdEvent;

/// <summary><c>updateFile</c>: where a file's download (or upload) stands.</summary>
public sealed record TdFileUpdated(TdFileState File) : TdEvent;

/// <summary>A well-formed update Tgwatch does not act on.</summary>
public sealed record TdOtherUpdate(string Type) : TdEvent;

/// <summary>An update that could not be read (wrong shape, missing fields, not an object); counted, never thrown.</summary>
public sealed record TdMalformedUpdate(string? Type, string Reason) : TdEvent;

/// <summary>TDLib's connection states (<c>ConnectionState</c>).</summary>
public enum TdConnectionState
{
    /// <summary><c>connectionStateWaitingForNetwork</c>.</summary>
    WaitingForNetwork,

    /// <summary><c>connectionStateConnectingToProxy</c>.</summary>
    ConnectingToProxy,

    /// <summary><c>connectionStateConnecting</c>.</summary>
    Connecting,

    /// <summary><c>connectionStateUpdating</c>.</summary>
    Updating,

    /// <summary><c>connectionStateReady</c>.</summary>
    Ready,
}

/// <summary>A TDLib <c>message</c> mapped to the model.</summary>
/// <param name="ChatId">The chat.</param>
/// <param name="TdMessageId">TDLib's message id.</param>
/// <param name="Message">The message; <see cref="TgMessage.MessageId"/> is <paramref name="TdMessageId"/> &gt;&gt; 20.</param>
/// <param name="ReplyTo">For <c>messageReplyToMessage</c>, the replied-to message (server id) with <see cref="ReplyState.Unresolved"/>; the connector resolves it.</param>
/// <param name="IsServerMessage">False for a message the server does not have yet (being sent, failed, local): not delivered.</param>
public sealed record TdMappedMessage(long ChatId, long TdMessageId, TgMessage Message, MessageRef? ReplyTo, bool IsServerMessage);
