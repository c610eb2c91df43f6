namespace Tgwatch.Sandbox.Admin;

/// <summary>
/// An edit of an injected message (<c>POST /sandbox/edits</c>): an <c>edited_message</c> update, or
/// <c>edited_channel_post</c> in a channel, carrying the whole new version with <c>edit_date</c>.
/// </summary>
public sealed class InjectEdit
{
    /// <summary>The bot (see <see cref="InjectMessage.BotId"/>).</summary>
    public long? BotId { get; init; }

    /// <summary>The chat of the message.</summary>
    public required long ChatId { get; init; }

    /// <summary>The message to edit.</summary>
    public required int MessageId { get; init; }

    /// <summary>New text (for a text message).</summary>
    public string? Text { get; init; }

    /// <summary>New caption (for a photo or document).</summary>
    public string? Caption { get; init; }

    /// <summary>Unix time of the edit; now when absent (never before the message's date).</summary>
    public long? EditDate { get; init; }
}
