using Tgwatch.Sqlite.Database;

namespace Tgwatch.Sqlite.State;

/// <summary>Lookup and bounded retention of processed keys.</summary>
internal sealed class ProcessedKeys(ConnectionGate gate, SinkIds sinkIds)
{
    /// <summary>Rows deleted per transaction while pruning, so commits are not held up for long.</summary>
    internal const int PruneChunk = 5_000;

    private static readonly KeyInList Lookup = new("SELECT key, sinks FROM processed WHERE key IN ({0})", fixedParameter: false);

    private const string DeleteOlder = """
        DELETE FROM processed WHERE key IN (SELECT key FROM processed WHERE processed_at < @before LIMIT @n)
        """;

    // A sink's memory of what it wrote ages out with the processed keys, except for records still waiting in an outbox.
    private const string DeleteOlderLedger = """
        DELETE FROM sink_ledger WHERE (sink, key) IN (
            SELECT l.sink, l.key FROM sink_ledger l WHERE l.recorded_at < @before
            AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.sink = l.sink AND o.key = l.key) LIMIT @n)
        """;

    private const string DeleteOldest = """
        DELETE FROM processed WHERE key IN (SELECT key FROM processed ORDER BY processed_at, key LIMIT @n)
        """;

    // Before the oldest go by count: a sink with a ledger (an offset) among those that have a key (NULL: every sink) remembers
    // it by age, as if it had written it to its ledger (which a commit spares it when it first processes the key:
    // SqliteSinkLedger).
    private const string KeepOldestInLedger = """
        INSERT OR IGNORE INTO sink_ledger (sink, key, recorded_at)
        SELECT s.name, p.key, p.processed_at
        FROM (SELECT key, sinks, processed_at FROM processed ORDER BY processed_at, key LIMIT @n) AS p
        JOIN sinks AS s ON p.sinks IS NULL OR instr(',' || p.sinks || ',', ',' || s.id || ',') > 0
        WHERE EXISTS (SELECT 1 FROM sink_offsets AS o WHERE o.sink = s.name)
        """;

    /// <summary>Those of <paramref name="keys"/> processed, each with those of <paramref name="sinks"/> that do not have it.</summary>
    public async ValueTask<IReadOnlyDictionary<string, IReadOnlyList<string>>> FindAsync(IReadOnlyCollection<string> keys, IReadOnlyList<string> sinks, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(sinks);
        var found = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        if (keys.Count == 0) return found;
        using (await gate.EnterAsync(ct).ConfigureAwait(false))
        {
            var ids = sinks.Select(s => (Name: s, Id: sinkIds.Find(s))).ToArray();
            Lookup.Find(gate, null, keys, (found, ids), static (row, state) =>
            {
                var (found, ids) = state;
                var key = row.Text(0)!;
                if (row.Text(1) is not { } had || ids.Length == 0)
                {
                    found[key] = [];
                    return;
                }
                List<string>? lacking = null;
                foreach (var (name, id) in ids)
                    if (id < 0 || !SinkIds.Holds(had, id)) (lacking ??= []).Add(name);
                found[key] = lacking is null ? [] : lacking;
            });
        }
        return found;
    }

    public async ValueTask<int> PruneAsync(DateTimeOffset olderThan, int keepAtMost, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(keepAtMost);
        var before = UnixMs.Of(olderThan);
        var deleted = 0;
        // By age, a chunk per transaction.
        while (true)
        {
            var n = await DeleteChunkAsync(DeleteOlder, before, PruneChunk, ct).ConfigureAwait(false);
            deleted += n;
            if (n < PruneChunk) break;
        }
        while (await DeleteChunkAsync(DeleteOlderLedger, before, PruneChunk, ct).ConfigureAwait(false) == PruneChunk)
        {
        }
        // By count: the oldest beyond the newest keepAtMost (keys committed meanwhile are the newest).
        long excess;
        using (await gate.EnterAsync(ct).ConfigureAwait(false))
        {
            excess = (long)gate.Command("SELECT count(*) FROM processed", null).ExecuteScalar()! - keepAtMost;
        }
        while (excess > 0)
        {
            var n = await DeleteChunkAsync(DeleteOldest, null, (int)Math.Min(excess, PruneChunk), ct, KeepOldestInLedger).ConfigureAwait(false);
            if (n == 0) break;
            deleted += n;
            excess -= n;
        }
        return deleted;
    }

    /// <summary>Deletes a chunk with <paramref name="sql"/> in a transaction of its own, after <paramref name="first"/> (same parameters) in it.</summary>
    private async ValueTask<int> DeleteChunkAsync(string sql, long? before, int n, CancellationToken ct, string? first = null)
    {
        using (await gate.EnterAsync(ct).ConfigureAwait(false))
        {
            using var transaction = gate.BeginWrite();
            if (first is not null)
            {
                var keep = gate.Command(first, transaction, "@n");
                keep.Parameters[0].Value = n;
                keep.ExecuteNonQuery();
            }
            var command = before is null
                ? gate.Command(sql, transaction, "@n")
                : gate.Command(sql, transaction, "@n", "@before");
            command.Parameters[0].Value = n;
            if (before is { } t) command.Parameters[1].Value = t;
            var deleted = command.ExecuteNonQuery();
            transaction.Commit();
            return deleted;
        }
    }
}
