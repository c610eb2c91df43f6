namespace Tgwatch.Connectors;

/// <summary>
/// A link's figures since it started (ARCHITECTURE §5): how often it came back after having been up, and how long it has
/// been down in all, the outage going on now included. The first connection is neither.
/// </summary>
public sealed class LinkStats
{
    private readonly Func<TimeSpan> _ongoing;
    internal long reconnects, downTicks;

    internal LinkStats(Func<TimeSpan> ongoing) => _ongoing = ongoing;

    /// <summary>Times the link was ready again after it had been up and gone down (short drops included).</summary>
    public long Reconnects => Interlocked.Read(ref reconnects);

    /// <summary>How long the link has been down after having been up, in all, the outage going on now included.</summary>
    public TimeSpan Down => TimeSpan.FromTicks(Interlocked.Read(ref downTicks)) + _ongoing();
}
