using System.Text.RegularExpressions;

namespace Tgwatch.Secrets;

/// <summary>
/// Takes secrets out of text before it is logged or stored: Telegram bot tokens wherever they appear
/// (<c>123456789:AA…</c>, also inside <c>/bot&lt;token&gt;/</c> URLs), and every value registered with it
/// (a webhook secret, an api_hash, a phone number, a password). The process has one, <see cref="Default"/>: every log
/// line, error message and error stored with a dead letter goes through it, and whatever learns a secret (the settings
/// reader, a connector, the login) registers the secret with it.
/// </summary>
public sealed partial class SecretRedactor
{
    /// <summary>What a secret is replaced with.</summary>
    public const string Mask = "<redacted>";

    private readonly Lock _sync = new();
    private string[] _known = [];

    /// <summary>Only <see cref="Default"/> in the program (a second redactor would be one its log lines do not go through); tests make their own.</summary>
    internal SecretRedactor()
    {
    }

    /// <summary>
    /// The process's redactor: the one that masks its log lines, its error messages and its stored errors, so the one a
    /// secret is registered with. Values registered stay registered until the process ends.
    /// </summary>
    public static SecretRedactor Default { get; } = new();

    /// <summary>Registers a value to be masked wherever it appears (values shorter than 4 characters are ignored).</summary>
    public void Register(string? secret)
    {
        if (string.IsNullOrEmpty(secret) || secret.Length < 4) return;
        lock (_sync)
        {
            if (Array.IndexOf(_known, secret) >= 0) return;
            // Longest first, so a secret that contains another is masked whole.
            _known = [.. _known.Append(secret).OrderByDescending(s => s.Length)];
        }
    }

    /// <summary>The text with every secret masked (the same instance when there is none).</summary>
    public string Redact(string text)
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
