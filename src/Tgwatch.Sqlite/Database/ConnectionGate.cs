using Microsoft.Data.Sqlite;

namespace Tgwatch.Sqlite.Database;

/// <summary>
/// One connection shared by concurrent callers, one at a time: callers enter (asynchronously), use the
/// connection and its prepared commands, and leave. Prepared commands are kept by their SQL for the
/// life of the connection, so a statement is compiled once and re-bound on every use.
/// </summary>
/// <remarks>
/// Microsoft.Data.Sqlite's <c>*Async</c> methods run synchronously, so the store uses the synchronous
/// ones inside the gate; only waiting for the gate is asynchronous.
/// </remarks>
internal sealed class ConnectionGate : IAsyncDisposable
{
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PreparedStatement> _prepared = new(StringComparer.Ordinal);
    private readonly SqliteConnection _connection;
    private bool _disposed;

    public ConnectionGate(SqliteConnection connection, string path)
    {
        _connection = connection;
        Path = path;
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>Waits for the connection; dispose the lease to leave.</summary>
    public async ValueTask<Lease> EnterAsync(CancellationToken ct)
    {
        await _lock.WaitAsync(ct).ConfigureAwait(false);
        if (_disposed)
        {
            _lock.Release();
            throw new ObjectDisposedException(nameof(SqliteStateStore), $"the state store {Path} is closed");
        }
        return new Lease(this);
    }

    /// <summary>A write transaction (<c>BEGIN IMMEDIATE</c>); only inside a lease.</summary>
    public SqliteTransaction BeginWrite() => _connection.BeginTransaction(deferred: false);

    /// <summary>A read transaction (one snapshot); only inside a lease.</summary>
    public SqliteTransaction BeginRead() => _connection.BeginTransaction(deferred: true);

    /// <summary>
    /// The prepared command for <paramref name="sql"/>, with <paramref name="parameters"/> in this order
    /// (set them by index), enlisted in <paramref name="transaction"/>; only inside a lease.
    /// </summary>
    public SqliteCommand Command(string sql, SqliteTransaction? transaction, params ReadOnlySpan<string> parameters)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = _connection.CreateCommand();
            command.CommandText = sql;
            foreach (var name in parameters) command.Parameters.Add(new SqliteParameter(name, null));
            _commands.Add(sql, command);
        }
        command.Transaction = transaction;
        return command;
    }

    /// <summary>
    /// The compiled statement for <paramref name="sql"/> on the commit's path (parameters <c>?1</c>, <c>?2</c>…,
    /// bound by position); it runs in the connection's transaction. Only inside a lease.
    /// </summary>
    public PreparedStatement Prepared(string sql)
    {
        if (!_prepared.TryGetValue(sql, out var statement))
        {
            statement = new PreparedStatement(_connection, sql);
            _prepared.Add(sql, statement);
        }
        return statement;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _lock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed) return;
            _disposed = true;
            foreach (var command in _commands.Values) command.Dispose();
            _commands.Clear();
            foreach (var statement in _prepared.Values) statement.Dispose();
            _prepared.Clear();
            _connection.Dispose();
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Holds the connection until disposed.</summary>
    public readonly struct Lease(ConnectionGate gate) : IDisposable
    {
        /// <summary>Leaves the gate.</summary>
        public void Dispose() => gate._lock.Release();
    }
}
