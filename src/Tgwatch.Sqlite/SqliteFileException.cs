namespace Tgwatch.Sqlite;

/// <summary>
/// An SQLite file Tgwatch cannot use: not a database, corrupt, written by a newer Tgwatch, owned by
/// another program, or not readable or writable. The message is one line that names the file and
/// says what to do; the SQLite or I/O error, if any, is the inner exception.
/// </summary>
public sealed class SqliteFileException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">The file.</param>
    /// <param name="message">One line naming the file.</param>
    /// <param name="inner">The underlying error, if any.</param>
    public SqliteFileException(string path, string message, Exception? inner = null)
        : base(message, inner) => Path = path;

    /// <summary>The file.</summary>
    public string Path { get; }
}
