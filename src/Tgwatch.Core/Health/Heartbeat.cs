using System.Collections.Concurrent;

namespace Tgwatch.Health;

/// <summary>
/// Whether the process's loops make progress. A loop calls <see cref="Beat"/> whenever it takes up work (each batch, each
/// retry), and <see cref="Idle"/> before it waits for input: a loop that waits for work is not stuck, however long it waits;
/// one that has been busy without a beat for longer than the bound is (<see cref="Stuck"/>). A beat is a clock read and a
/// store to the loop's own slot: no lock, no allocation after the loop's first beat.
/// </summary>
public sealed class Heartbeat
{
    private readonly ConcurrentDictionary<string, Slot> _loops = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    /// <summary>A heartbeat on <paramref name="time"/> (the system clock when null).</summary>
    public Heartbeat(TimeProvider? time = null) => _time = time ?? TimeProvider.System;

    /// <summary><paramref name="loop"/> made progress, and is busy from now on.</summary>
    public void Beat(string loop) => SlotOf(loop).Set(_time.GetTimestamp());

    /// <summary><paramref name="loop"/> waits for input (or has ended): it is not stuck until its next <see cref="Beat"/> and past the bound.</summary>
    public void Idle(string loop) => SlotOf(loop).Set(Slot.IdleMark);

    /// <summary>The loops busy without a beat for longer than <paramref name="bound"/>, by name; empty when every loop makes progress.</summary>
    public IReadOnlyList<string> Stuck(TimeSpan bound)
    {
        List<string>? stuck = null;
        foreach (var (name, slot) in _loops)
        {
            var last = slot.Get();
            if (last != Slot.IdleMark && _time.GetElapsedTime(last) > bound) (stuck ??= []).Add(name);
        }
        if (stuck is null) return [];
        stuck.Sort(StringComparer.Ordinal);
        return stuck;
    }

    private Slot SlotOf(string loop) => _loops.TryGetValue(loop, out var slot) ? slot : _loops.GetOrAdd(loop, static _ => new Slot());

    private sealed class Slot
    {
        public const long IdleMark = long.MinValue;
        private long _timestamp = IdleMark;

        public void Set(long timestamp) => Interlocked.Exchange(ref _timestamp, timestamp);

        public long Get() => Interlocked.Read(ref _timestamp);
    }
}
