namespace Tgwatch.Faults;

/// <summary>Failures counted by their <see cref="FaultKind"/>: live, each read atomically (ARCHITECTURE §5); adding one allocates nothing.</summary>
public sealed class FaultCounts
{
    private readonly long[] _counts = new long[Enum.GetValues<FaultKind>().Length];

    /// <summary>Failures of <paramref name="kind"/> so far.</summary>
    public long this[FaultKind kind] => Interlocked.Read(ref _counts[(int)kind]);

    /// <summary>Failures of every kind so far.</summary>
    public long Total
    {
        get
        {
            long total = 0;
            for (var i = 0; i < _counts.Length; i++) total += Interlocked.Read(ref _counts[i]);
            return total;
        }
    }

    /// <summary>The kinds counted at least once, with their counts.</summary>
    public IEnumerable<(FaultKind Kind, long Count)> NonZero
    {
        get
        {
            foreach (var kind in Enum.GetValues<FaultKind>())
                if (this[kind] is > 0 and var count) yield return (kind, count);
        }
    }

    /// <summary>Counts one failure of <paramref name="kind"/>.</summary>
    public void Add(FaultKind kind) => Interlocked.Increment(ref _counts[(int)kind]);
}
