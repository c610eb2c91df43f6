using System.Text.RegularExpressions;
using Tgwatch.Formatting;
using Tgwatch.Messages;

namespace Tgwatch.Pipeline.Filters;

/// <summary>Keeps messages whose text (or caption) matches a regular expression.</summary>
public sealed class TextFilter : IMessageFilter
{
    /// <summary>
    /// Longest a match may take with a pattern that needs backtracking (lookarounds, backreferences, atomic groups); a match
    /// that runs out of time throws, and the filter's caller keeps the message (<see cref="MessageFilters.KeepAll"/>).
    /// </summary>
    public static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(100);

    private readonly Regex _pattern;

    /// <summary>A filter for <paramref name="pattern"/> (.NET syntax, case-insensitive unless the pattern says otherwise).</summary>
    /// <exception cref="ArgumentException">Not a valid pattern (one-line message).</exception>
    public TextFilter(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        const RegexOptions Options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;
        try
        {
            try
            {
                // Linear in the text's length whatever the pattern: no message can make a match take long.
                _pattern = new Regex(pattern, Options | RegexOptions.NonBacktracking);
            }
            catch (NotSupportedException)
            {
                _pattern = new Regex(pattern, Options, MatchTimeout);
            }
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"text pattern \"{pattern}\" is not valid: {TextLines.FirstLine(e.Message)}", e);
        }
    }

    /// <inheritdoc />
    /// <exception cref="RegexMatchTimeoutException">A pattern that needs backtracking ran out of time on this text.</exception>
    public bool Accepts(TgMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return message.TextOrCaption is { } text && _pattern.IsMatch(text);
    }
}
