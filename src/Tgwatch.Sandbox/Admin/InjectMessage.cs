using System.Text.Json.Nodes;

namespace Tgwatch.Sandbox.Admin;

/// <summary>
/// A message to inject (<c>POST /sandbox/messages</c>) or a channel post (<c>POST /sandbox/channel-posts</c>).
/// The sandbox numbers it (message ids per chat from 1), dates it (now unless <see cref="Date"/>), creates the
/// chat on first use and queues the update for the bot.
/// </summary>
public sealed class InjectMessage
{
    /// <summary>The bot that receives it (the numeric part of its token); the sandbox's first bot when absent.</summary>
    public long? BotId { get; init; }

    /// <summary>The chat: a user id (&gt; 0, private chat), a basic group (negative) or -100… (supergroup or channel).</summary>
    public required long ChatId { get; init; }

    /// <summary>How the chat looks when it is first used (type, title…); later injections may leave it out.</summary>
    public SandboxChat? Chat { get; init; }

    /// <summary>The sender; a default user when absent (the chat's user in a private chat). Ignored for channel posts.</summary>
    public SandboxUser? From { get; init; }

    /// <summary>Text of a text message.</summary>
    public string? Text { get; init; }

    /// <summary>
    /// The text is <see cref="Text"/> repeated this many times: a message far over Telegram's 4096 characters (a broken or
    /// hostile server), without sending it whole to the admin API. At most 1 GiB of text.
    /// </summary>
    public int? TextRepeat { get; init; }

    /// <summary>Caption of a photo or document.</summary>
    public string? Caption { get; init; }

    /// <summary>True for a photo (two sizes with generated file ids).</summary>
    public bool Photo { get; init; }

    /// <summary>A document, when the message carries one.</summary>
    public SandboxDocument? Document { get; init; }

    /// <summary>The message this one replies to, which must exist in the same chat; it is nested as <c>reply_to_message</c>.</summary>
    public int? ReplyToMessageId { get; init; }

    /// <summary>A Bot API <c>MessageOrigin</c> object (type user, hidden_user, chat or channel), written as <c>forward_origin</c>; its date defaults to now.</summary>
    public JsonObject? ForwardOrigin { get; init; }

    /// <summary>Unix time of the message; now when absent.</summary>
    public long? Date { get; init; }
}

/// <summary>A user as the admin API takes it.</summary>
public sealed class SandboxUser
{
    /// <summary>User id.</summary>
    public required long Id { get; init; }

    /// <summary>First name.</summary>
    public required string FirstName { get; init; }

    /// <summary>Last name.</summary>
    public string? LastName { get; init; }

    /// <summary>Username without the @.</summary>
    public string? Username { get; init; }

    /// <summary>True for a bot.</summary>
    public bool IsBot { get; init; }
}

/// <summary>How a chat looks (all optional: the id implies a type, and a title is made up).</summary>
public sealed class SandboxChat
{
    /// <summary>private, group, supergroup or channel.</summary>
    public string? Type { get; init; }

    /// <summary>Title of a group, supergroup or channel.</summary>
    public string? Title { get; init; }

    /// <summary>Username without the @.</summary>
    public string? Username { get; init; }

    /// <summary>First name of the user of a private chat.</summary>
    public string? FirstName { get; init; }

    /// <summary>Last name of the user of a private chat.</summary>
    public string? LastName { get; init; }
}

/// <summary>A document attached to an injected message.</summary>
public sealed class SandboxDocument
{
    /// <summary>File name.</summary>
    public string? FileName { get; init; }

    /// <summary>MIME type.</summary>
    public string? MimeType { get; init; }

    /// <summary>Size in bytes (default 4096); over 20 MB, <c>getFile</c> refuses it as Telegram does.</summary>
    public long? FileSize { get; init; }
}
