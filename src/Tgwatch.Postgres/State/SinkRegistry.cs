using System.Collections.Concurrent;
using Npgsql;
using Tgwatch.Postgres.Database;

namespace Tgwatch.Postgres.State;

/// <summary>
/// The ids of sink names (<c>tgwatch_sinks</c>) that <c>tgwatch_processed.sinks</c> holds. Ids never change once given,
/// so those known are kept in memory; names another process added meanwhile are read when first asked for.
/// </summary>
internal sealed class SinkRegistry
{
    private readonly ConcurrentDictionary<string, int> _ids = new(StringComparer.Ordinal);

    /// <summary>The id of each of <paramref name="names"/>; -1 for a name no key was ever committed for.</summary>
    public async Task<Dictionary<string, int>> FindAsync(NpgsqlConnection connection, IReadOnlyList<string> names, CancellationToken ct)
    {
        var found = new Dictionary<string, int>(StringComparer.Ordinal);
        List<string>? unknown = null;
        foreach (var name in names)
        {
            if (_ids.TryGetValue(name, out var id)) found[name] = id;
            else (unknown ??= []).Add(name);
        }
        if (unknown is null) return found;
        await foreach (var (name, id) in ReadAsync(connection, null, unknown, ct).ConfigureAwait(false))
        {
            _ids[name] = id;
            found[name] = id;
        }
        foreach (var name in unknown) found.TryAdd(name, -1);
        return found;
    }

    /// <summary>
    /// The ids of <paramref name="names"/>, giving new names one inside <paramref name="transaction"/> (a name given an id in a
    /// transaction that is rolled back is not remembered); call <see cref="Remember"/> once it committed.
    /// </summary>
    public async Task<Dictionary<string, int>> EnsureAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyCollection<string> names, CancellationToken ct)
    {
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        List<string>? unknown = null;
        foreach (var name in names)
        {
            if (_ids.TryGetValue(name, out var id)) ids[name] = id;
            else (unknown ??= []).Add(name);
        }
        if (unknown is null) return ids;
        unknown.Sort(StringComparer.Ordinal); // one order for every writer: no deadlock between two adding names
        await PgPool.ExecuteAsync(connection, transaction,
            "INSERT INTO tgwatch_sinks (name) SELECT n FROM unnest(@names::text[]) AS t(n) ORDER BY n ON CONFLICT (name) DO NOTHING",
            ct, ("names", unknown.ToArray())).ConfigureAwait(false);
        await foreach (var (name, id) in ReadAsync(connection, transaction, unknown, ct).ConfigureAwait(false)) ids[name] = id;
        return ids;
    }

    /// <summary>Keeps ids given in a transaction that committed.</summary>
    public void Remember(Dictionary<string, int> ids)
    {
        foreach (var (name, id) in ids) _ids[name] = id;
    }

    private static async IAsyncEnumerable<(string, int)> ReadAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, List<string> names,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await using var command = PgPool.Command(connection, transaction, "SELECT name, id FROM tgwatch_sinks WHERE name = ANY(@names)", ("names", names.ToArray()));
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false)) yield return (reader.GetString(0), reader.GetInt32(1));
    }
}
