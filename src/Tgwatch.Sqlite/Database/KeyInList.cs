using System.Globalization;

namespace Tgwatch.Sqlite.Database;

/// <summary>
/// Looks up many keys with a prepared <c>IN (…)</c> query of a few fixed sizes (at most 500 parameters):
/// the keys go in chunks, the last chunk padded by repeating its last key, so every query is one of
/// four compiled statements whatever the number of keys. Keys are bound by position (<see cref="PreparedStatement"/>).
/// </summary>
internal sealed class KeyInList
{
    private static readonly int[] Sizes = [8, 64, 256, 500];
    private readonly string[] _sql;
    private readonly int _first;

    /// <param name="template">A query whose first column is the key, with <c>{0}</c> where the parameter list goes.</param>
    /// <param name="fixedParameter">Whether the query has a parameter besides the keys, written <c>?1</c> (bound first).</param>
    public KeyInList(string template, bool fixedParameter)
    {
        _first = fixedParameter ? 1 : 0;
        _sql = new string[Sizes.Length];
        for (var s = 0; s < Sizes.Length; s++)
        {
            var names = new string[Sizes[s]];
            for (var i = 0; i < names.Length; i++) names[i] = string.Create(CultureInfo.InvariantCulture, $"?{_first + i + 1}");
            _sql[s] = string.Format(CultureInfo.InvariantCulture, template, string.Join(',', names));
        }
    }

    /// <summary>Adds to <paramref name="found"/> those of <paramref name="keys"/> the query returns; only inside a lease.</summary>
    public void Find(ConnectionGate gate, string? fixedValue, IReadOnlyCollection<string> keys, HashSet<string> found) =>
        Find(gate, fixedValue, keys, found, static (row, found) => found.Add(row.Text(0)!));

    /// <summary>Calls <paramref name="row"/> for each row the query returns for <paramref name="keys"/>; only inside a lease.</summary>
    public void Find<T>(ConnectionGate gate, string? fixedValue, IReadOnlyCollection<string> keys, T state, Action<PreparedStatement, T> row)
    {
        var remaining = keys.Count;
        using var e = keys.GetEnumerator();
        while (remaining > 0)
        {
            var s = 0;
            while (s < Sizes.Length - 1 && Sizes[s] < remaining) s++;
            var size = Sizes[s];
            var query = gate.Prepared(_sql[s]);
            if (_first == 1) query.Bind(1, fixedValue);
            var n = Math.Min(remaining, size);
            string last = "";
            for (var i = 0; i < n; i++)
            {
                if (!e.MoveNext()) throw new InvalidOperationException("the key collection changed while it was read");
                last = e.Current ?? throw new ArgumentException("a key is null", nameof(keys));
                query.Bind(_first + i + 1, last);
            }
            for (var i = n; i < size; i++) query.Bind(_first + i + 1, last);
            query.ForEachRow(state, row);
            remaining -= n;
        }
    }
}
