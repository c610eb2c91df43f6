using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;

namespace Tgwatch.Noise.Records;

/// <summary>
/// Groups the lines of a text stream into records: a Python traceback with its chained parts (and the
/// log message before it, when a rule pack declares that message as a traceback preamble), a .NET exception with its inner exceptions and frames, a logger line with
/// its indented continuation lines. A record is complete when a line arrives that does not continue
/// it, or when <see cref="Flush"/> is called (idle time-out, end of input).
/// </summary>
internal sealed class RecordGrouper
{
    private enum State { Empty, Open, StackMarker, StackBlank, TracebackBody, TracebackEnded, ChainBlank, ChainPhrase }

    private readonly RecordBuffer _record = new();
    private readonly byte[][] _continuationPrefixes;
    private readonly Regex[] _preambles;
    private readonly int _maxLines;
    private readonly int _maxBytes;
    private readonly Action<RecordBuffer> _onRecord;
    private State _state;

    /// <param name="continuationPrefixes">Line starts that continue the record before them.</param>
    /// <param name="preambles">First lines of log messages whose traceback follows them (they join it).</param>
    /// <param name="maxLines">A record is closed when it reaches this many lines.</param>
    /// <param name="maxBytes">A record is closed before it would exceed this many bytes.</param>
    /// <param name="onRecord">Receives each complete record; the buffer is reused after the call.</param>
    public RecordGrouper(IEnumerable<string> continuationPrefixes, IEnumerable<Regex> preambles, int maxLines, int maxBytes, Action<RecordBuffer> onRecord)
    {
        _continuationPrefixes = continuationPrefixes.Select(Encoding.UTF8.GetBytes).ToArray();
        _preambles = preambles.ToArray();
        _maxLines = maxLines;
        _maxBytes = maxBytes;
        _onRecord = onRecord;
    }

    /// <summary>True when lines are held waiting for the rest of their record.</summary>
    public bool HasPending => _state != State.Empty;

    /// <summary>Bytes of memory held for the record being grouped.</summary>
    public long RetainedBytes => _record.Capacity;

    /// <summary>Takes one line, terminator included.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loop: skip the slow first tiers
    public void Add(ReadOnlySpan<byte> line)
    {
        var content = LineShape.Content(line);
        if (_state != State.Empty && (_record.LineCount >= _maxLines || _record.Length + line.Length > _maxBytes))
            Flush();
        _state = _state switch
        {
            State.Empty => Start(line, content),
            State.Open when LineShape.IsTracebackHeader(content) && IsPreamble() => AppendTraceback(line),
            State.Open or State.StackMarker or State.StackBlank when LineShape.IsIndented(content) || IsContinuation(content) => Append(line, State.Open),
            // A logger indents every line of a multi-line message, empty ones included ("      ").
            State.Open when content.Length > 0 && LineShape.IsBlank(content) => Append(line, State.Open),
            // Exception.ToString() writes this marker unindented, and .NET 10 may follow it with an empty line.
            State.Open or State.StackMarker or State.StackBlank when LineShape.IsStackMarker(content) => Append(line, State.StackMarker),
            State.StackMarker when LineShape.IsBlank(content) => Append(line, State.StackBlank),
            State.TracebackBody when LineShape.IsIndented(content) => Append(line, State.TracebackBody),
            State.TracebackBody when !LineShape.IsBlank(content) => Append(line, State.TracebackEnded),
            State.TracebackEnded when LineShape.IsBlank(content) => Append(line, State.ChainBlank),
            State.ChainBlank when LineShape.IsChainPhrase(content) => Append(line, State.ChainPhrase),
            State.ChainPhrase when LineShape.IsBlank(content) => Append(line, State.ChainPhrase),
            State.ChainPhrase when LineShape.IsTracebackHeader(content) => AppendTraceback(line),
            _ => Restart(line, content),
        };
    }

    /// <summary>Completes the record held so far, if any.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loop: skip the slow first tiers
    public void Flush()
    {
        if (_state == State.Empty) return;
        _state = State.Empty;
        try { _onRecord(_record); }
        finally { _record.Clear(); }
    }

    private State Restart(ReadOnlySpan<byte> line, ReadOnlySpan<byte> content)
    {
        Flush();
        return Start(line, content);
    }

    private State Start(ReadOnlySpan<byte> line, ReadOnlySpan<byte> content) =>
        LineShape.IsTracebackHeader(content) ? AppendTraceback(line) : Append(line, State.Open);

    private State AppendTraceback(ReadOnlySpan<byte> line)
    {
        _record.HasTraceback = true;
        return Append(line, State.TracebackBody);
    }

    private State Append(ReadOnlySpan<byte> line, State next)
    {
        _record.Append(line);
        return next;
    }

    /// <summary>
    /// Whether the open record is the message of the traceback that starts now. Only declared
    /// messages qualify: an unrelated line before a traceback must not be hidden with it.
    /// </summary>
    private bool IsPreamble()
    {
        var content = LineShape.Content(_record.Line(0));
        if (_preambles.Length == 0 || content.Length > Rules.RecordClassifier.MaxHeadLength) return false;
        var head = Encoding.UTF8.GetString(content);
        foreach (var p in _preambles)
        {
            try
            {
                if (p.IsMatch(head)) return true;
            }
            catch (RegexMatchTimeoutException)
            {
                // A user's pattern that backtracks without end: not a preamble.
            }
        }
        return false;
    }

    private bool IsContinuation(ReadOnlySpan<byte> content)
    {
        foreach (var prefix in _continuationPrefixes)
            if (content.StartsWith(prefix)) return true;
        return false;
    }
}
