namespace Tgwatch.Sandbox.Faults;

/// <summary>The armed request faults, taken by bot requests in the order they were armed.</summary>
internal sealed class FaultPlan(TimeProvider time)
{
    private sealed class Armed(long id, FaultRequest request, DateTimeOffset? until)
    {
        public long Id { get; } = id;
        public FaultRequest Request { get; } = request;
        public DateTimeOffset? Until { get; } = until;
        public int? Left { get; set; } = request.Count ?? (until is null ? 1 : null);
    }

    private readonly Lock _sync = new();
    private readonly List<Armed> _armed = [];
    private long _nextId = 1;

    public ArmedFault Arm(FaultRequest request)
    {
        var until = request.DurationSeconds is { } seconds ? time.GetUtcNow() + TimeSpan.FromSeconds(seconds) : (DateTimeOffset?)null;
        lock (_sync)
        {
            var armed = new Armed(_nextId++, request, until);
            _armed.Add(armed);
            return new ArmedFault(armed.Id, request.Kind, armed.Left, until, request.Method);
        }
    }

    /// <summary>Reserves an id for a fault that is not a request fault (malformed updates).</summary>
    public long NextId()
    {
        lock (_sync) return _nextId++;
    }

    /// <summary>The fault a request of <paramref name="method"/> meets now, if any (used up by this call).</summary>
    public FaultRequest? Take(string method)
    {
        var now = time.GetUtcNow();
        lock (_sync)
        {
            _armed.RemoveAll(a => a.Until <= now);
            for (var i = 0; i < _armed.Count; i++)
            {
                var armed = _armed[i];
                if (armed.Request.Method is { } only && !only.Equals(method, StringComparison.OrdinalIgnoreCase)) continue;
                if (armed.Left is { } left)
                {
                    if (left <= 1) _armed.RemoveAt(i);
                    else armed.Left = left - 1;
                }
                return armed.Request;
            }
            return null;
        }
    }

    public int Clear()
    {
        lock (_sync)
        {
            var count = _armed.Count;
            _armed.Clear();
            return count;
        }
    }
}
