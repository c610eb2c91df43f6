using System.Globalization;
using System.Text;
using Tgwatch.Messages;

namespace Tgwatch.Sinks.Console;

/// <summary>
/// Formats a message as one readable line:
/// <c>HH:mm:ss  Chat title(@chat)  [✎ |✗ |↻ ]Sender: [↩ 41 "quote"] [[photo]] text excerpt</c>.
/// Every piece of text a message carries is made safe for a terminal: line ends become <c>⏎</c>, other control
/// characters their visible symbols, so no message can move the cursor or change colours.
/// </summary>
internal sealed class ConsoleLineFormatter(ConsoleSinkOptions options, bool color)
{
    private const string Reset = "\e[0m";
    private const string Dim = "\e[2m";
    private const string Bold = "\e[1m";
    private const string Cyan = "\e[36m";
    private const string Yellow = "\e[33m";
    private const string Red = "\e[31m";
    private const string Blue = "\e[34m";
    private const string Magenta = "\e[35m";
    private const string Green = "\e[32m";
    private const int NameLength = 64;

    /// <summary>Appends the line for <paramref name="m"/>, with its line end.</summary>
    public void Append(StringBuilder sb, TgMessage m)
    {
        Open(sb, Dim).Append(LocalTime(m.Kind == MessageKind.Edit && m.EditDate is { } edited ? edited : m.Date).ToString("HH:mm:ss", CultureInfo.InvariantCulture));
        Close(sb).Append("  ");

        Open(sb, Cyan);
        var chat = m.Chat;
        if (!string.IsNullOrEmpty(chat.Title)) AppendSafe(sb, chat.Title, NameLength);
        else if (string.IsNullOrEmpty(chat.Username)) sb.Append(chat.Id.ToString(CultureInfo.InvariantCulture));
        if (!string.IsNullOrEmpty(chat.Username))
        {
            sb.Append(string.IsNullOrEmpty(chat.Title) ? "@" : "(@");
            AppendSafe(sb, chat.Username, NameLength);
            if (!string.IsNullOrEmpty(chat.Title)) sb.Append(')');
        }
        Close(sb).Append("  ");

        if (m.IsUpdate) Open(sb, Blue).Append("↻ ");
        else if (m.Kind == MessageKind.Edit) Open(sb, Yellow).Append("✎ ");
        else if (m.Kind == MessageKind.Delete) Open(sb, Red).Append("✗ ");
        if (m.IsUpdate || m.Kind != MessageKind.New) Close(sb);

        if (m.Kind == MessageKind.Delete && m.Sender is null)
        {
            sb.Append("message ").Append(m.MessageId.ToString(CultureInfo.InvariantCulture)).Append(" deleted").Append('\n');
            return;
        }

        Open(sb, Bold);
        AppendSender(sb, m.Sender);
        Close(sb).Append(':');

        if (m.ReplyTo is { } reply)
        {
            sb.Append(' ');
            Open(sb, Magenta).Append("↩ ");
            if (reply.ChatId != chat.Id) sb.Append(reply.ChatId.ToString(CultureInfo.InvariantCulture)).Append('/');
            sb.Append(reply.MessageId.ToString(CultureInfo.InvariantCulture));
            if (options.QuoteLength > 0 && !string.IsNullOrEmpty(reply.Text))
            {
                sb.Append(" \"");
                AppendSafe(sb, reply.Text, options.QuoteLength);
                sb.Append('"');
            }
            Close(sb);
        }

        if (m.Media is { } media)
        {
            sb.Append(' ');
            Open(sb, Green).Append('[');
            AppendSafe(sb, string.IsNullOrEmpty(media.Type) ? "media" : media.Type, NameLength);
            Close(sb.Append(']'));
        }

        var text = m.TextOrCaption;
        if (!string.IsNullOrEmpty(text))
        {
            sb.Append(' ');
            AppendSafe(sb, text, options.ExcerptLength);
        }
        else if (m.Media is null && m.ReplyTo is null)
        {
            sb.Append(' ');
            Open(sb, Dim).Append("(no text)");
            Close(sb);
        }
        if (m.Kind == MessageKind.Delete) sb.Append(" (deleted ").Append(m.MessageId.ToString(CultureInfo.InvariantCulture)).Append(')');
        sb.Append('\n');
    }

    private DateTimeOffset LocalTime(DateTimeOffset date)
    {
        try
        {
            return TimeZoneInfo.ConvertTime(date, options.TimeZone);
        }
        catch (ArgumentOutOfRangeException)
        {
            return date; // a date at the edge of the calendar: shown as it is
        }
    }

    private static void AppendSender(StringBuilder sb, SenderInfo? sender)
    {
        if (sender is null) sb.Append('?');
        else if (!string.IsNullOrWhiteSpace(sender.Name)) AppendSafe(sb, sender.Name, NameLength);
        else if (!string.IsNullOrEmpty(sender.Username)) AppendSafe(sb.Append('@'), sender.Username, NameLength);
        else sb.Append('#').Append(sender.Id.ToString(CultureInfo.InvariantCulture));
    }

    private StringBuilder Open(StringBuilder sb, string style) => color ? sb.Append(style) : sb;

    private StringBuilder Close(StringBuilder sb) => color ? sb.Append(Reset) : sb;

    /// <summary>
    /// Appends at most <paramref name="max"/> characters of <paramref name="text"/> made safe for a terminal, then
    /// <c>…</c> when some were left out. Looks at no more of the text than it shows.
    /// </summary>
    internal static void AppendSafe(StringBuilder sb, string text, int max)
    {
        var shown = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (shown == max || (shown == max - 1 && char.IsHighSurrogate(text[i])))
            {
                sb.Append('…');
                return;
            }
            var c = text[i];
            switch (c)
            {
                case '\r':
                    if (i + 1 < text.Length && text[i + 1] == '\n') i++;
                    sb.Append('⏎');
                    break;
                case '\n' or '\u2028' or '\u2029' or '\u0085':
                    sb.Append('⏎');
                    break;
                case '\t':
                    sb.Append(' ');
                    break;
                case < ' ':
                    sb.Append((char)(0x2400 + c)); // ␀ … ␟, e.g. ␛ for ESC
                    break;
                case '\u007f':
                    sb.Append('␡');
                    break;
                case >= '\u0080' and <= '\u009f':
                case >= '\u202a' and <= '\u202e':
                case >= '\u2066' and <= '\u2069':
                    sb.Append('\ufffd'); // C1 controls and direction overrides
                    break;
                default:
                    if (char.IsSurrogate(c) && !(char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])))
                    {
                        sb.Append('\ufffd'); // a lone half of a pair
                        break;
                    }
                    sb.Append(c);
                    if (char.IsHighSurrogate(c)) sb.Append(text[++i]);
                    break;
            }
            shown++;
        }
    }
}
