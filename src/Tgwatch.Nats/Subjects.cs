using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Tgwatch.Messages;

namespace Tgwatch.Nats;

/// <summary>The subjects and message ids of records in JetStream, made in one place.</summary>
public static class Subjects
{
    /// <summary><c>PREFIX.&lt;account&gt;.&lt;chat_id&gt;</c>, the account's characters that a subject token cannot hold replaced by <c>_</c>.</summary>
    /// <param name="prefix">The subjects' first token(s), e.g. <c>tgwatch</c>.</param>
    /// <param name="message">The record.</param>
    public static string Of(string prefix, TgMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return string.Create(CultureInfo.InvariantCulture, $"{prefix}.{Token(message.Account)}.{message.Chat.Id}");
    }

    /// <summary>
    /// The <c>Nats-Msg-Id</c> of a record: its key (<see cref="TgMessage.Key"/>), or <c>sha256:</c> and the key's hash when the key
    /// has characters a header cannot carry (headers are ASCII).
    /// </summary>
    public static string MessageId(TgMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var key = message.Key;
        foreach (var c in key)
            if (c is < ' ' or > '~') return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
        return key;
    }

    /// <summary>A name as one subject token: no dot, wildcard or white space.</summary>
    private static string Token(string name)
    {
        if (name.Length == 0) return "_";
        var builder = new StringBuilder(name.Length);
        foreach (var c in name) builder.Append(c is '.' or '*' or '>' || char.IsWhiteSpace(c) || char.IsControl(c) ? '_' : c);
        return builder.ToString();
    }

    /// <summary>Whether <paramref name="name"/> can name a stream or a durable consumer.</summary>
    public static bool IsStreamName(string name) =>
        name.Length is > 0 and <= 255 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>Whether <paramref name="prefix"/> is tokens joined by dots, without wildcards.</summary>
    public static bool IsPrefix(string prefix) =>
        prefix.Length > 0 && prefix.Split('.').All(t => t.Length > 0 && t.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'));

    /// <summary>Whether <paramref name="filter"/> is a subject filter: tokens, <c>*</c> for one token, <c>&gt;</c> last for the rest.</summary>
    public static bool IsFilter(string filter)
    {
        var tokens = filter.Split('.');
        for (var i = 0; i < tokens.Length; i++)
        {
            var t = tokens[i];
            if (t == ">" && i == tokens.Length - 1) continue;
            if (t == "*") continue;
            if (t.Length == 0 || t.Any(c => c is '*' or '>' || char.IsWhiteSpace(c) || char.IsControl(c))) return false;
        }
        return true;
    }
}
