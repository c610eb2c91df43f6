namespace Tgwatch.BotApi;

/// <summary>Counters of a <see cref="BotApiConnector"/>: live, each read atomically (ARCHITECTURE §5).</summary>
public sealed class BotApiConnectorStats
{
    internal long polls, malformed, skipped;

    /// <summary>getUpdates calls answered.</summary>
    public long Polls => Interlocked.Read(ref polls);

    /// <summary>Updates that could not be read (skipped).</summary>
    public long Malformed => Interlocked.Read(ref malformed);

    /// <summary>Updates of kinds not monitored (skipped).</summary>
    public long SkippedUpdates => Interlocked.Read(ref skipped);
}
