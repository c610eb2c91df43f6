using System.Globalization;

namespace Tgwatch.Messages;

/// <summary>
/// One message event as every connector delivers it and every sink stores it. Immutable; the JSON form
/// is the JSONL contract (<see cref="TgMessageJson"/>).
/// </summary>
public sealed record TgMessage
{
    /// <summary>The account that received it (e.g. <c>bot123456</c>, <c>user777</c>).</summary>
    public required string Account { get; init; }

    /// <summary>The connector that delivered it: <c>botapi</c>, <c>tdlib</c>, <c>file</c>.</summary>
    public required string Connector { get; init; }

    /// <summary>The chat.</summary>
    public required ChatInfo Chat { get; init; }

    /// <summary>Server message id, as users see it in t.me links.</summary>
    public required long MessageId { get; init; }

    /// <summary>New, edit or delete.</summary>
    public MessageKind Kind { get; init; } = MessageKind.New;

    /// <summary>When the message was sent (whole seconds, UTC).</summary>
    public required DateTimeOffset Date { get; init; }

    /// <summary>When it was last edited, for edits.</summary>
    public DateTimeOffset? EditDate { get; init; }

    /// <summary>The sender; null when Telegram does not say (e.g. a deletion).</summary>
    public SenderInfo? Sender { get; init; }

    /// <summary>The text; for media messages see <see cref="MediaInfo.Caption"/>.</summary>
    public string? Text { get; init; }

    /// <summary>Media summary, or null for a text message.</summary>
    public MediaInfo? Media { get; init; }

    /// <summary>The replied-to message, or null.</summary>
    public ReplyRef? ReplyTo { get; init; }

    /// <summary>Origin of a forwarded message, or null.</summary>
    public ForwardInfo? Forward { get; init; }

    /// <summary>
    /// True for the record the pipeline emits when a reply it delivered unresolved was resolved later:
    /// an edit-like record (kind <c>edit</c> in JSONL, <see cref="EditDate"/> = when it was resolved)
    /// carrying the resolved <see cref="ReplyTo"/>.
    /// </summary>
    public bool IsReplyUpdate { get; init; }

    /// <summary>
    /// True for the record the pipeline emits when the download of the message's file ended (done or failed) after the
    /// message was written with <c>media.state = "pending"</c>: edit-like, as a reply update, carrying the final <see cref="MediaInfo.Download"/>.
    /// </summary>
    public bool IsMediaUpdate { get; init; }

    /// <summary>True for a reply update or a media update: a later record of a message already written.</summary>
    public bool IsUpdate => IsReplyUpdate || IsMediaUpdate;

    /// <summary>The text of the message, else its caption.</summary>
    public string? TextOrCaption => Text ?? Media?.Caption;

    /// <summary>
    /// The idempotency key <c>account:chat_id:message_id:kind:edit_date</c> (edit date in Unix seconds,
    /// empty when none); a reply update adds <c>:reply</c>, a media update <c>:media</c>. Sinks are idempotent on it.
    /// </summary>
    public string Key => MessageKey.Of(this);

    /// <summary>The reference to this message.</summary>
    public MessageRef Ref => new(Chat.Id, MessageId);
}

/// <summary>A message by chat and id.</summary>
/// <param name="ChatId">Chat id.</param>
/// <param name="MessageId">Server message id.</param>
public readonly record struct MessageRef(long ChatId, long MessageId)
{
    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{ChatId}/{MessageId}");
}
