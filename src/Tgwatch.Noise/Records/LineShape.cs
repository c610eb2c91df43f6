namespace Tgwatch.Noise.Records;

/// <summary>Cheap tests on the raw bytes of a line that decide how records are grouped.</summary>
internal static class LineShape
{
    private static ReadOnlySpan<byte> StackMarker => "--- End of stack trace from previous location ---"u8;
    private static ReadOnlySpan<byte> TracebackHeader => "Traceback (most recent call last):"u8;
    private static ReadOnlySpan<byte> DuringHandling => "During handling of the above exception, another exception occurred:"u8;
    private static ReadOnlySpan<byte> DirectCause => "The above exception was the direct cause of the following exception:"u8;

    /// <summary>The line without its <c>\n</c> or <c>\r\n</c>.</summary>
    public static ReadOnlySpan<byte> Content(ReadOnlySpan<byte> line)
    {
        if (line.Length > 0 && line[^1] == (byte)'\n') line = line[..^1];
        if (line.Length > 0 && line[^1] == (byte)'\r') line = line[..^1];
        return line;
    }

    /// <summary>.NET's <c>--- End of stack trace from previous location ---</c> (unindented in <c>Exception.ToString()</c>).</summary>
    public static bool IsStackMarker(ReadOnlySpan<byte> content) => content.SequenceEqual(StackMarker);

    /// <summary>Empty or only blanks.</summary>
    public static bool IsBlank(ReadOnlySpan<byte> content) => content.IndexOfAnyExcept((byte)' ', (byte)'\t') < 0;

    /// <summary>Starts with a space or a tab and has something else after it.</summary>
    public static bool IsIndented(ReadOnlySpan<byte> content) =>
        content.Length > 0 && (content[0] == (byte)' ' || content[0] == (byte)'\t') && !IsBlank(content);

    /// <summary>Python's <c>Traceback (most recent call last):</c>, possibly after an ANSI colour code.</summary>
    public static bool IsTracebackHeader(ReadOnlySpan<byte> content) => StripLeadingAnsi(content).SequenceEqual(TracebackHeader);

    /// <summary>Python's sentence before an exception raised while handling another (a second failure).</summary>
    public static bool IsDuringHandling(ReadOnlySpan<byte> content) => content.SequenceEqual(DuringHandling);

    /// <summary>The sentence Python prints between chained tracebacks.</summary>
    public static bool IsChainPhrase(ReadOnlySpan<byte> content) =>
        content.SequenceEqual(DuringHandling) || content.SequenceEqual(DirectCause);

    private static ReadOnlySpan<byte> StripLeadingAnsi(ReadOnlySpan<byte> s)
    {
        while (s.Length > 2 && s[0] == 0x1b && s[1] == (byte)'[')
        {
            var end = s[2..].IndexOfAnyInRange((byte)'@', (byte)'~');
            if (end < 0) break;
            s = s[(end + 3)..];
        }
        return s;
    }
}
