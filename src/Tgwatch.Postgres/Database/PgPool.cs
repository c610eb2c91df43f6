using Npgsql;

namespace Tgwatch.Postgres.Database;

/// <summary>
/// The pool of connections of a store: every call takes a connection for its own work and gives it back, so callers run
/// at once (PostgreSQL serializes what must be). A cancelled token is refused before a connection is taken.
/// </summary>
internal sealed class PgPool(NpgsqlDataSource source, string name) : IAsyncDisposable
{
    private volatile bool _disposed;

    /// <summary>The database, as messages name it.</summary>
    public string Name { get; } = name;

    /// <summary>An open connection; dispose it to give it back.</summary>
    public async ValueTask<NpgsqlConnection> OpenAsync(CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        if (_disposed) throw new ObjectDisposedException(nameof(PostgresStateStore), $"the state store {Name} is closed");
        return await source.OpenConnectionAsync(ct).ConfigureAwait(false);
    }

    /// <summary>A command on <paramref name="connection"/> with its parameters (name, value) in order.</summary>
    public static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var (n, v) in parameters) command.Parameters.AddWithValue(n, v ?? DBNull.Value);
        return command;
    }

    /// <summary>Runs a statement; returns the rows it changed.</summary>
    public static async Task<int> ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken ct, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Runs a query of one value.</summary>
    public static async Task<object?> ScalarAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken ct, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        var value = await command.ExecuteScalarAsync(ct).ConfigureAwait(false);
        return value is DBNull ? null : value;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _disposed = true;
        return source.DisposeAsync();
    }
}
