namespace Tgwatch.Formatting;

/// <summary>
/// Helpers for text that goes into one-line messages. Plain static methods rather than extensions on <see cref="string"/>,
/// so they do not show up on every string of a program that uses Tgwatch.
/// </summary>
public static class TextLines
{
    /// <summary>The text up to its first line break (all of it when it has none).</summary>
    public static string FirstLine(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var i = text.AsSpan().IndexOfAny('\r', '\n');
        return i < 0 ? text : text[..i];
    }

    /// <summary>Each line of the text with <paramref name="prefix"/> before it: a message of several problems, one a line, as a command says it.</summary>
    public static string EachLinePrefixed(string text, string prefix)
    {
        ArgumentNullException.ThrowIfNull(text);
        return string.Join(Environment.NewLine, text.Split('\n').Select(line => prefix + line.TrimEnd('\r')));
    }
}
