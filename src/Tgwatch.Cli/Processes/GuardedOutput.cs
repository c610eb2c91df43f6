namespace Tgwatch.Cli.Processes;

/// <summary>
/// Stdout for <c>tgwatch quiet</c>: the first write error (disk full, closed pipe) is kept and every
/// later write is dropped, so the input (a child's pipes) is still drained and the child's exit code
/// still reported; the error is told once, at the end.
/// </summary>
internal sealed class GuardedOutput(Stream inner) : Stream
{
    /// <summary>The first write error, if any.</summary>
    public IOException? Error { get; private set; }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (Error is not null) return;
        try { inner.Write(buffer); }
        catch (IOException e) { Error = e; }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Flush()
    {
        if (Error is not null) return;
        try { inner.Flush(); }
        catch (IOException e) { Error = e; }
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
