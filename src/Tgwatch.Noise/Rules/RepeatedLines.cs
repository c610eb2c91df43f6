namespace Tgwatch.Noise.Rules;

/// <summary>
/// The rules that took single-line records seen lately, by the lines' exact bytes. Noise repeats itself
/// word for word (asyncio's <c>socket.send() raised exception.</c>, a logger configured without
/// timestamps), and a line seen before is then neither decoded nor matched again. Only lines a rule took
/// are kept: a log's own lines rarely repeat and would push the noise out. One slot a hash, the newest
/// line wins it; a line is compared byte for byte, so a collision costs a match, never a wrong answer.
/// </summary>
internal sealed class RepeatedLines
{
    private const int Slots = 256; // a power of two
    private const int MaxLength = 1024;
    private readonly byte[]?[] _lines = new byte[Slots][];
    private readonly int[] _rules = new int[Slots];

    /// <summary>The most this memory holds on to, in bytes of lines.</summary>
    public const long MaxRetainedBytes = (long)Slots * MaxLength;

    /// <summary>Bytes of lines held.</summary>
    public long RetainedBytes { get; private set; }

    /// <summary>The rule that took <paramref name="content"/> when it was last seen, or -1.</summary>
    public int Find(ReadOnlySpan<byte> content)
    {
        if (content.Length > MaxLength) return -1;
        var slot = Slot(content);
        return _lines[slot] is { } line && content.SequenceEqual(line) ? _rules[slot] : -1;
    }

    /// <summary>Remembers that rule <paramref name="rule"/> took <paramref name="content"/>.</summary>
    public void Remember(ReadOnlySpan<byte> content, int rule)
    {
        if (content.Length > MaxLength) return;
        var slot = Slot(content);
        var line = _lines[slot];
        if (line is null || line.Length != content.Length)
        {
            RetainedBytes += content.Length - (line?.Length ?? 0);
            _lines[slot] = line = new byte[content.Length];
        }
        content.CopyTo(line);
        _rules[slot] = rule;
    }

    private static int Slot(ReadOnlySpan<byte> content)
    {
        var hash = new HashCode();
        hash.AddBytes(content);
        return hash.ToHashCode() & (Slots - 1);
    }
}
