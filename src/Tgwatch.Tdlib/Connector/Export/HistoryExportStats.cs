namespace Tgwatch.Tdlib.Connector.Export;

/// <summary>
/// Where a <see cref="HistoryExport"/> is: live figures for its progress display, each read atomically (ARCHITECTURE §5).
/// The estimate of the messages in the range comes from message ids (the range's width, then the density of ids met so
/// far: a private chat's ids are shared with the account's other chats, a channel's have gaps where messages were deleted).
/// </summary>
public sealed class HistoryExportStats
{
    private long _from, _end, _position, _exported, _estimate, _floodWaits, _floodWaitUntil, _state;

    /// <summary>The position the export started after (a server message id; 0: the chat's beginning).</summary>
    public long From => Interlocked.Read(ref _from);

    /// <summary>The last message of the range (a server message id); 0 until known, or when the range holds none.</summary>
    public long End => Interlocked.Read(ref _end);

    /// <summary>The last message handed to the pipeline.</summary>
    public long Position => Interlocked.Read(ref _position);

    /// <summary>Messages handed to the pipeline by this export.</summary>
    public long Exported => Interlocked.Read(ref _exported);

    /// <summary>The messages this export is expected to hand over in all (done and still to come); 0 until the range is known.</summary>
    public long Estimated => Interlocked.Read(ref _estimate);

    /// <summary>FLOOD_WAIT answers waited out.</summary>
    public long FloodWaits => Interlocked.Read(ref _floodWaits);

    /// <summary>Until when the export waits out a FLOOD_WAIT (null when it does not, or that wait is over).</summary>
    public DateTimeOffset? FloodWaitUntil(DateTimeOffset now)
    {
        var until = Interlocked.Read(ref _floodWaitUntil);
        return until > now.UtcTicks ? new DateTimeOffset(until, TimeSpan.Zero) : null;
    }

    /// <summary>How the export stands.</summary>
    public HistoryExportState State => (HistoryExportState)Interlocked.Read(ref _state);

    internal void Begin(long from, long end, long? limit)
    {
        Interlocked.Exchange(ref _from, from);
        Interlocked.Exchange(ref _position, from);
        Interlocked.Exchange(ref _end, end);
        var width = Math.Max(0, end - from);
        Interlocked.Exchange(ref _estimate, limit is { } l ? Math.Min(l, width) : width);
        Interlocked.Exchange(ref _state, (long)HistoryExportState.Exporting);
    }

    internal void Exporting(long position, long? limit)
    {
        var done = Interlocked.Increment(ref _exported);
        Interlocked.Exchange(ref _position, position);
        var from = From;
        var end = End;
        // The ids met so far say how many messages the rest of the range holds.
        var density = position > from ? Math.Min(1.0, (double)done / (position - from)) : 1.0;
        var estimate = done + (long)Math.Ceiling(Math.Max(0, end - position) * density);
        Interlocked.Exchange(ref _estimate, limit is { } l ? Math.Min(l, estimate) : estimate);
    }

    internal void FloodWait(DateTimeOffset until)
    {
        Interlocked.Increment(ref _floodWaits);
        Interlocked.Exchange(ref _floodWaitUntil, until.UtcTicks);
    }

    internal void Finished(HistoryExportState state)
    {
        // What was handed over is what there was.
        if (state == HistoryExportState.Done) Interlocked.Exchange(ref _estimate, Exported);
        Interlocked.Exchange(ref _state, (long)state);
    }
}

/// <summary>How a <see cref="HistoryExport"/> stands.</summary>
public enum HistoryExportState
{
    /// <summary>Finding the chat and its range.</summary>
    Starting,

    /// <summary>Reading the range.</summary>
    Exporting,

    /// <summary>Every message of the range was handed over.</summary>
    Done,

    /// <summary>The limit of messages was reached before the end of the range.</summary>
    LimitReached,
}
