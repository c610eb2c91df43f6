using Npgsql;
using Tgwatch.Postgres.Database;
using Tgwatch.Storage;

namespace Tgwatch.Postgres.State;

/// <summary>Written keys per sink (<c>tgwatch_sink_ledger</c>, shared with the outbox) and each sink's accounted-for offset.</summary>
internal sealed class SinkLedger(PgPool pool, LeaseTable leases, TimeProvider time) : ISinkLedger
{
    /// <summary>Records keys (sorted, no duplicate) for a sink; returns those it did not have.</summary>
    internal static async Task<HashSet<string>> RecordAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sink, string[] keys, DateTimeOffset at, CancellationToken ct)
    {
        var fresh = new HashSet<string>(StringComparer.Ordinal);
        await using var command = PgPool.Command(connection, transaction, """
            INSERT INTO tgwatch_sink_ledger (sink, key, recorded_at) SELECT @sink, k, @at FROM unnest(@keys::text[]) AS t(k)
            ON CONFLICT (sink, key) DO NOTHING RETURNING key
            """, ("sink", sink), ("at", Instants.Utc(at)), ("keys", keys));
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false)) fresh.Add(reader.GetString(0));
        return fresh;
    }

    public async ValueTask<long?> GetOffsetAsync(string sink, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sink);
        await using var connection = await pool.OpenAsync(ct).ConfigureAwait(false);
        return await PgPool.ScalarAsync(connection, null, "SELECT byte_offset FROM tgwatch_sink_offsets WHERE sink = @sink", ct, ("sink", sink)).ConfigureAwait(false) is long offset ? offset : null;
    }

    public async ValueTask<IReadOnlySet<string>> FindWrittenAsync(string sink, IReadOnlyCollection<string> keys, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(keys);
        var found = new HashSet<string>(StringComparer.Ordinal);
        ct.ThrowIfCancellationRequested();
        if (keys.Count == 0) return found;
        await using var connection = await pool.OpenAsync(ct).ConfigureAwait(false);
        await using var command = PgPool.Command(connection, null, "SELECT key FROM tgwatch_sink_ledger WHERE sink = @sink AND key = ANY(@keys)", ("sink", sink), ("keys", keys.ToArray()));
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false)) found.Add(reader.GetString(0));
        return found;
    }

    public async ValueTask RecordAsync(string sink, IReadOnlyCollection<string> keys, long offset, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var sorted = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var key in keys) sorted.Add(key ?? throw new ArgumentException("a key is null", nameof(keys)));
        await using var connection = await pool.OpenAsync(ct).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        await leases.CheckAsync(connection, transaction, ct).ConfigureAwait(false);
        if (sorted.Count > 0) await RecordAsync(connection, transaction, sink, [.. sorted], time.GetUtcNow(), ct).ConfigureAwait(false);
        await PgPool.ExecuteAsync(connection, transaction, """
            INSERT INTO tgwatch_sink_offsets (sink, byte_offset) VALUES (@sink, @offset)
            ON CONFLICT (sink) DO UPDATE SET byte_offset = excluded.byte_offset
            """, ct, ("sink", sink), ("offset", offset)).ConfigureAwait(false);
        await transaction.CommitAsync(ct).ConfigureAwait(false);
    }
}
