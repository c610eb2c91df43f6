using Microsoft.Data.Sqlite;
using Tgwatch.Messages;
using Tgwatch.Pipeline;
using Tgwatch.Sqlite;
using Tgwatch.Sqlite.Database;

namespace Tgwatch.Sinks.Sqlite;

/// <summary>
/// The <c>sqlite</c> sink (<c>--sink sqlite:PATH</c>): messages in their own SQLite file, table
/// <c>messages</c>, one row per <see cref="TgMessage.Key"/>. Writing a batch again changes nothing.
/// A reply update inserts no row: it resolves the reply of the stored rows of that message whose
/// reply is unresolved (columns and <c>json</c>). One transaction per batch.
/// </summary>
/// <remarks>
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
            var rows = EnsureOpen();
            ct.ThrowIfCancellationRequested();
            using var transaction = _connection!.BeginTransaction(deferred: false);
            rows.Begin(transaction, _time.GetUtcNow().ToUnixTimeSeconds());
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
    public async ValueTask DisposeAsync()
    {
        await _lock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed) return;
            _disposed = true;
            _rows?.Dispose();
            _connection?.Dispose();
        }
        finally
        {
            _lock.Release();
        }
    }

    private MessageRowWriter EnsureOpen()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_rows is not null) return _rows;
        _connection = SqliteFile.Open(Path, MessagesSchema.Schema, _busyTimeout);
        _rows = new MessageRowWriter(_connection);
        return _rows;
    }
}
