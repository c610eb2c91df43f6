using Tgwatch.Sqlite.Database;
using Tgwatch.Storage;

namespace Tgwatch.Sqlite.State;

/// <summary>Written keys per sink (<c>sink_ledger</c>, shared with the outbox) and each sink's accounted-for offset (<c>sink_offsets</c>).</summary>
internal sealed class SqliteSinkLedger(ConnectionGate gate, TimeProvider time) : ISinkLedger
{
    internal const string RecordKey = "INSERT INTO sink_ledger (sink, key, recorded_at) VALUES (@sink, @key, @at) ON CONFLICT (sink, key) DO NOTHING";

    private static readonly KeyInList Lookup = new("SELECT key FROM sink_ledger WHERE sink = @sink AND key IN ({0})", "@sink");

    private const string SetOffset = """
        INSERT INTO sink_offsets (sink, byte_offset) VALUES (@sink, @offset)
        ON CONFLICT (sink) DO UPDATE SET byte_offset = excluded.byte_offset
        """;

    public async ValueTask<long?> GetOffsetAsync(string sink, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sink);
        using (await gate.EnterAsync(ct).ConfigureAwait(false))
        {
            var command = gate.Command("SELECT byte_offset FROM sink_offsets WHERE sink = @sink", null, "@sink");
            command.Parameters[0].Value = sink;
            return command.ExecuteScalar() is long offset ? offset : null;
        }
    }

    public async ValueTask<IReadOnlySet<string>> FindWrittenAsync(string sink, IReadOnlyCollection<string> keys, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(keys);
        var found = new HashSet<string>(StringComparer.Ordinal);
        if (keys.Count == 0) return found;
        using (await gate.EnterAsync(ct).ConfigureAwait(false))
        {
            Lookup.Find(gate, null, sink, keys, found);
        }
        return found;
    }

    public async ValueTask RecordAsync(string sink, IReadOnlyCollection<string> keys, long offset, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var at = UnixMs.Of(time.GetUtcNow());
        using (await gate.EnterAsync(ct).ConfigureAwait(false))
        {
            using var transaction = gate.BeginWrite();
            if (keys.Count > 0)
            {
                var record = gate.Command(RecordKey, transaction, "@sink", "@key", "@at");
                record.Parameters[0].Value = sink;
                record.Parameters[2].Value = at;
                foreach (var key in keys)
                {
                    record.Parameters[1].Value = key ?? throw new ArgumentException("a key is null", nameof(keys));
                    record.ExecuteNonQuery();
                }
            }
            var set = gate.Command(SetOffset, transaction, "@sink", "@offset");
            set.Parameters[0].Value = sink;
            set.Parameters[1].Value = offset;
            set.ExecuteNonQuery();
            transaction.Commit();
        }
    }
}
