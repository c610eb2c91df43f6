using Tgwatch.Storage;

namespace Tgwatch.TestKit;

/// <summary>Pending entries in memory (the pending downloads of <see cref="InMemoryStateStore"/>): due earliest first, then in the order added.</summary>
public sealed class InMemoryPendingStore : IPendingReplyStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (PendingReply Entry, long Seq)> _entries = new(StringComparer.Ordinal);
    private long _seq;

    /// <summary>Adds and removes in one step (a commit).</summary>
    internal void Apply(IEnumerable<PendingReply> added, IEnumerable<string> removed)
    {
        lock (_gate)
        {
            foreach (var p in added) _entries[p.Key] = (p, ++_seq);
            foreach (var key in removed) _entries.Remove(key);
        }
    }

    /// <summary>Every entry, earliest due first.</summary>
    public IReadOnlyList<PendingReply> All
    {
        get
        {
            lock (_gate) return [.. _entries.Values.OrderBy(p => p.Entry.NextAttempt).ThenBy(p => p.Seq).Select(p => p.Entry)];
        }
    }

    /// <inheritdoc />
    public ValueTask AddAsync(PendingReply pending, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(pending);
        ct.ThrowIfCancellationRequested();
        Apply([pending], []);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<PendingReply>> DueAsync(DateTimeOffset now, int limit, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        ct.ThrowIfCancellationRequested();
        return new([.. All.Where(p => p.NextAttempt <= now).Take(limit)]);
    }

    /// <inheritdoc />
    public ValueTask<DateTimeOffset?> NextDueAsync(CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_gate) return new(_entries.Count == 0 ? null : _entries.Values.Min(p => p.Entry.NextAttempt));
    }

    /// <inheritdoc />
    public ValueTask RescheduleAsync(string key, int attempts, DateTimeOffset next, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (_entries.TryGetValue(key, out var p)) _entries[key] = (p.Entry with { Attempts = attempts, NextAttempt = next }, p.Seq);
        }
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask RemoveAsync(string key, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        Apply([], [key]);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<long> CountAsync(CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_gate) return new(_entries.Count);
    }
}
