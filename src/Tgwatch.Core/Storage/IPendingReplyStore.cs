namespace Tgwatch.Storage;

/// <summary>Replies delivered with <c>reply_to.state = "unresolved"</c>, waiting for a background retry.</summary>
public interface IPendingReplyStore
{
    /// <summary>Adds (or replaces) the pending resolution of a message's reply.</summary>
    ValueTask AddAsync(PendingReply pending, CancellationToken ct);

    /// <summary>Those due at <paramref name="now"/>, earliest first.</summary>
    ValueTask<IReadOnlyList<PendingReply>> DueAsync(DateTimeOffset now, int limit, CancellationToken ct);

    /// <summary>When the next one is due, or null when none waits.</summary>
    ValueTask<DateTimeOffset?> NextDueAsync(CancellationToken ct);

    /// <summary>Records a failed attempt and when to try again.</summary>
    ValueTask RescheduleAsync(string key, int attempts, DateTimeOffset next, CancellationToken ct);

    /// <summary>Removes one (resolved, or given up).</summary>
    ValueTask RemoveAsync(string key, CancellationToken ct);

    /// <summary>Number waiting.</summary>
    ValueTask<long> CountAsync(CancellationToken ct);
}

/// <summary>A reply waiting to be resolved.</summary>
/// <param name="Key">Key of the message that holds the reply.</param>
/// <param name="MessageJson">That message, full JSON form; once its reply is resolved, the reply update to write (<c>reply_update</c> set), kept until it is committed.</param>
/// <param name="Attempts">Attempts so far.</param>
/// <param name="NextAttempt">When to try again.</param>
/// <param name="Since">When the message was first delivered unresolved.</param>
public sealed record PendingReply(string Key, string MessageJson, int Attempts, DateTimeOffset NextAttempt, DateTimeOffset Since);
