using System.Runtime.CompilerServices;
namespace Tgwatch.Noise.Records;

/// <summary>
/// The bytes of one record being grouped: whole lines, each kept exactly as read (terminator included),
/// so a record that is not noise can be written out byte for byte.
/// </summary>
internal sealed class RecordBuffer
{
    private byte[] _bytes = new byte[4096];
    private int[] _lineEnds = new int[16];

    /// <summary>Number of bytes held.</summary>
    public int Length { get; private set; }

    /// <summary>Number of lines held.</summary>
    public int LineCount { get; private set; }

    /// <summary>True when a Python traceback header is among the lines.</summary>
    public bool HasTraceback { get; set; }

    /// <summary>Bytes of memory the buffer holds on to.</summary>
    public long Capacity => _bytes.Length + (_lineEnds.Length * sizeof(int));

    /// <summary>All bytes of the record.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes.AsSpan(0, Length);

    /// <summary>Line <paramref name="index"/>, with its terminator.</summary>
    public ReadOnlySpan<byte> Line(int index)
    {
        var start = index == 0 ? 0 : _lineEnds[index - 1];
        return _bytes.AsSpan(start, _lineEnds[index] - start);
    }

    /// <summary>Appends one line (with its terminator, if any).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loop: skip the slow first tiers
    public void Append(ReadOnlySpan<byte> line)
    {
        if (Length + line.Length > _bytes.Length)
            Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, Length + line.Length));
        if (LineCount == _lineEnds.Length) Array.Resize(ref _lineEnds, _lineEnds.Length * 2);
        line.CopyTo(_bytes.AsSpan(Length));
        Length += line.Length;
        _lineEnds[LineCount++] = Length;
    }

    /// <summary>Forgets every line; shrinks buffers that an unusually large record grew.</summary>
    public void Clear()
    {
        Length = 0;
        LineCount = 0;
        HasTraceback = false;
        if (_bytes.Length > 1 << 20) _bytes = new byte[4096];
        if (_lineEnds.Length > 4096) _lineEnds = new int[16];
    }
}
