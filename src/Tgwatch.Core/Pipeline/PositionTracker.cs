using Tgwatch.Connectors;

namespace Tgwatch.Pipeline;

/// <summary>
/// The low watermark of each stream: deliveries start and complete in any order, and a stream's
/// checkpoint may only move to a position when every delivery at or before it has completed
/// (committing past an unfinished delivery is how messages get lost). Thread-safe.
/// </summary>
public sealed class PositionTracker
{
    private readonly Lock _sync = new();
    private readonly Dictionary<string, Stream> _streams = new(StringComparer.Ordinal);

    /// <summary>A delivery at <paramref name="position"/> has started.</summary>
    public void Start(Checkpoint position)
    {
        lock (_sync)
        {
            var s = StreamOf(position.Stream);
            var count = s.InFlight.GetValueOrDefault(position.Position);
            s.InFlight[position.Position] = count + 1;
            if (count == 0) s.Order.Add(position.Position);
        }
    }

    /// <summary>A started delivery will not be processed in this run (a stop cut it short): it leaves without being done, so the watermark never passes it.</summary>
    public void Forget(Checkpoint position)
    {
        lock (_sync)
        {
            var s = StreamOf(position.Stream);
            if (!s.InFlight.TryGetValue(position.Position, out var count)) return;
            s.Leave(position.Position, count);
            // Nothing at or after it may be committed any more in this run.
            s.Blocked = s.Blocked is { } b ? Math.Min(b, position.Position) : position.Position;
        }
    }

    /// <summary>A delivery has completed; returns the stream's new watermark if it moved, else null.</summary>
    public Checkpoint? Complete(Checkpoint position)
    {
        lock (_sync)
        {
            var s = StreamOf(position.Stream);
            if (!s.InFlight.TryGetValue(position.Position, out var count))
                throw new InvalidOperationException($"position {position.Position} of stream {position.Stream} completed without being started");
            s.Leave(position.Position, count);
            s.Done.Add(position.Position);
            var moved = false;
            // Everything done below the lowest unfinished delivery is safe to commit.
            while (s.Done.Count > 0 && (s.Order.Count == 0 || s.Done.Min < s.Order.Min) && !(s.Done.Min >= s.Blocked))
            {
                var min = s.Done.Min;
                s.Done.Remove(min);
                if (min > s.Watermark || !s.HasWatermark)
                {
                    s.Watermark = min;
                    s.HasWatermark = true;
                    moved = true;
                }
            }
            return moved ? new Checkpoint(position.Stream, s.Watermark) : null;
        }
    }

    /// <summary>Deliveries started and not completed, over all streams.</summary>
    public int InFlight
    {
        get
        {
            lock (_sync) return _streams.Values.Sum(s => s.InFlight.Values.Sum());
        }
    }

    private Stream StreamOf(string name)
    {
        if (!_streams.TryGetValue(name, out var s)) _streams[name] = s = new Stream();
        return s;
    }

    private sealed class Stream
    {
        public readonly Dictionary<long, int> InFlight = [];
        public readonly SortedSet<long> Order = [];
        public readonly SortedSet<long> Done = [];
        public long Watermark;
        public bool HasWatermark;
        public long? Blocked;

        public void Leave(long position, int count)
        {
            if (count > 1)
            {
                InFlight[position] = count - 1;
                return;
            }
            InFlight.Remove(position);
            Order.Remove(position);
        }
    }
}
