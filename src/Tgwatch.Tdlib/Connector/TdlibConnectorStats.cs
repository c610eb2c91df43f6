namespace Tgwatch.Tdlib.Connector;

/// <summary>Counters of a <see cref="TdlibConnector"/>: live, each read atomically (ARCHITECTURE §5).</summary>
public sealed class TdlibConnectorStats
{
    internal long updates, newMessages, edits, deletions, deletionsIgnored, malformed, other, notWatched, liveOverflows,
        overlapsSkipped, localSkipped, catchUps, historyCalls, historyMessages, rateLimited, retries, reconnects, replyLookups;

    /// <summary>Updates read from TDLib.</summary>
    public long Updates => Interlocked.Read(ref updates);

    /// <summary>updateNewMessage seen.</summary>
    public long NewMessages => Interlocked.Read(ref newMessages);

    /// <summary>updateMessageEdited seen.</summary>
    public long Edits => Interlocked.Read(ref edits);

    /// <summary>Messages deleted for good.</summary>
    public long Deletions => Interlocked.Read(ref deletions);

    /// <summary>Deletions from TDLib's cache only, or not permanent (not delivered).</summary>
    public long DeletionsIgnored => Interlocked.Read(ref deletionsIgnored);

    /// <summary>Updates or messages that could not be read.</summary>
    public long Malformed => Interlocked.Read(ref malformed);

    /// <summary>Updates not acted on (directory, content changes, kinds not monitored).</summary>
    public long Other => Interlocked.Read(ref other);

    /// <summary>Updates of chats not watched.</summary>
    public long NotWatched => Interlocked.Read(ref notWatched);

    /// <summary>Live updates not held because their chat's queue was full (new messages come from the history instead).</summary>
    public long LiveOverflows => Interlocked.Read(ref liveOverflows);

    /// <summary>Messages already delivered (live and history overlapping), not delivered again.</summary>
    public long OverlapsSkipped => Interlocked.Read(ref overlapsSkipped);

    /// <summary>Messages the server does not have yet (being sent), not delivered.</summary>
    public long LocalSkipped => Interlocked.Read(ref localSkipped);

    /// <summary>Catch-ups from history begun.</summary>
    public long CatchUps => Interlocked.Read(ref catchUps);

    /// <summary><c>getChatHistory</c> calls.</summary>
    public long HistoryCalls => Interlocked.Read(ref historyCalls);

    /// <summary>Messages delivered from history.</summary>
    public long HistoryMessages => Interlocked.Read(ref historyMessages);

    /// <summary>FLOOD_WAIT (429) answers waited out.</summary>
    public long RateLimited => Interlocked.Read(ref rateLimited);

    /// <summary>Requests retried after a time-out or server error.</summary>
    public long Retries => Interlocked.Read(ref retries);

    /// <summary>Reconnections after which every chat caught up.</summary>
    public long Reconnects => Interlocked.Read(ref reconnects);

    /// <summary>Replied-to messages looked up.</summary>
    public long ReplyLookups => Interlocked.Read(ref replyLookups);
}
