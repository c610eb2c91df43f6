using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;

namespace Tgwatch.Noise.Records;

/// <summary>
/// The parts of a complete record that rules read, decoded from its bytes on demand: the first line
/// (without colour codes), the exceptions it carries and its stack frames.
/// </summary>
internal sealed partial class RecordText
{
    private const int MaxScannedLines = 400;
    private RecordBuffer _record = null!;
    private char[] _head = new char[256];
    private int _headLength;
    private string? _headString;
    private List<ExceptionInfo>? _exceptions;
    private List<string>? _frames;

    /// <summary>The record these parts are read from.</summary>
    public RecordBuffer Record => _record;

    /// <summary>The first line: decoded, colour codes and line end removed.</summary>
    public ReadOnlySpan<char> Head => _head.AsSpan(0, _headLength);

    /// <summary>The first line as a string (made once per record, on first use).</summary>
    public string HeadString => _headString ??= Head.ToString();

    /// <summary>Points this instance at a new record and decodes its first line.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loop: skip the slow first tiers
    public void Reset(RecordBuffer record)
    {
        _record = record;
        _exceptions = null;
        _frames = null;
        _headString = null;
        var head = LineShape.Content(record.Line(0));
        if (_head.Length < head.Length) _head = new char[Math.Max(head.Length, _head.Length * 2)];
        _headLength = Encoding.UTF8.GetChars(head, _head);
        if (Head.Contains('\u001b')) _headLength = StripAnsi(_head.AsSpan(0, _headLength));
    }

    /// <summary>
    /// The exceptions of the record, outermost first: for a Python traceback the one that ended it
    /// (the last of a chain); for a .NET block every exception header (<c>Type: message</c> and
    /// <c>---&gt; Type: message</c> lines).
    /// </summary>
    public IReadOnlyList<ExceptionInfo> Exceptions => _exceptions ??= ReadExceptions();

    /// <summary>Stack frames: Python's <c>File "path"</c> paths and .NET's <c>at Method</c> texts.</summary>
    public IReadOnlyList<string> Frames => _frames ??= ReadFrames();

    private List<ExceptionInfo> ReadExceptions()
    {
        var found = new List<ExceptionInfo>();
        var lines = Math.Min(_record.LineCount, MaxScannedLines);
        if (_record.HasTraceback)
        {
            // The exception that ended each failure of a chain.
            ExceptionInfo? last = null;
            var inTraceback = false;
            for (var i = 0; i < lines; i++)
            {
                var raw = LineShape.Content(_record.Line(i));
                if (LineShape.IsTracebackHeader(raw)) { inTraceback = true; continue; }
                if (LineShape.IsChainPhrase(raw))
                {
                    // "raise X from Y": Y is how X came about, X decides. "During handling": a second failure,
                    // and each failure counts.
                    if (LineShape.IsDuringHandling(raw) && last is { } part) found.Add(part with { ChainStart = true });
                    last = null;
                    inTraceback = false;
                    continue;
                }
                if (!inTraceback || raw.IsEmpty || raw[0] is (byte)' ' or (byte)'\t') continue;
                var m = PythonExceptionLine().Match(LineText(i));
                if (m.Success) last = new ExceptionInfo(m.Groups["type"].Value, ParseCode(m.Groups["errno"]), Line: i, Column: m.Groups["type"].Index);
            }
            if (last is { } final) found.Add(final with { ChainStart = true });
            return found;
        }
        for (var i = 0; i < lines; i++)
        {
            var line = i == 0 ? HeadString : LineText(i);
            var m = DotNetExceptionLine().Match(line);
            if (!m.Success) continue;
            // A header in the middle of a record counts only where .NET puts one: after "--->", or right
            // before a stack frame or an inner exception (a chat message quoting one is not an exception).
            if (i > 0 && !m.Groups["inner"].Success && !(i + 1 < lines && IsFrameOrInner(LineText(i + 1)))) continue;
            found.Add(new ExceptionInfo(m.Groups["type"].Value, ParseCode(m.Groups["code"]), ChainStart: found.Count == 0 || m.Groups["aggregated"].Success,
                Line: i, Column: m.Groups["type"].Index));
        }
        return found;
    }

    /// <summary>
    /// The text of <paramref name="exception"/> as the record prints it, from its type to the end of its line
    /// (<c>ConnectionResetError: [Errno 104] Connection reset by peer</c>); null when it was not read from a line.
    /// </summary>
    public string? TextOf(ExceptionInfo exception) =>
        exception.Line >= 0 && exception.Line < _record.LineCount ? LineText(exception.Line)[exception.Column..] : null;

    private static bool IsFrameOrInner(string line)
    {
        var t = line.AsSpan().TrimStart();
        return t.StartsWith("at ") || t.StartsWith("---> ") || t.StartsWith("--- End of ");
    }

    private List<string> ReadFrames()
    {
        var frames = new List<string>();
        var lines = Math.Min(_record.LineCount, MaxScannedLines);
        for (var i = 1; i < lines; i++)
        {
            var m = FrameLine().Match(LineText(i));
            if (m.Success) frames.Add(m.Groups["file"].Success ? m.Groups["file"].Value : m.Groups["method"].Value);
        }
        return frames;
    }

    private string LineText(int index)
    {
        var text = Encoding.UTF8.GetString(LineShape.Content(_record.Line(index)));
        if (!text.Contains('\u001b')) return text;
        var chars = text.ToCharArray();
        return new string(chars, 0, StripAnsi(chars));
    }

    private static int? ParseCode(Group g) =>
        g.Success && int.TryParse(g.ValueSpan, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : null;

    /// <summary>Removes ANSI CSI sequences (<c>ESC [ params final</c>) in place; returns the new length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loop: skip the slow first tiers
    private static int StripAnsi(Span<char> text)
    {
        var write = 0;
        for (var read = 0; read < text.Length; read++)
        {
            if (text[read] == '\u001b' && read + 1 < text.Length && text[read + 1] == '[')
            {
                var end = read + 2;
                while (end < text.Length && text[end] is >= '0' and <= '?') end++; // parameter bytes
                if (end < text.Length && text[end] is >= '@' and <= '~')
                {
                    read = end;
                    continue;
                }
            }
            text[write++] = text[read];
        }
        return write;
    }

    // ConnectionResetError: [Errno 104] Connection reset by peer | asyncio.exceptions.TimeoutError | OSError: Connection lost
    [GeneratedRegex(@"^(?<type>[A-Za-z_][\w.]*)(?::\s*(?:\[Errno (?<errno>-?\d+)\])?.*)?$", RegexOptions.CultureInvariant)]
    private static partial Regex PythonExceptionLine();

    // System.Net.Sockets.SocketException (111): Connection refused | ---> System.IO.IOException: ... | Unhandled exception. X.YException: ...
    [GeneratedRegex(@"^\s*(?:(?<inner>---> (?<aggregated>\(Inner Exception #\d+\) )?)|Unhandled exception\. )?(?<type>(?:[A-Za-z_]\w*\.)+[A-Za-z_]\w*(?:Exception|Error))(?: \((?<code>-?\d+)\))?(?::|$)", RegexOptions.CultureInvariant)]
    private static partial Regex DotNetExceptionLine();

    // Python: '  File "/usr/lib/python3/asyncio/selector_events.py", line 1, in f'; .NET: '   at System.Net.Sockets.Socket.Connect(...)'
    [GeneratedRegex(@"^\s+(?:File ""(?<file>[^""]+)""|at (?<method>\S.*))", RegexOptions.CultureInvariant)]
    private static partial Regex FrameLine();
}
