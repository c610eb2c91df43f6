namespace Tgwatch.Sandbox.Bots;

/// <summary>
/// One bot's unconfirmed updates with getUpdates' offset rules (Bot API, getUpdates): ids increase one by one
/// (unless renumbered, as Telegram does at random after a week without updates);
/// an update is forgotten once getUpdates is called with an offset higher than its id; a negative offset keeps
/// only the last -offset updates. Also the signal long polls wait on, the allowed_updates filter (applied when
/// an update is created, as the documentation says), and the one poller allowed at a time.
/// </summary>
internal sealed class UpdateQueue(int firstUpdateId)
{
    /// <summary>Update types a bot receives when allowed_updates is empty or was never given.</summary>
    private static readonly HashSet<string> NotByDefault = new(StringComparer.Ordinal) { "chat_member", "message_reaction", "message_reaction_count" };

    private readonly Lock _sync = new();
    private readonly List<QueuedUpdate> _pending = [];
    private int _nextId = firstUpdateId;
    private TaskCompletionSource _changed = NewSignal();
    private HashSet<string>? _allowed;
    private Poller? _poller;

    public int PendingCount
    {
        get { lock (_sync) return _pending.Count; }
    }

    public IReadOnlyList<string>? AllowedUpdates
    {
        get { lock (_sync) return _allowed is null ? null : [.. _allowed.Order(StringComparer.Ordinal)]; }
    }

    /// <summary>Sets the filter for updates created from now on; an empty list means the default set.</summary>
    public void SetAllowed(IReadOnlyList<string> types)
    {
        lock (_sync) _allowed = types.Count == 0 ? null : new HashSet<string>(types, StringComparer.Ordinal);
    }

    /// <summary>Queues an update of <paramref name="kind"/> unless the filter refuses it; returns its id, or null.</summary>
    public int? Enqueue(string kind, Func<int, byte[]> json, bool ignoreFilter = false)
    {
        TaskCompletionSource changed;
        int id;
        lock (_sync)
        {
            if (!ignoreFilter && !Allows(kind)) return null;
            id = _nextId++;
            _pending.Add(new QueuedUpdate(id, kind, json(id)));
            changed = _changed;
            _changed = NewSignal();
        }
        changed.TrySetResult();
        return id;
    }

    /// <summary>The next update gets <paramref name="next"/> (Telegram's random choice after a week without updates).</summary>
    public void Renumber(int next)
    {
        lock (_sync) _nextId = next;
    }

    private bool Allows(string kind) => _allowed?.Contains(kind) ?? !NotByDefault.Contains(kind);

    /// <summary>
    /// Applies <paramref name="offset"/> (confirming or, when negative, keeping only the last updates) and
    /// returns up to <paramref name="limit"/> of what is left, and a task that completes on the next change.
    /// </summary>
    public (IReadOnlyList<QueuedUpdate> Batch, Task Changed) Take(long? offset, int limit)
    {
        lock (_sync)
        {
            if (offset is < 0 and var back)
            {
                var keep = (int)Math.Min(-back, _pending.Count);
                _pending.RemoveRange(0, _pending.Count - keep);
            }
            else if (offset is { } from)
            {
                // "An update is considered confirmed as soon as getUpdates is called with an offset higher than its
                // update_id": every one, also one numbered lower after a week without updates.
                _pending.RemoveAll(u => u.UpdateId < from);
            }
            return ([.. _pending.Take(limit)], _changed.Task);
        }
    }

    /// <summary>Forgets every pending update (deleteWebhook or setWebhook with drop_pending_updates).</summary>
    public void DropPending()
    {
        lock (_sync) _pending.Clear();
    }

    /// <summary>Registers a new getUpdates request; the one in progress, if any, is terminated with 409.</summary>
    public Poller BeginPoll()
    {
        var poller = new Poller();
        Poller? older;
        lock (_sync)
        {
            older = _poller;
            _poller = poller;
        }
        older?.Terminate(Conflicts.OtherGetUpdates);
        return poller;
    }

    public void EndPoll(Poller poller)
    {
        lock (_sync)
        {
            if (_poller == poller) _poller = null;
        }
    }

    /// <summary>Terminates the getUpdates request in progress with <paramref name="conflict"/>.</summary>
    public void TerminatePoll(string conflict)
    {
        Poller? current;
        lock (_sync)
        {
            current = _poller;
            _poller = null;
        }
        current?.Terminate(conflict);
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
