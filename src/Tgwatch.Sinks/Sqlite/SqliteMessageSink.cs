using Microsoft.Data.Sqlite;
using Tgwatch.Messages;
using Tgwatch.Pipeline;
using Tgwatch.Sqlite;
using Tgwatch.Sqlite.Database;
using Tgwatch.Storage;

namespace Tgwatch.Sinks.Sqlite;

/// <summary>
/// The <c>sqlite</c> sink (<c>--sink sqlite:PATH</c>): messages in their own SQLite file, table
/// <c>messages</c>, one row per <see cref="TgMessage.Key"/>. Writing a batch again changes nothing.
/// A reply update inserts no row: it resolves the reply of the stored rows of that message whose
/// reply is unresolved (columns and <c>json</c>). One transaction per batch.
/// </summary>
/// <remarks>
/// One writer per file: the sink holds an exclusive <c>flock</c> on the database while it is open, and a second sink on
/// it (another run or import, whatever its state store) is refused. <see cref="ReopenAsync"/> (SIGHUP) goes on in the
/// database at the path when the one held was moved away or replaced.
/// The file is created 0600 (its new directories 0700) and kept in WAL mode with
/// <c>synchronous=NORMAL</c>: a batch whose write returned survives a process kill. Dates are Unix
/// seconds; <c>json</c> is the JSONL contract record. Query by <c>(chat_id, date)</c> or
/// <c>(chat_id, message_id)</c>: both are indexed.
/// </remarks>
public sealed class SqliteMessageSink : IMessageSink
{
    private const int CancellationStride = 256;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly TimeProvider _time;
    private readonly TimeSpan _busyTimeout;
    private ExclusiveFileLock? _writer;
    private FileIdentity? _identity;
    private SqliteConnection? _connection;
    private MessageRowWriter? _rows;
    private bool _disposed;

    /// <summary>A sink writing to <paramref name="path"/> (created when missing).</summary>
    /// <param name="path">The database file.</param>
    /// <param name="time">Clock for <c>inserted_at</c>; the system clock when null.</param>
    /// <param name="name">The sink's name in the pipeline.</param>
    /// <param name="busyTimeout">How long a write waits for another process reading or writing the file; 5 s when null.</param>
    public SqliteMessageSink(string path, TimeProvider? time = null, string name = "sqlite", TimeSpan? busyTimeout = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentException.ThrowIfNullOrEmpty(name);
        Path = System.IO.Path.GetFullPath(path);
        Name = name;
        _time = time ?? TimeProvider.System;
        _busyTimeout = busyTimeout ?? TimeSpan.FromSeconds(5);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>The database file (full path).</summary>
    public string Path { get; }

    /// <summary>The schema version this code writes.</summary>
    public static int SchemaVersion => MessagesSchema.Schema.Version;

    /// <inheritdoc />
    /// <exception cref="SqliteFileException">The file cannot be created, is not a message database, is corrupt, or is newer than this code.</exception>
    public async ValueTask StartAsync(CancellationToken ct)
    {
        await _lock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            EnsureOpen();
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <inheritdoc />
    /// <remarks>Opens the file first if <see cref="StartAsync"/> was not called. A cancelled or failed batch writes nothing.</remarks>
    public async ValueTask WriteAsync(IReadOnlyList<TgMessage> batch, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count == 0) return;
        await _lock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            // Moved away or replaced (log rotation) since the last batch: the batch goes to the file now at the path.
            if (_identity is { } held && FileIdentity.Of(Path) != held) Close();
            var rows = EnsureOpen();
            ct.ThrowIfCancellationRequested();
            using var transaction = _connection!.BeginTransaction(deferred: false);
            rows.Begin(_time.GetUtcNow().ToUnixTimeSeconds());
            for (var i = 0; i < batch.Count; i++)
            {
                if (i % CancellationStride == CancellationStride - 1) ct.ThrowIfCancellationRequested();
                rows.Write(batch[i]);
            }
            ct.ThrowIfCancellationRequested();
            transaction.Commit();
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <inheritdoc />
    /// <exception cref="SqliteFileException">The database now at the path cannot be opened (the next write tries again).</exception>
    public async ValueTask ReopenAsync(CancellationToken ct)
    {
        await _lock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_disposed || _rows is null || (_identity is { } held && FileIdentity.Of(Path) == held)) return;
            Close();
            EnsureOpen();
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _lock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed) return;
            _disposed = true;
            Close();
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>
    /// Closes the connection, then releases the lock (closing the lock's own descriptor first would drop SQLite's locks).
    /// The write-ahead log is folded into the database first: a database moved away (log rotation) leaves its log behind
    /// under the old name, where the next file at the path would take it for its own and drop it.
    /// </summary>
    private void Close()
    {
        if (_connection is { } connection)
        {
            try
            {
                using var checkpoint = connection.CreateCommand();
                checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
                checkpoint.ExecuteNonQuery();
            }
            catch (SqliteException)
            {
                // Closing folds the log in as well, when it can.
            }
        }
        _rows?.Dispose();
        _connection?.Dispose();
        _writer?.Dispose();
        _rows = null;
        _connection = null;
        _writer = null;
        _identity = null;
    }

    private MessageRowWriter EnsureOpen()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_rows is not null) return _rows;
        var writer = TakeLock();
        try
        {
            _connection = SqliteFile.Open(Path, MessagesSchema.Schema, _busyTimeout);
        }
        catch
        {
            writer.Dispose();
            throw;
        }
        _writer = writer;
        _identity = FileIdentity.Of(Path);
        _rows = new MessageRowWriter(_connection);
        return _rows;
    }

    /// <summary>The lock on the database file (created 0600, in directories 0700, when missing).</summary>
    private ExclusiveFileLock TakeLock()
    {
        try
        {
            if (System.IO.Path.GetDirectoryName(Path) is { Length: > 0 } directory) PrivateDirectory.Create(directory);
            return ExclusiveFileLock.TryAcquire(Path)
                ?? throw new SqliteFileException(Path, $"sqlite sink {Path}: in use by another writer (another tgwatch run or import); one writer per file");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SqliteFileException(Path, $"sqlite sink {Path}: {(File.Exists(Path) ? "cannot open it" : "cannot create it")}: {e.Message}", e);
        }
    }
}
