using System.Text.RegularExpressions;

namespace Tgwatch.Secrets;

/// <summary>
/// Takes secrets out of text before it is logged or stored: Telegram bot tokens wherever they appear
/// (<c>123456789:AA…</c>, also inside <c>/bot&lt;token&gt;/</c> URLs), and every value registered at run time
/// (a webhook secret, an api_hash, a phone number, a password). Used on every log line and on the errors
/// stored with dead letters.
/// </summary>
public static partial class SecretRedactor
{
    /// <summary>What a secret is replaced with.</summary>
    public const string Mask = "<redacted>";

    private static readonly Lock Sync = new();
    private static string[] _known = [];

    /// <summary>Registers a value to be masked wherever it appears (values shorter than 4 characters are ignored).</summary>
    public static void Register(string? secret)
    {
        if (string.IsNullOrEmpty(secret) || secret.Length < 4) return;
        lock (Sync)
        {
            if (Array.IndexOf(_known, secret) >= 0) return;
            // Longest first, so a secret that contains another is masked whole.
            _known = [.. _known.Append(secret).OrderByDescending(s => s.Length)];
        }
    }

    /// <summary>The text with every secret masked (the same instance when there is none).</summary>
    public static string Redact(string text)
    {
        if (string.IsNullOrEmpty(text)) return text;
        var result = text;
        foreach (var secret in Volatile.Read(ref _known))
            if (result.Contains(secret, StringComparison.Ordinal)) result = result.Replace(secret, Mask, StringComparison.Ordinal);
        // Cheap test first: a token has a colon followed by its 35-character secret part.
        if (result.Contains(':') && BotToken().IsMatch(result)) result = BotToken().Replace(result, "${prefix}" + Mask);
        return result;
    }

    // A bot token: the bot's numeric id, a colon, 35 characters of [A-Za-z0-9_-] (Bot API documentation); masked by its shape
    // whatever the lengths (ids grow; a token pasted twice without a space is still a secret), even when nobody registered it.
    [GeneratedRegex(@"(?:(?<prefix>\bbot)|(?<!\w))\d{5,}:[A-Za-z0-9_-]{30,}(?![\w-])", RegexOptions.CultureInvariant)]
    private static partial Regex BotToken();
}
