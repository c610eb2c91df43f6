using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Runtime.CompilerServices;

namespace Tgwatch.Sqlite.State;

/// <summary>
/// A Bloom filter of the processed keys this process knows of (loaded when the store opens, added to on
/// every commit): a key it has never seen is certainly new, and its look-up in SQLite is skipped. A key it
/// may have seen is looked up as before, so an answer of the store is never wrong; pruned keys only make
/// more look-ups. It holds for one process writing the store (keys another process commits meanwhile are
/// not in it; the sinks stay idempotent on them, only handlers would run again). Thread-safe.
/// </summary>
internal sealed class KeyFilter
{
    private const int Hashes = 7; // for about 1 % false positives at capacity
    private const int WordsPerBlock = 8; // a block of 512 bits, one cache line: a key's bits are all in one
    private readonly ulong[] _bits;
    private readonly ulong _blocks;

    /// <summary>A filter sized for <paramref name="capacity"/> keys at about 1 % false positives (≈ 1.2 MB per million keys).</summary>
    public KeyFilter(long capacity)
    {
        var bits = (ulong)Math.Max(1024, capacity * 10); // about 10 bits a key
        _blocks = (bits + 511) / 512;
        _bits = new ulong[_blocks * WordsPerBlock];
        Capacity = capacity;
    }

    /// <summary>Keys it is sized for.</summary>
    public long Capacity { get; }

    /// <summary>Keys added.</summary>
    public long Count => Interlocked.Read(ref _count);

    private long _count;

    public void Add(string key)
    {
        var (block, bits) = Locate(key);
        for (var i = 0; i < Hashes; i++, bits >>= 9)
        {
            var word = block + (int)((bits >> 6) & 7);
            var mask = 1UL << (int)(bits & 63);
            ulong old;
            do old = Volatile.Read(ref _bits[word]);
            while ((old & mask) == 0 && Interlocked.CompareExchange(ref _bits[word], old | mask, old) != old);
        }
        Interlocked.Increment(ref _count);
    }

    /// <summary>False when the key was certainly never added.</summary>
    public bool MayContain(string key)
    {
        var (block, bits) = Locate(key);
        for (var i = 0; i < Hashes; i++, bits >>= 9)
            if ((Volatile.Read(ref _bits[block + (int)((bits >> 6) & 7)]) & (1UL << (int)(bits & 63))) == 0) return false;
        return true;
    }

    /// <summary>
    /// The key's block (its first word) and its bits in it, from a 128-bit XXH3 hash of its characters: the high half
    /// chooses the block (by multiplying, not dividing), the low half gives 7 positions of 9 bits each.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private (int Block, ulong Bits) Locate(string key)
    {
        var hash = XxHash128.HashToUInt128(MemoryMarshal.AsBytes(key.AsSpan()));
        var block = (int)Math.BigMul((ulong)(hash >> 64), _blocks, out _);
        return (block * WordsPerBlock, (ulong)hash);
    }
}
