using Tgwatch.Postgres.Database;

namespace Tgwatch.Postgres.State;

/// <summary>Lookup and bounded retention of processed keys.</summary>
internal sealed class ProcessedKeys(PgPool pool, SinkRegistry sinks)
{
    /// <summary>Rows deleted per transaction while pruning, so commits are not held up for long.</summary>
    internal const int PruneChunk = 5_000;

    private const string DeleteOlder = """
        DELETE FROM tgwatch_processed WHERE key IN (SELECT key FROM tgwatch_processed WHERE processed_at < @before LIMIT @n)
        """;

    // A sink's memory of what it wrote ages out with the processed keys, except for records still waiting in an outbox.
    private const string DeleteOlderLedger = """
        DELETE FROM tgwatch_sink_ledger WHERE (sink, key) IN (
            SELECT l.sink, l.key FROM tgwatch_sink_ledger l WHERE l.recorded_at < @before
            AND NOT EXISTS (SELECT 1 FROM tgwatch_outbox o WHERE o.sink = l.sink AND o.key = l.key) LIMIT @n)
        """;

    private const string DeleteOldest = """
        DELETE FROM tgwatch_processed WHERE key IN (SELECT key FROM tgwatch_processed ORDER BY processed_at, key LIMIT @n)
        """;

    /// <summary>Those of <paramref name="keys"/> processed, each with those of <paramref name="names"/> that do not have it (in the order asked).</summary>
    public async ValueTask<IReadOnlyDictionary<string, IReadOnlyList<string>>> FindAsync(IReadOnlyCollection<string> keys, IReadOnlyList<string> names, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(names);
        ct.ThrowIfCancellationRequested();
        var found = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        if (keys.Count == 0) return found;
        var asked = keys.ToArray();
        if (Array.IndexOf(asked, null) >= 0) throw new ArgumentException("a key is null", nameof(keys));
        await using var connection = await pool.OpenAsync(ct).ConfigureAwait(false);
        var ids = names.Count == 0 ? [] : await sinks.FindAsync(connection, names, ct).ConfigureAwait(false);
        await using var command = PgPool.Command(connection, null, "SELECT key, sinks FROM tgwatch_processed WHERE key = ANY(@keys)", ("keys", asked));
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            var key = reader.GetString(0);
            if (reader.IsDBNull(1) || names.Count == 0)
            {
                found[key] = [];
                continue;
            }
            var had = reader.GetFieldValue<int[]>(1);
            List<string>? lacking = null;
            foreach (var name in names)
                if (ids[name] is var id && (id < 0 || Array.IndexOf(had, id) < 0)) (lacking ??= []).Add(name);
            found[key] = lacking is null ? [] : lacking;
        }
        return found;
    }

    public async ValueTask<int> PruneAsync(DateTimeOffset olderThan, int keepAtMost, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(keepAtMost);
        ct.ThrowIfCancellationRequested();
        var before = Instants.Utc(olderThan);
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
        await using (var connection = await pool.OpenAsync(ct).ConfigureAwait(false))
        {
            excess = (long)(await PgPool.ScalarAsync(connection, null, "SELECT count(*) FROM tgwatch_processed", ct).ConfigureAwait(false))! - keepAtMost;
        }
        while (excess > 0)
        {
            var n = await DeleteChunkAsync(DeleteOldest, null, (int)Math.Min(excess, PruneChunk), ct).ConfigureAwait(false);
            if (n == 0) break;
            deleted += n;
            excess -= n;
        }
        return deleted;
    }

    private async Task<int> DeleteChunkAsync(string sql, DateTimeOffset? before, int n, CancellationToken ct)
    {
        await using var connection = await pool.OpenAsync(ct).ConfigureAwait(false);
        return before is { } t
            ? await PgPool.ExecuteAsync(connection, null, sql, ct, ("n", n), ("before", t)).ConfigureAwait(false)
            : await PgPool.ExecuteAsync(connection, null, sql, ct, ("n", n)).ConfigureAwait(false);
    }
}
