using System.Globalization;
using System.Text;
using Tgwatch.Messages;

namespace Tgwatch.Sinks.Telegram;

/// <summary>
/// The text of an alert, plain (sent without <c>parse_mode</c>, so nothing a user wrote is read as markup):
/// <code>
/// Chat title (@chatname)
/// Sender name (@sender)
/// ↩ reply to "the quoted text…"
/// edited: [photo] the text or the caption…
/// https://t.me/chatname/42
/// </code>
/// A new message has no prefix, an edit <c>edited: </c>, a deletion <c>deleted</c> (with <c>: </c> and its text when the record
/// has it). The link is there only for a public chat (one with a username), and not for a deletion. The whole text is at most
/// <see cref="MaxLength"/> UTF-16 code units, as Telegram counts: the message's text gives way (cut between characters as
/// people see them, never inside an emoji, and ended with <c>…</c>).
/// </summary>
internal static class AlertText
{
    /// <summary>Telegram's limit on a message's text, in UTF-16 code units.</summary>
    public const int MaxLength = 4096;

    private const int NameLength = 128;
    private const int QuoteLength = 100;

    public static string Format(TgMessage m)
    {
        var head = new StringBuilder();
        AppendChat(head, m.Chat);
        head.Append('\n');
        if (m.Sender is { } sender)
        {
            AppendSender(head, sender);
            head.Append('\n');
        }
        if (m.ReplyTo is { } reply)
        {
            head.Append("↩ reply to ");
            if (!string.IsNullOrEmpty(reply.Text)) head.Append('"').Append(Excerpt(OneLine(reply.Text), QuoteLength)).Append('"');
            else head.Append("message ").Append(reply.MessageId.ToString(CultureInfo.InvariantCulture));
            head.Append('\n');
        }

        var text = m.TextOrCaption;
        var body = new StringBuilder();
        switch (m.Kind)
        {
            case MessageKind.Edit:
                body.Append("edited: ");
                break;
            case MessageKind.Delete:
                body.Append("deleted");
                if (m.Media is not null || !string.IsNullOrEmpty(text)) body.Append(": ");
                break;
        }
        if (m.Media is { } media) body.Append('[').Append(Excerpt(OneLine(string.IsNullOrEmpty(media.Type) ? "media" : media.Type), 32)).Append(']');
        if (m.Media is not null && !string.IsNullOrEmpty(text)) body.Append(' ');

        var link = m.Kind != MessageKind.Delete && !string.IsNullOrEmpty(m.Chat.Username)
            ? string.Create(CultureInfo.InvariantCulture, $"\nhttps://t.me/{m.Chat.Username}/{m.MessageId}")
            : "";
        var room = MaxLength - head.Length - body.Length - link.Length;
        if (!string.IsNullOrEmpty(text)) body.Append(Excerpt(text, room));
        if (body.Length == 0) body.Append("(no text)");
        return head.Append(body).Append(link).ToString();
    }

    /// <summary>
    /// <paramref name="text"/> when it has at most <paramref name="max"/> UTF-16 code units, else its longest beginning of whole
    /// text elements (what people see as one character: an emoji with its modifiers, a letter with its accents) followed by
    /// <c>…</c>, within <paramref name="max"/>.
    /// </summary>
    public static string Excerpt(string text, int max)
    {
        if (text.Length <= max) return text;
        if (max < 1) return "";
        var end = 0;
        while (end < text.Length)
        {
            var next = StringInfo.GetNextTextElementLength(text, end);
            if (end + next > max - 1) break;
            end += next;
        }
        return string.Concat(text.AsSpan(0, end), "…");
    }

    private static void AppendChat(StringBuilder sb, ChatInfo chat)
    {
        var title = string.IsNullOrEmpty(chat.Title) ? null : Excerpt(OneLine(chat.Title), NameLength);
        var username = string.IsNullOrEmpty(chat.Username) ? null : Excerpt(chat.Username, NameLength);
        if (title is not null) sb.Append(title);
        if (username is not null) sb.Append(title is null ? "@" : " (@").Append(username).Append(title is null ? "" : ")");
        if (title is null && username is null) sb.Append("chat ").Append(chat.Id.ToString(CultureInfo.InvariantCulture));
    }

    private static void AppendSender(StringBuilder sb, SenderInfo sender)
    {
        var name = string.IsNullOrEmpty(sender.Name) ? null : Excerpt(OneLine(sender.Name), NameLength);
        var username = string.IsNullOrEmpty(sender.Username) ? null : Excerpt(sender.Username, NameLength);
        if (name is not null) sb.Append(name);
        if (username is not null) sb.Append(name is null ? "@" : " (@").Append(username).Append(name is null ? "" : ")");
        if (name is null && username is null) sb.Append("user ").Append(sender.Id.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>A name or a quote on one line: line ends become spaces.</summary>
    private static string OneLine(string s) => s.Contains('\n') || s.Contains('\r') ? s.ReplaceLineEndings(" ") : s;
}
