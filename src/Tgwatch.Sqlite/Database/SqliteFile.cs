using System.Globalization;
using Microsoft.Data.Sqlite;
using Tgwatch.Formatting;
using Tgwatch.Storage;

namespace Tgwatch.Sqlite.Database;

/// <summary>
/// Opens a Tgwatch database file: creates it 0600 (its new directories 0700) before SQLite touches it,
/// switches it to WAL with <c>synchronous=NORMAL</c>, sets the busy timeout, and migrates it to its
/// schema. Every reason it cannot be used becomes one <see cref="SqliteFileException"/> line.
/// </summary>
/// <remarks>
/// Durability: in WAL mode with <c>synchronous=NORMAL</c> a committed transaction is in the WAL file
/// (the operating system's cache) when the commit returns, so it survives a kill of the process
/// (<c>kill -9</c>); only a power loss or kernel crash can lose the last transactions before the next
/// checkpoint. The file is never left corrupt either way.
/// </remarks>
public static class SqliteFile
{
    /// <summary>SQLite's side files of a database in WAL mode, made with the umask's mode and so tightened after opening.</summary>
    private static readonly string[] SideFileSuffixes = ["-wal", "-shm"];

    /// <summary>Opens <paramref name="path"/> and brings it to <paramref name="schema"/>.</summary>
    /// <param name="path">The database file.</param>
    /// <param name="schema">What it holds.</param>
    /// <param name="busyTimeout">How long a statement waits for another process's lock.</param>
    /// <exception cref="SqliteFileException">The file cannot be created, opened, read or migrated.</exception>
    public static SqliteConnection Open(string path, SqliteSchema schema, TimeSpan busyTimeout)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentOutOfRangeException.ThrowIfLessThan(busyTimeout, TimeSpan.Zero);
        var full = System.IO.Path.GetFullPath(path);
        try
        {
            PrivateFiles.EnsureFile(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SqliteFileException(full, $"{schema.Role} {full}: cannot create it: {e.Message}", e);
        }

        var connection = Connection(full, schema, new SqliteConnectionStringBuilder
        {
            DataSource = full,
            // The file exists (made above with its mode); never let SQLite create one with the umask's mode.
            Mode = SqliteOpenMode.ReadWrite,
            // One long-lived connection per opener: closing it must release the file.
            Pooling = false,
            // Microsoft.Data.Sqlite retries a busy statement until this many seconds; 0 would mean forever.
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(busyTimeout.TotalSeconds)),
        }.ToString());
        try
        {
            connection.Open();
            Execute(connection, string.Create(CultureInfo.InvariantCulture, $"PRAGMA busy_timeout = {(long)busyTimeout.TotalMilliseconds}"));
            var mode = Convert.ToString(Scalar(connection, "PRAGMA journal_mode = WAL"), CultureInfo.InvariantCulture);
            if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
                throw new SqliteFileException(full, $"{schema.Role} {full}: cannot switch to WAL journal (got '{mode}'); is the file or its directory read-only?");
            Execute(connection, "PRAGMA synchronous = NORMAL");
            schema.Functions?.Invoke(connection);
            Migrator.Apply(connection, schema, full);
            foreach (var suffix in SideFileSuffixes) PrivateFiles.Tighten(full + suffix);
            return connection;
        }
        catch (SqliteException e)
        {
            connection.Dispose();
            throw new SqliteFileException(full, $"{schema.Role} {full}: {Describe(e)}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            connection.Dispose();
            throw new SqliteFileException(full, $"{schema.Role} {full}: {e.Message}", e);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>What an SQLite error means for a file that is being opened, in a few words.</summary>
    internal static string Describe(SqliteException e) => e.SqliteErrorCode switch
    {
        26 => "not an SQLite database (or encrypted); choose another file",               // SQLITE_NOTADB
        11 => "the database is corrupt; move it away and start again",                    // SQLITE_CORRUPT
        14 => "cannot open the file (missing directory or no permission)",                // SQLITE_CANTOPEN
        3 or 8 or 23 => "no permission to write the file",                                // SQLITE_PERM, READONLY, AUTH
        13 => "the disk is full",                                                         // SQLITE_FULL
        10 => "I/O error reading or writing the file",                                    // SQLITE_IOERR
        5 or 6 => "the file is locked by another process",                                // SQLITE_BUSY, LOCKED
        _ => TextLines.FirstLine(e.Message),
    };


    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    /// <summary>
    /// A connection (not opened). SQLite itself is a native library shipped beside the program (libe_sqlite3.so); when it
    /// cannot be loaded, Microsoft.Data.Sqlite fails in its type initializer, for this and every later connection.
    /// </summary>
    private static SqliteConnection Connection(string full, SqliteSchema schema, string connectionString)
    {
        try
        {
            return new SqliteConnection(connectionString);
        }
        catch (TypeInitializationException e) when (Unloadable(e) is { } missing)
        {
            throw new SqliteFileException(full, $"{schema.Role} {full}: cannot load SQLite's library (libe_sqlite3.so), which belongs beside the tgwatch program (copy it there with the program)", missing);
        }
    }

    private static Exception? Unloadable(Exception e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
            if (inner is DllNotFoundException or BadImageFormatException or EntryPointNotFoundException) return inner;
        return null;
    }
}
