namespace Tgwatch.Noise;

/// <summary>
/// A write-only pass-through stream that remembers whether the last byte written ended a line, so
/// that a line of Tgwatch's own is never glued to the end of a foreign partial line.
/// </summary>
internal sealed class LineEndTrackingStream(Stream inner) : Stream
{
    /// <summary>True when nothing was written yet or the last byte was a line feed.</summary>
    public bool AtLineStart { get; private set; } = true;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (buffer.IsEmpty) return;
        inner.Write(buffer);
        AtLineStart = buffer[^1] == (byte)'\n';
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
    public override void Flush() => inner.Flush();
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
