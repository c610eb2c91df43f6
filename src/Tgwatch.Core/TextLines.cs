namespace Tgwatch;

/// <summary>Helpers for text that goes into one-line messages.</summary>
public static class TextLines
{
    /// <summary>The text up to its first line break (all of it when it has none).</summary>
    public static string FirstLine(this string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var i = text.AsSpan().IndexOfAny('\r', '\n');
        return i < 0 ? text : text[..i];
    }
}
