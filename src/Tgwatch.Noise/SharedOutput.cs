using System.Text;

namespace Tgwatch.Noise;

/// <summary>
/// One output shared by several text streams and the gate's summaries, never splitting a line: while
/// one writer is in the middle of a line (a prompt passed on before its line end), what the others
/// write waits, in order, until that line ends. Not thread-safe: callers serialise (see <see cref="NoisePump"/>).
/// </summary>
/// <remarks>
/// What waits is bounded by <see cref="MaxWaiting"/> bytes; past that it is written anyway. When the
/// writer of an open line ends without finishing it, a line end is added before anything else follows.
/// </remarks>
internal sealed class SharedOutput(Stream output)
{
    private readonly Stream _output = output;
    /// <summary>The most bytes held back behind an open line.</summary>
    public const int MaxWaiting = 1 << 20;

    private const int Own = -1;
    private readonly Queue<(int Writer, byte[] Bytes)> _waiting = new();
    private int _waitingBytes;
    private int _openBy = Own; // the writer whose line is open; Own (also used for "nobody") when none
    private bool _open;
    private bool _endOpenLine;

    /// <summary>A stream for writer <paramref name="index"/> (0, 1, ...).</summary>
    public Stream WriterFor(int index) => new Writer(this, index);

    /// <summary>Writes one line of Tgwatch's own, on a line of its own.</summary>
    public void WriteOwnLine(string line)
    {
        Write(Own, Encoding.UTF8.GetBytes(line + "\n"));
    }

    /// <summary>Writer <paramref name="index"/> has no more input: an open line of its own is ended if anything follows.</summary>
    public void EndOf(int index)
    {
        if (_open && _openBy == index)
        {
            _open = false;
            _endOpenLine = true;
            Drain();
        }
    }

    /// <summary>Writes everything still waiting (end of all input).</summary>
    public void Flush()
    {
        if (_waiting.Count > 0 && _open)
        {
            _open = false;
            _endOpenLine = true;
        }
        Drain();
        _output.Flush();
    }

    private void Write(int writer, ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty) return;
        if (_open && _openBy != writer && _waitingBytes + bytes.Length <= MaxWaiting)
        {
            _waiting.Enqueue((writer, bytes.ToArray()));
            _waitingBytes += bytes.Length;
            return;
        }
        // Lines this writer completes let what waits go first; the rest of its chunk comes after.
        var lastEnd = _waiting.Count > 0 ? bytes.LastIndexOf((byte)'\n') : -1;
        if (lastEnd >= 0 && lastEnd < bytes.Length - 1)
        {
            Put(writer, bytes[..(lastEnd + 1)]);
            Drain();
            Write(writer, bytes[(lastEnd + 1)..]);
            return;
        }
        Put(writer, bytes);
        Drain();
    }

    private void Put(int writer, ReadOnlySpan<byte> bytes)
    {
        if (_endOpenLine)
        {
            _output.Write("\n"u8);
            _endOpenLine = false;
        }
        _output.Write(bytes);
        _open = bytes[^1] != (byte)'\n';
        _openBy = writer;
    }

    private void Drain()
    {
        while (_waiting.Count > 0 && (!_open || _openBy == _waiting.Peek().Writer))
        {
            var (writer, bytes) = _waiting.Dequeue();
            _waitingBytes -= bytes.Length;
            Put(writer, bytes);
        }
    }

    private sealed class Writer(SharedOutput shared, int index) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Write(ReadOnlySpan<byte> buffer) => shared.Write(index, buffer);
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
        public override void Flush() => shared._output.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
