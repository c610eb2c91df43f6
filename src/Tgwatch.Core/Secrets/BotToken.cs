using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Tgwatch.Secrets;

/// <summary>Bot tokens as Telegram shapes them: the bot's numeric id, a colon, a secret of [A-Za-z0-9_-].</summary>
public static partial class BotToken
{
    private const string SecretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

    /// <summary>What a token looks like, in words, for a line that refuses one (without the value).</summary>
    public const string Expected = "expected the form 123456789:AA… as BotFather gives it";

    /// <summary>True when <paramref name="token"/> has a token's shape.</summary>
    public static bool IsWellFormed(string? token) => token is not null && Shape().IsMatch(token);

    /// <summary>A new random token: a 10-digit id and a 35-character secret starting with "AA", like Telegram's.</summary>
    public static string Generate()
    {
        var id = RandomNumberGenerator.GetInt32(1_000_000_000, int.MaxValue);
        return string.Create(CultureInfo.InvariantCulture, $"{id}:AA{RandomNumberGenerator.GetString(SecretAlphabet, 33)}");
    }

    /// <summary>The bot id of a well-formed token (the part before the colon).</summary>
    /// <exception cref="ArgumentException">Not a token's shape (the message does not repeat the value).</exception>
    public static long IdOf(string token) =>
        IsWellFormed(token) ? long.Parse(token.AsSpan(0, token.IndexOf(':', StringComparison.Ordinal)), CultureInfo.InvariantCulture)
        : throw new ArgumentException("not a bot token (expected digits, ':', then letters, digits, '_' or '-')", nameof(token));

    [GeneratedRegex(@"^[1-9][0-9]{0,15}:[A-Za-z0-9_-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();
}
