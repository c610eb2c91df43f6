namespace Tgwatch.Cli.Processes;

/// <summary>
/// Stdout for <c>tgwatch quiet</c>: the first write error (disk full, closed pipe) is kept and every
/// later write is dropped, so the input (a child's pipes) is still drained and the child's exit code
/// still reported; the error is told once, at the end.
/// </summary>
internal sealed class GuardedOutput(Stream inner) : WriteOnlyStream
{
    /// <summary>The first write error, if any.</summary>
    public IOException? Error { get; private set; }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (Error is not null) return;
        try { inner.Write(buffer); }
        catch (IOException e) { Error = e; }
    }

    public override void Flush()
    {
        if (Error is not null) return;
        try { inner.Flush(); }
        catch (IOException e) { Error = e; }
    }
}
