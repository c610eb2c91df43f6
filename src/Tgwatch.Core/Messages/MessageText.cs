using System.Globalization;

namespace Tgwatch.Messages;

/// <summary>
/// The bound on a message's text that Tgwatch keeps: Telegram's own limits are 4096 characters for a text and 1024 for
/// a caption, so a longer one comes from a broken or hostile server. It is kept cut, with a marker that says how much
/// was cut, so that one message cannot fill the memory, the sinks or the dead letters.
/// </summary>
public static class MessageText
{
    /// <summary>Characters (UTF-16 code units) of a text kept: 64 Ki.</summary>
    public const int MaxChars = 64 * 1024;

    /// <summary>
    /// How much longer than <see cref="MaxChars"/> a text may be and still be kept whole: room for the marker of a text
    /// already cut on its way in (a reader of the network answer cuts it before it is a string).
    /// </summary>
    public const int MarkerSlack = 64;

    /// <summary>The marker appended to a cut text: <c>… [truncated N chars]</c>.</summary>
    /// <param name="dropped">Characters (UTF-16 code units) cut off.</param>
    public static string Marker(long dropped) => string.Create(CultureInfo.InvariantCulture, $"… [truncated {dropped} chars]");

    /// <summary>
    /// <paramref name="text"/> when it is within the bound, else its first <see cref="MaxChars"/> characters (never half
    /// of a surrogate pair) followed by the <see cref="Marker"/>.
    /// </summary>
    public static string? Bound(string? text)
    {
        if (text is null || text.Length <= MaxChars + MarkerSlack) return text;
        var keep = char.IsHighSurrogate(text[MaxChars - 1]) ? MaxChars - 1 : MaxChars;
        return string.Concat(text.AsSpan(0, keep), Marker(text.Length - keep));
    }

    /// <summary>
    /// <paramref name="message"/> with every text it carries within the bound (its text, caption, the replied-to text, the
    /// chat's title and the sender's name): the same instance when nothing is over it.
    /// </summary>
    public static TgMessage Bound(TgMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        static bool Over(string? text) => text is not null && text.Length > MaxChars + MarkerSlack;
        if (!Over(message.Text) && !Over(message.Media?.Caption) && !Over(message.ReplyTo?.Text) && !Over(message.Chat.Title) && !Over(message.Sender?.Name))
            return message;
        return message with
        {
            Text = Bound(message.Text),
            Media = message.Media is { } media ? media with { Caption = Bound(media.Caption) } : null,
            ReplyTo = message.ReplyTo is { } reply ? reply with { Text = Bound(reply.Text) } : null,
            Chat = message.Chat with { Title = Bound(message.Chat.Title) },
            Sender = message.Sender is { } sender ? sender with { Name = Bound(sender.Name) } : null,
        };
    }
}
