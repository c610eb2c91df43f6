namespace Tgwatch.Messages;

/// <summary>The chat a message belongs to.</summary>
/// <param name="Id">Telegram's chat id as the Bot API writes it (-100… for channels and supergroups).</param>
/// <param name="Type"><c>private</c>, <c>group</c>, <c>supergroup</c> or <c>channel</c> (null when unknown).</param>
/// <param name="Title">Title, or the other party's name in a private chat.</param>
/// <param name="Username">Public @username without the @, if any.</param>
public sealed record ChatInfo(long Id, string? Type = null, string? Title = null, string? Username = null);

/// <summary>Who sent a message (for a channel post: the channel itself).</summary>
/// <param name="Id">User or chat id.</param>
/// <param name="Name">Display name (first and last name, or title).</param>
/// <param name="Username">Public @username without the @, if any.</param>
public sealed record SenderInfo(long Id, string? Name = null, string? Username = null);

/// <summary>What a message carries besides text.</summary>
/// <param name="Type">photo, video, document, audio, voice, sticker, animation, video_note, location, contact, poll, other…</param>
/// <param name="Caption">The media caption, if any.</param>
public sealed record MediaInfo(string Type, string? Caption = null)
{
    /// <summary>The file to download, when the connector knows one (kept in the full form only, not in the JSONL contract).</summary>
    public MediaFile? File { get; init; }

    /// <summary>What became of its download; null when media downloads are off (the contract then has no state fields).</summary>
    public MediaDownload? Download { get; init; }
}

/// <summary>The message a message replies to.</summary>
/// <param name="ChatId">Chat of the replied-to message (a reply may point to another chat).</param>
/// <param name="MessageId">Server id of the replied-to message.</param>
/// <param name="State">Whether its text was read.</param>
/// <param name="Text">Its text (or caption) when resolved.</param>
public sealed record ReplyRef(long ChatId, long MessageId, ReplyState State, string? Text = null);

/// <summary>Where a forwarded message came from.</summary>
/// <param name="Type">user, hidden_user, chat or channel.</param>
/// <param name="Id">Id of the original sender or chat, when known.</param>
/// <param name="Name">Name or title of the original sender, when known.</param>
/// <param name="Date">When the original was sent.</param>
/// <param name="MessageId">Id of the original message in its channel, when known.</param>
public sealed record ForwardInfo(string Type, long? Id = null, string? Name = null, DateTimeOffset? Date = null, long? MessageId = null);
