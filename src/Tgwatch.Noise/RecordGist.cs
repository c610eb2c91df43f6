using System.Text;

namespace Tgwatch.Noise;

/// <summary>
/// What a record of noise says, on one line, for the line that stands for the first record of a burst
/// (<see cref="FirstRecord.Line"/>).
/// </summary>
internal static class RecordGist
{
    /// <summary>The most characters of a gist; a longer one is cut and ends with <c>…</c>.</summary>
    public const int MaxLength = 200;

    /// <summary>
    /// <paramref name="text"/> on one line: colour codes removed, line ends, tabs and runs of blanks made one
    /// space, trimmed, and cut to <see cref="MaxLength"/> characters.
    /// </summary>
    public static string Of(ReadOnlySpan<char> text)
    {
        var gist = new StringBuilder(Math.Min(text.Length, MaxLength + 1));
        var blank = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\u001b' && i + 1 < text.Length && text[i + 1] == '[')
            {
                // ESC [ parameters final: a colour code.
                var end = i + 2;
                while (end < text.Length && text[end] is >= '0' and <= '?') end++;
                if (end < text.Length && text[end] is >= '@' and <= '~')
                {
                    i = end;
                    continue;
                }
            }
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                blank = gist.Length > 0;
                continue;
            }
            if (blank)
            {
                gist.Append(' ');
                blank = false;
            }
            gist.Append(c);
            if (gist.Length > MaxLength) break;
        }
        if (gist.Length <= MaxLength) return gist.ToString();
        var cut = MaxLength - 1;
        if (char.IsHighSurrogate(gist[cut - 1])) cut--;
        return gist.ToString(0, cut).TrimEnd() + "…";
    }

    /// <summary>
    /// The gist of an exception: the one that caused it (the innermost) as .NET writes its first line,
    /// <c>System.Net.Sockets.SocketException (111): Connection refused</c>.
    /// </summary>
    public static string Of(Exception exception)
    {
        var cause = exception.GetBaseException();
        var type = cause.GetType().FullName;
        var message = cause.Message.AsSpan();
        var end = message.IndexOfAny('\r', '\n');
        if (end >= 0) message = message[..end];
        return Of(cause is System.ComponentModel.Win32Exception native
            ? $"{type} ({native.NativeErrorCode.ToString(System.Globalization.CultureInfo.InvariantCulture)}): {message}"
            : $"{type}: {message}");
    }
}
