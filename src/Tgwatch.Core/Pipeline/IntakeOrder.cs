using System.Diagnostics.CodeAnalysis;

namespace Tgwatch.Pipeline;

/// <summary>
/// Puts what the workers finish back in the order it was taken in. Chats are processed in parallel, each worker
/// handing on what it finished as a run of its own chats' messages, so the sinks got a backlog chat by chat: a
/// console showed 09:00:07 after 09:00:08. Here an item waits for the ones taken in before it, at most
/// <c>window</c> (a chat held up in a handler or a reply holds the others back no longer than that) and while at
/// most <c>capacity</c> items wait; then the missing ones are written when they come.
/// </summary>
/// <remarks>One reader: the sinks' stage. A reply update (sequence -1) has no place in the intake and goes at once.</remarks>
internal sealed class IntakeOrder(TimeSpan window, int capacity, TimeProvider time)
{
    private readonly PriorityQueue<WorkItem, long> _held = new();
    // The held items' sequences in the order they came, with when: the earliest one still held is the first whose sequence is
    // not released yet (every held sequence is at least _next, every released one below it), so finding it costs no scan.
    private readonly Queue<(long Sequence, long Arrived)> _arrivals = new();
    private readonly Queue<WorkItem> _ready = new();
    private long _next; // the sequence of the item the held ones wait for
    private long _waitingSince; // when the held item that has waited longest came

    /// <summary>Items in order, to be written.</summary>
    public int Ready => _ready.Count;

    /// <summary>How much longer the held items wait for the missing one; null when none waits.</summary>
    public TimeSpan? WaitLeft
    {
        get
        {
            if (_held.Count == 0) return null;
            var left = window - time.GetElapsedTime(_waitingSince);
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
    }

    /// <summary>Takes a finished item in.</summary>
    public void Add(WorkItem item)
    {
        if (item.Sequence < _next)
        {
            // A reply update, or an item the others stopped waiting for.
            _ready.Enqueue(item);
            return;
        }
        var now = time.GetTimestamp();
        if (_held.Count == 0) _waitingSince = now;
        _held.Enqueue(item, item.Sequence);
        _arrivals.Enqueue((item.Sequence, now));
        Release();
        if (_held.Count > capacity) StopWaiting();
    }

    /// <summary>The held items wait no longer: those up to the next gap are ready.</summary>
    public void StopWaiting()
    {
        if (!_held.TryPeek(out _, out var first)) return;
        _next = first;
        Release();
    }

    /// <summary>No more items come: every held one is ready, in order.</summary>
    public void ReleaseAll()
    {
        while (_held.TryDequeue(out var held, out var sequence))
        {
            _ready.Enqueue(held);
            _next = sequence + 1;
        }
        _arrivals.Clear();
    }

    /// <summary>The next item to write.</summary>
    public bool TryTake([MaybeNullWhen(false)] out WorkItem item) => _ready.TryDequeue(out item);

    private void Release()
    {
        var moved = false;
        while (_held.TryPeek(out var held, out var sequence) && sequence == _next)
        {
            _held.Dequeue();
            _ready.Enqueue(held);
            _next++;
            moved = true;
        }
        if (!moved) return;
        while (_arrivals.TryPeek(out var first) && first.Sequence < _next) _arrivals.Dequeue();
        // The items left wait for another missing one; the wait is counted from the earliest of them.
        if (_arrivals.TryPeek(out var earliest)) _waitingSince = earliest.Arrived;
    }
}
