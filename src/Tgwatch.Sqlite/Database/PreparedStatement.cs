using System.Buffers;
using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Tgwatch.Sqlite.Database;

/// <summary>
/// A statement run for every message (the state store's processed key, a sink's written key and the look-ups of a batch's
/// keys, through <see cref="ConnectionGate.Prepared"/>; the SQLite sink's rows), compiled once on its connection and bound by
/// position. Microsoft.Data.Sqlite's commands look every parameter up by its name on each execution (SQLite searches its list
/// of names one by one: a look-up of 500 keys compared names about 125,000 times) and box every number; these do neither.
/// Used by one caller at a time, as its connection is (the gate's lease, the sink's lock); it runs in the connection's
/// transaction (SQLite's transaction is the connection's state). A failure is thrown as Microsoft.Data.Sqlite's
/// <see cref="SqliteException"/>, as every other statement's is.
/// </summary>
internal sealed class PreparedStatement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;

    /// <summary>Compiles <paramref name="sql"/>, whose parameters are written <c>?1</c>, <c>?2</c>… in the order bound.</summary>
    public PreparedStatement(SqliteConnection connection, string sql)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("the connection is not open");
        var rc = raw.sqlite3_prepare_v2(_db, sql, out var statement);
        if (rc != raw.SQLITE_OK || statement is null)
        {
            statement?.Dispose();
            SqliteException.ThrowExceptionForRC(rc, _db);
            throw new InvalidOperationException("SQLite compiled no statement");
        }
        _statement = statement;
    }

    /// <summary>
    /// Sets parameter <paramref name="index"/> (from 1) to a text, or NULL. The text is encoded as Microsoft.Data.Sqlite encodes
    /// it (<see cref="Encoding.UTF8"/>, a lone surrogate written U+FFFD), so a key is the same bytes whichever statement wrote
    /// it; SQLite's own conversion from UTF-16 would let a lone high surrogate swallow the next character (two keys, one row).
    /// </summary>
    public void Bind(int index, string? value)
    {
        if (value is null)
        {
            Check(raw.sqlite3_bind_null(_statement, index));
            return;
        }
        var most = Encoding.UTF8.GetMaxByteCount(value.Length);
        byte[]? rented = null;
        var buffer = most <= 512 ? stackalloc byte[512] : (rented = ArrayPool<byte>.Shared.Rent(most));
        try
        {
            var length = Encoding.UTF8.GetBytes(value, buffer);
            BindUtf8(index, buffer[..length]);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Sets parameter <paramref name="index"/> (from 1) to a text already in UTF-8 (SQLite copies it: SQLITE_TRANSIENT).</summary>
    public void BindUtf8(int index, ReadOnlySpan<byte> utf8) => Check(raw.sqlite3_bind_text(_statement, index, utf8));

    /// <summary>Sets parameter <paramref name="index"/> (from 1) to an integer.</summary>
    public void Bind(int index, long value) => Check(raw.sqlite3_bind_int64(_statement, index, value));

    /// <summary>Sets parameter <paramref name="index"/> (from 1) to an integer, or NULL.</summary>
    public void Bind(int index, long? value) =>
        Check(value is { } number ? raw.sqlite3_bind_int64(_statement, index, number) : raw.sqlite3_bind_null(_statement, index));

    /// <summary>Runs a statement that returns no rows with what is bound; returns the rows it changed.</summary>
    public int Run()
    {
        try
        {
            var rc = raw.sqlite3_step(_statement);
            if (rc == raw.SQLITE_ROW) throw new InvalidOperationException("a statement run for its changes returned rows");
            Check(rc, raw.SQLITE_DONE);
            return raw.sqlite3_changes(_db);
        }
        finally
        {
            // Ready to run again whatever happened (after the error's message was read); the bindings stay for the next time.
            raw.sqlite3_reset(_statement);
        }
    }

    /// <summary>Runs a query with what is bound, calling <paramref name="row"/> for each row it returns (read it with <see cref="Text"/>).</summary>
    public void ForEachRow<T>(T state, Action<PreparedStatement, T> row)
    {
        try
        {
            int rc;
            while ((rc = raw.sqlite3_step(_statement)) == raw.SQLITE_ROW) row(this, state);
            Check(rc, raw.SQLITE_DONE);
        }
        finally
        {
            raw.sqlite3_reset(_statement);
        }
    }

    /// <summary>The current row's column <paramref name="column"/> (from 0) as text, or null when it is NULL; only in <see cref="ForEachRow"/>.</summary>
    public string? Text(int column) =>
        raw.sqlite3_column_type(_statement, column) == raw.SQLITE_NULL ? null : raw.sqlite3_column_text(_statement, column).utf8_to_string();

    private void Check(int rc, int expected = raw.SQLITE_OK)
    {
        if (rc != expected) SqliteException.ThrowExceptionForRC(rc, _db);
    }

    /// <inheritdoc />
    public void Dispose() => _statement.Dispose();
}
