using System.Globalization;
using Tgwatch.Sqlite.Database;

namespace Tgwatch.Sqlite.State;

/// <summary>
/// The small numbers that stand for sink names in <c>processed.sinks</c> (a sorted, comma-separated list of ids;
/// NULL for a key recorded before sinks were told apart, which every sink has). Only inside a lease.
/// </summary>
internal sealed class SinkIds(ConnectionGate gate)
{
    private Dictionary<string, long>? _ids;
    private IReadOnlyList<string>? _lastNames;
    private string _lastText = "";

    /// <summary>The id of <paramref name="name"/>, or -1 when no key was ever recorded for it.</summary>
    public long Find(string name) => Load().TryGetValue(name, out var id) ? id : -1;

    /// <summary>The <c>processed.sinks</c> text of <paramref name="names"/>, giving new names an id (in a transaction of its own).</summary>
    public string TextOf(IReadOnlyList<string> names)
    {
        if (ReferenceEquals(names, _lastNames)) return _lastText;
        var ids = Load();
        if (names.Any(n => !ids.ContainsKey(n)))
        {
            using var transaction = gate.BeginWrite();
            var insert = gate.Command("INSERT INTO sinks (name) VALUES (@name) ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING id", transaction, "@name");
            var added = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var name in names.Where(n => !ids.ContainsKey(n)).Distinct(StringComparer.Ordinal))
            {
                insert.Parameters[0].Value = name;
                added[name] = (long)insert.ExecuteScalar()!;
            }
            transaction.Commit();
            foreach (var (name, id) in added) ids[name] = id;
        }
        var text = Join(names.Select(n => ids[n]));
        _lastNames = names;
        _lastText = text;
        return text;
    }

    /// <summary>Whether a <c>processed.sinks</c> text holds <paramref name="id"/>.</summary>
    public static bool Holds(string text, long id)
    {
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
            if (long.Parse(part, CultureInfo.InvariantCulture) == id) return true;
        return false;
    }

    /// <summary>The union of two <c>processed.sinks</c> texts.</summary>
    public static string Union(string a, string b) =>
        Join(a.Split(',', StringSplitOptions.RemoveEmptyEntries).Concat(b.Split(',', StringSplitOptions.RemoveEmptyEntries))
            .Select(p => long.Parse(p, CultureInfo.InvariantCulture)));

    private static string Join(IEnumerable<long> ids) => string.Join(',', ids.Distinct().Order().Select(i => i.ToString(CultureInfo.InvariantCulture)));

    private Dictionary<string, long> Load()
    {
        if (_ids is { } ids) return ids;
        ids = new Dictionary<string, long>(StringComparer.Ordinal);
        using (var reader = gate.Command("SELECT name, id FROM sinks", null).ExecuteReader())
        {
            while (reader.Read()) ids[reader.GetString(0)] = reader.GetInt64(1);
        }
        return _ids = ids;
    }
}
