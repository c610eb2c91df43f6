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
    private const int Hashes = 7; // for a 1 % false-positive rate at capacity
    private readonly ulong[] _bits;
    private readonly ulong _size;

    /// <summary>A filter sized for <paramref name="capacity"/> keys at about 1 % false positives (≈ 1.2 MB per million keys).</summary>
    public KeyFilter(long capacity)
    {
        var bits = (ulong)Math.Max(1024, capacity * 10); // 9.6 bits a key gives 1 %
        _bits = new ulong[(bits + 63) / 64];
        _size = (ulong)_bits.Length * 64;
        Capacity = capacity;
    }

    /// <summary>Keys it is sized for.</summary>
    public long Capacity { get; }

    /// <summary>Keys added.</summary>
    public long Count => Interlocked.Read(ref _count);

    private long _count;

    public void Add(string key)
    {
        var (h1, h2) = Hash(key);
        for (var i = 0; i < Hashes; i++)
        {
            var bit = (h1 + (ulong)i * h2) % _size;
            var word = (int)(bit >> 6);
            var mask = 1UL << (int)(bit & 63);
            ulong old;
            do old = Volatile.Read(ref _bits[word]);
            while ((old & mask) == 0 && Interlocked.CompareExchange(ref _bits[word], old | mask, old) != old);
        }
        Interlocked.Increment(ref _count);
    }

    /// <summary>False when the key was certainly never added.</summary>
    public bool MayContain(string key)
    {
        var (h1, h2) = Hash(key);
        for (var i = 0; i < Hashes; i++)
        {
            var bit = (h1 + (ulong)i * h2) % _size;
            if ((Volatile.Read(ref _bits[(int)(bit >> 6)]) & (1UL << (int)(bit & 63))) == 0) return false;
        }
        return true;
    }

    /// <summary>Two 64-bit FNV-1a hashes of the key's characters (different offsets), for double hashing.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (ulong, ulong) Hash(string key)
    {
        ulong a = 14695981039346656037UL, b = 0x9E3779B97F4A7C15UL;
        foreach (var c in key)
        {
            a = (a ^ c) * 1099511628211UL;
            b = (b ^ c) * 0x100000001B3UL ^ (b >> 29);
        }
        return (a, b | 1);
    }
}
