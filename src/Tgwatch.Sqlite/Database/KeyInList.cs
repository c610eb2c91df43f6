using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Tgwatch.Sqlite.Database;

/// <summary>
/// Looks up many keys with a prepared <c>IN (…)</c> query of a few fixed sizes (at most 500 parameters):
/// the keys go in chunks, the last chunk padded by repeating its last key, so every query is one of
/// four compiled statements whatever the number of keys.
/// </summary>
internal sealed class KeyInList
{
    private static readonly int[] Sizes = [8, 64, 256, 500];
    private readonly string[] _sql;
    private readonly string[][] _parameters;
    private readonly int _first;

    /// <param name="template">A query whose first column is the key, with <c>{0}</c> where the parameter list goes.</param>
    /// <param name="fixedParameter">A parameter the query has besides the keys (bound first), or null.</param>
    public KeyInList(string template, string? fixedParameter)
    {
        _first = fixedParameter is null ? 0 : 1;
        _sql = new string[Sizes.Length];
        _parameters = new string[Sizes.Length][];
        for (var s = 0; s < Sizes.Length; s++)
        {
            var names = new string[_first + Sizes[s]];
            if (fixedParameter is not null) names[0] = fixedParameter;
            for (var i = 0; i < Sizes[s]; i++) names[_first + i] = string.Create(CultureInfo.InvariantCulture, $"@k{i}");
            _parameters[s] = names;
            _sql[s] = string.Format(CultureInfo.InvariantCulture, template, string.Join(',', names, _first, Sizes[s]));
        }
    }

    /// <summary>Adds to <paramref name="found"/> those of <paramref name="keys"/> the query returns; only inside a lease.</summary>
    public void Find(ConnectionGate gate, SqliteTransaction? transaction, object? fixedValue, IReadOnlyCollection<string> keys, HashSet<string> found) =>
        Find(gate, transaction, fixedValue, keys, found, static (reader, found) => found.Add(reader.GetString(0)));

    /// <summary>Calls <paramref name="row"/> for each row the query returns for <paramref name="keys"/>; only inside a lease.</summary>
    public void Find<T>(ConnectionGate gate, SqliteTransaction? transaction, object? fixedValue, IReadOnlyCollection<string> keys, T state, Action<SqliteDataReader, T> row)
    {
        var remaining = keys.Count;
        using var e = keys.GetEnumerator();
        while (remaining > 0)
        {
            var s = 0;
            while (s < Sizes.Length - 1 && Sizes[s] < remaining) s++;
            var size = Sizes[s];
            var command = gate.Command(_sql[s], transaction, _parameters[s]);
            var parameters = command.Parameters;
            if (_first == 1) parameters[0].Value = fixedValue;
            var n = Math.Min(remaining, size);
            string last = "";
            for (var i = 0; i < n; i++)
            {
                if (!e.MoveNext()) throw new InvalidOperationException("the key collection changed while it was read");
                last = e.Current ?? throw new ArgumentException("a key is null", nameof(keys));
                parameters[_first + i].Value = last;
            }
            for (var i = n; i < size; i++) parameters[_first + i].Value = last;
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read()) row(reader, state);
            }
            remaining -= n;
        }
    }
}
