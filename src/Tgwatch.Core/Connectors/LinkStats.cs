namespace Tgwatch.Connectors;

/// <summary>
/// A link's figures since it started (ARCHITECTURE §5): how often it came back after having been up, and how long it has
/// been down in all, the outage going on now included. The first connection is neither.
/// </summary>
public sealed class LinkStats
{
    /// <summary>How many of the latest state changes <see cref="Timeline"/> keeps.</summary>
    public const int TimelineLength = 20;

    private readonly Func<TimeSpan> _ongoing;
    private readonly Lock _timelineLock = new();
    private readonly ConnectionStatus[] _timeline = new ConnectionStatus[TimelineLength];
    private int _timelineCount, _timelineNext;
    internal long reconnects, downTicks, floodWaitTicks;

    internal LinkStats(Func<TimeSpan> ongoing) => _ongoing = ongoing;

    /// <summary>Times the link was ready again after it had been up and gone down (short drops included).</summary>
    public long Reconnects => Interlocked.Read(ref reconnects);

    /// <summary>How long the link has been down after having been up, in all, the outage going on now included.</summary>
    public TimeSpan Down => TimeSpan.FromTicks(Interlocked.Read(ref downTicks)) + _ongoing();

    /// <summary>Time spent waiting out rate limits the server asked for (FLOOD_WAIT, HTTP 429 with retry_after), in all.</summary>
    public TimeSpan FloodWait => TimeSpan.FromTicks(Interlocked.Read(ref floodWaitTicks));

    /// <summary>The latest changes of the link's state (up, down, stopped), oldest first, at most <see cref="TimelineLength"/>.</summary>
    public IReadOnlyList<ConnectionStatus> Timeline
    {
        get
        {
            lock (_timelineLock)
            {
                var list = new ConnectionStatus[_timelineCount];
                for (var i = 0; i < _timelineCount; i++)
                    list[i] = _timeline[(_timelineNext - _timelineCount + i + TimelineLength) % TimelineLength];
                return list;
            }
        }
    }

    // The link's state changed to `status` (or it began in it).
    internal void Changed(ConnectionStatus status)
    {
        lock (_timelineLock)
        {
            _timeline[_timelineNext] = status;
            _timelineNext = (_timelineNext + 1) % TimelineLength;
            _timelineCount = Math.Min(_timelineCount + 1, TimelineLength);
        }
    }
}
