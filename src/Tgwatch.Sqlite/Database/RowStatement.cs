using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Tgwatch.Sqlite.Database;

/// <summary>
/// A statement run once a row on the commit's path (a processed key, a sink's written key), compiled once on the gate's
/// connection and bound by position: Microsoft.Data.Sqlite's commands look up every parameter by its name (and box every
/// number) on each execution, which a drain pays for twice a message. Only inside the gate's lease, in its write transaction
/// (the connection's own: SQLite's transaction is the connection's state). A failure is thrown as Microsoft.Data.Sqlite's
/// <see cref="SqliteException"/>, as every other statement's is.
/// </summary>
internal sealed class RowStatement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;

    /// <summary>Compiles <paramref name="sql"/>, whose parameters are written <c>?1</c>, <c>?2</c>… in the order bound.</summary>
    public RowStatement(SqliteConnection connection, string sql)
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

    /// <summary>Sets parameter <paramref name="index"/> (from 1) to a text, or NULL.</summary>
    public void Bind(int index, string? value) =>
        Check(value is null ? raw.sqlite3_bind_null(_statement, index) : raw.sqlite3_bind_text16(_statement, index, value.AsSpan()));

    /// <summary>Sets parameter <paramref name="index"/> (from 1) to an integer.</summary>
    public void Bind(int index, long value) => Check(raw.sqlite3_bind_int64(_statement, index, value));

    /// <summary>Runs the statement (one that returns no rows) with what is bound; returns the rows it changed.</summary>
    public int Run()
    {
        var rc = raw.sqlite3_step(_statement);
        try
        {
            if (rc == raw.SQLITE_ROW) throw new InvalidOperationException("a row statement returned rows");
            if (rc != raw.SQLITE_DONE) SqliteException.ThrowExceptionForRC(rc, _db); // its message read before the reset
            return raw.sqlite3_changes(_db);
        }
        finally
        {
            // Ready to run again whatever happened; the bindings stay for the next row.
            raw.sqlite3_reset(_statement);
        }
    }

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK) SqliteException.ThrowExceptionForRC(rc, _db);
    }

    /// <inheritdoc />
    public void Dispose() => _statement.Dispose();
}
