using Tgwatch.Connectors;

namespace Tgwatch.Pipeline;

/// <summary>
/// The low watermark of each stream: deliveries start and complete in any order, and a stream's
/// checkpoint may only move to a position when every delivery at or before it has completed
/// (committing past an unfinished delivery is how messages get lost). Thread-safe.
/// </summary>
/// <remarks>
/// A stream's deliveries start in the order of their positions (a connector reads them so): they are kept in that order in a
/// ring of (position, deliveries not done), and the watermark moves past the done ones at its head, with no allocation per
/// delivery. A stream that starts a position below one it started before (a redelivery) is kept in sorted sets from then on.
/// </remarks>
public sealed class PositionTracker
{
    private readonly Lock _sync = new();
    private readonly Dictionary<string, Stream> _streams = new(StringComparer.Ordinal);
    private int _inFlight;

    /// <summary>A delivery at <paramref name="position"/> has started.</summary>
    public void Start(Checkpoint position)
    {
        lock (_sync)
        {
            StreamOf(position.Stream).Start(position.Position);
            _inFlight++;
        }
    }

    /// <summary>A started delivery will not be processed in this run (a stop cut it short): it leaves without being done, so the watermark never passes it.</summary>
    public void Forget(Checkpoint position)
    {
        lock (_sync)
        {
            var s = StreamOf(position.Stream);
            if (!s.Leave(position.Position, done: false)) return;
            _inFlight--;
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
            if (!s.Leave(position.Position, done: true))
                throw new InvalidOperationException($"position {position.Position} of stream {position.Stream} completed without being started");
            _inFlight--;
            return s.Advance() ? new Checkpoint(position.Stream, s.Watermark) : null;
        }
    }

    /// <summary>Deliveries started and not completed, over all streams.</summary>
    public int InFlight
    {
        get
        {
            lock (_sync) return _inFlight;
        }
    }

    private Stream StreamOf(string name)
    {
        if (!_streams.TryGetValue(name, out var s)) _streams[name] = s = new Stream();
        return s;
    }

    private sealed class Stream
    {
        // In order: positions started in ascending order, each with its deliveries not done yet (0: done, or forgotten); its
        // length a power of two.
        private (long Position, int Left)[] _ring = new (long, int)[64];
        private int _head;
        private int _count;
        // Out of order (null until a position is started below the last one): what the ring held, and what came after.
        private Dictionary<long, int>? _inFlight;
        private SortedSet<long>? _order;
        private SortedSet<long>? _done;
        public long Watermark;
        public bool HasWatermark;
        public long? Blocked;

        public void Start(long position)
        {
            if (_inFlight is null)
            {
                if (_count == 0 || Last.Position < position)
                {
                    if (_count == _ring.Length) Grow();
                    _ring[(_head + _count++) & (_ring.Length - 1)] = (position, 1);
                    return;
                }
                if (Last.Position == position && Last.Left > 0)
                {
                    Last.Left++;
                    return;
                }
                Unordered();
            }
            var count = _inFlight!.GetValueOrDefault(position);
            _inFlight![position] = count + 1;
            if (count == 0) _order!.Add(position);
        }

        /// <summary>One delivery at <paramref name="position"/> leaves (done, or forgotten); false when none was in flight there.</summary>
        public bool Leave(long position, bool done)
        {
            if (_inFlight is null)
            {
                var i = Find(position);
                if (i < 0) return false;
                ref var entry = ref _ring[(_head + i) & (_ring.Length - 1)];
                entry.Left--;
                // A forgotten delivery is never done: the watermark stops before it (Blocked), so it stays in the ring.
                return true;
            }
            if (!_inFlight.TryGetValue(position, out var count)) return false;
            if (count > 1) _inFlight[position] = count - 1;
            else
            {
                _inFlight.Remove(position);
                _order!.Remove(position);
            }
            if (done) _done!.Add(position);
            return true;
        }

        /// <summary>Moves the watermark past what is done below the lowest unfinished delivery; whether it moved.</summary>
        public bool Advance()
        {
            var moved = false;
            if (_inFlight is null)
            {
                while (_count > 0 && _ring[_head].Left == 0 && !(_ring[_head].Position >= Blocked))
                {
                    moved |= Passed(_ring[_head].Position);
                    _head = (_head + 1) & (_ring.Length - 1);
                    _count--;
                }
                return moved;
            }
            // Everything done below the lowest unfinished delivery is safe to commit.
            while (_done!.Count > 0 && (_order!.Count == 0 || _done.Min < _order.Min) && !(_done.Min >= Blocked))
            {
                var min = _done.Min;
                _done.Remove(min);
                moved |= Passed(min);
            }
            return moved;
        }

        private bool Passed(long position)
        {
            if (HasWatermark && position <= Watermark) return false;
            Watermark = position;
            HasWatermark = true;
            return true;
        }

        private ref (long Position, int Left) Last => ref _ring[(_head + _count - 1) & (_ring.Length - 1)];

        /// <summary>The index (from the head) of <paramref name="position"/>'s entry with deliveries left, or -1.</summary>
        private int Find(long position)
        {
            int lo = 0, hi = _count - 1;
            while (lo <= hi)
            {
                var mid = (lo + hi) >>> 1;
                var at = _ring[(_head + mid) & (_ring.Length - 1)];
                if (at.Position == position) return at.Left > 0 ? mid : -1;
                if (at.Position < position) lo = mid + 1;
                else hi = mid - 1;
            }
            return -1;
        }

        private void Grow()
        {
            var bigger = new (long, int)[_ring.Length * 2];
            for (var i = 0; i < _count; i++) bigger[i] = _ring[(_head + i) & (_ring.Length - 1)];
            _ring = bigger;
            _head = 0;
        }

        /// <summary>From now on the sets: the ring's unfinished positions are in flight, its finished ones done.</summary>
        private void Unordered()
        {
            _inFlight = [];
            _order = [];
            _done = [];
            for (var i = 0; i < _count; i++)
            {
                var (position, left) = _ring[(_head + i) & (_ring.Length - 1)];
                if (left > 0)
                {
                    _inFlight[position] = left;
                    _order.Add(position);
                }
                else if (!(position >= Blocked)) _done.Add(position);
            }
            _count = 0;
        }
    }
}
