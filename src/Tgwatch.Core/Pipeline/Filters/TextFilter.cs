using System.Text.RegularExpressions;
using Tgwatch.Formatting;
using Tgwatch.Messages;

namespace Tgwatch.Pipeline.Filters;

/// <summary>Keeps messages whose text (or caption) matches a regular expression.</summary>
public sealed class TextFilter : IMessageFilter
{
    /// <summary>Longest a match may take; a pattern that backtracks without end does not match.</summary>
    public static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(100);

    private readonly Regex _pattern;

    /// <summary>A filter for <paramref name="pattern"/> (.NET syntax, case-insensitive unless the pattern says otherwise).</summary>
    /// <exception cref="ArgumentException">Not a valid pattern (one-line message).</exception>
    public TextFilter(string pattern)
    {
        try { _pattern = new Regex(pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, MatchTimeout); }
        catch (ArgumentException e) { throw new ArgumentException($"text pattern \"{pattern}\" is not valid: {TextLines.FirstLine(e.Message)}", e); }
    }

    /// <inheritdoc />
    public bool Accepts(TgMessage message)
    {
        if (message.TextOrCaption is not { } text) return false;
        try { return _pattern.IsMatch(text); }
        catch (RegexMatchTimeoutException) { return false; }
    }
}
