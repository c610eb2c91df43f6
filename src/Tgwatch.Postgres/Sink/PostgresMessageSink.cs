using Npgsql;
using NpgsqlTypes;
using Tgwatch.Messages;
using Tgwatch.Pipeline;
using Tgwatch.Postgres.Database;

namespace Tgwatch.Postgres.Sink;

/// <summary>
/// The <c>postgres</c> sink (<c>--sink postgres:CONNECTION-STRING</c>): messages in table <c>tgwatch_messages</c>, one
/// row per <see cref="TgMessage.Key"/>. A batch is one transaction: its rows go in by binary COPY straight into the table;
/// when one of its keys is there already, by binary COPY into a temporary table, then one <c>INSERT … ON CONFLICT (key) DO
/// UPDATE</c>; writing a batch again changes nothing. A reply update
/// inserts no row: it resolves the reply in the <c>record</c> of the stored rows of its message whose reply is unresolved.
/// </summary>
/// <remarks>
/// The sink holds one connection (the temporary table lives in it); a connection that broke is replaced at the next
/// batch. The table is versioned (<c>tgwatch_schema</c>, role <c>messages</c>) and created or migrated on start. The
/// sink is named by host, port and database; the connection string's password is never shown.
/// </remarks>
public sealed class PostgresMessageSink : IMessageSink
{
    private static readonly string[] KindNames = ["new", "edit", "delete"];
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly PostgresTarget _target;
    private readonly TgMessageJsonWriter _records = new();
    private NpgsqlDataSource? _source;
    private NpgsqlConnection? _connection;
    private bool _disposed;

    /// <summary>A sink writing to the database of <paramref name="target"/>.</summary>
    /// <param name="target">The database.</param>
    /// <param name="name">The sink's name in the pipeline; <see cref="PostgresTarget.Name"/> when null.</param>
    public PostgresMessageSink(PostgresTarget target, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        _target = target;
        Name = name ?? target.Name;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>The schema version this code writes.</summary>
    public static int SchemaVersion => MessagesTable.Schema.Version;

    /// <inheritdoc />
    /// <exception cref="PostgresOpenException">The server cannot be reached or refuses the login; no such database; a table newer than this code.</exception>
    public async ValueTask StartAsync(CancellationToken ct)
    {
        await _lock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await EnsureOpenAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <inheritdoc />
    /// <remarks>Opens the database first if <see cref="StartAsync"/> was not called. A cancelled or failed batch writes nothing.</remarks>
    public async ValueTask WriteAsync(IReadOnlyList<TgMessage> batch, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count == 0) return;
        await _lock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var connection = await EnsureOpenAsync(ct).ConfigureAwait(false);
            try
            {
                await WriteBatchAsync(connection, batch, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException || connection.FullState.HasFlag(System.Data.ConnectionState.Broken))
            {
                // The next batch starts on a new connection (and a new temporary table).
                await CloseConnectionAsync().ConfigureAwait(false);
                throw;
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    // After a batch that held a key already stored (a redelivery after a crash), the next ones likely do too: they go
    // through the upsert at once rather than after a refused copy.
    private const int UpsertAfterConflict = 16;
    private int _upsertsLeft;

    private async Task WriteBatchAsync(NpgsqlConnection connection, IReadOnlyList<TgMessage> batch, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        List<(int Ord, TgMessage Message)> rows = new(batch.Count);
        List<TgMessage>? replies = null;
        List<TgMessage>? downloads = null;
        for (var i = 0; i < batch.Count; i++)
        {
            var m = batch[i];
            if (m.IsReplyUpdate)
            {
                if (m.ReplyTo is not null) (replies ??= []).Add(m);
            }
            else if (m.IsMediaUpdate)
            {
                if (m.Media?.Download is not null) (downloads ??= []).Add(m);
            }
            else
            {
                rows.Add((i, m));
            }
        }
        if (rows.Count > 0 && _upsertsLeft == 0)
        {
            // The rows copied straight into the table, as fast as PostgreSQL takes rows in; a key already there (or twice in
            // the batch) refuses the whole copy, and the batch goes again through the upsert, which writes each key once.
            var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            try
            {
                await CopyAsync(connection, MessagesTable.CopyRows, rows, withOrd: false, _records, ct).ConfigureAwait(false);
                await UpdatesAsync(connection, transaction, replies, downloads, ct).ConfigureAwait(false);
                ct.ThrowIfCancellationRequested();
                await transaction.CommitAsync(ct).ConfigureAwait(false);
                return;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                _upsertsLeft = UpsertAfterConflict;
            }
            finally
            {
                await transaction.DisposeAsync().ConfigureAwait(false);
            }
        }
        else if (_upsertsLeft > 0)
        {
            _upsertsLeft--;
        }
        await using (var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false))
        {
            if (rows.Count > 0)
            {
                await using (var create = new NpgsqlCommand(MessagesTable.CreateBatchTable, connection, transaction))
                    await create.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                await CopyAsync(connection, MessagesTable.CopyBatch, rows, withOrd: true, _records, ct).ConfigureAwait(false);
                await using var upsert = new NpgsqlCommand(MessagesTable.Upsert, connection, transaction);
                await upsert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
            await UpdatesAsync(connection, transaction, replies, downloads, ct).ConfigureAwait(false);
            ct.ThrowIfCancellationRequested();
            await transaction.CommitAsync(ct).ConfigureAwait(false);
        }
    }

    private static async Task CopyAsync(NpgsqlConnection connection, string command, List<(int Ord, TgMessage Message)> rows, bool withOrd, TgMessageJsonWriter records, CancellationToken ct)
    {
        // The server reads what it is sent in the connection's client encoding: the record's UTF-8 goes as it is only when that
        // is UTF-8 (the default); otherwise as a string, which Npgsql encodes as the connection string says (Encoding=).
        var utf8 = !connection.PostgresParameters.TryGetValue("client_encoding", out var encoding)
            || string.Equals(encoding, "UTF8", StringComparison.OrdinalIgnoreCase);
        await using var copy = await connection.BeginBinaryImportAsync(command, ct).ConfigureAwait(false);
        foreach (var (ord, m) in rows)
        {
            await copy.StartRowAsync(ct).ConfigureAwait(false);
            if (withOrd) await copy.WriteAsync(ord, NpgsqlDbType.Integer, ct).ConfigureAwait(false);
            await copy.WriteAsync(m.Key, NpgsqlDbType.Text, ct).ConfigureAwait(false);
            await copy.WriteAsync(m.Account, NpgsqlDbType.Text, ct).ConfigureAwait(false);
            await copy.WriteAsync(m.Connector, NpgsqlDbType.Text, ct).ConfigureAwait(false);
            await copy.WriteAsync(m.Chat.Id, NpgsqlDbType.Bigint, ct).ConfigureAwait(false);
            await copy.WriteAsync(m.MessageId, NpgsqlDbType.Bigint, ct).ConfigureAwait(false);
            await copy.WriteAsync(KindNames[(int)m.Kind], NpgsqlDbType.Text, ct).ConfigureAwait(false);
            await copy.WriteAsync(m.Date.UtcDateTime, NpgsqlDbType.TimestampTz, ct).ConfigureAwait(false);
            await WriteOrNullAsync(copy, m.EditDate?.UtcDateTime, NpgsqlDbType.TimestampTz, ct).ConfigureAwait(false);
            await WriteOrNullAsync(copy, m.Sender?.Id, NpgsqlDbType.Bigint, ct).ConfigureAwait(false);
            if (m.Text is { } text) await copy.WriteAsync(text, NpgsqlDbType.Text, ct).ConfigureAwait(false);
            else await copy.WriteNullAsync(ct).ConfigureAwait(false);
            // The record's UTF-8 as it is sent (jsonb takes UTF-8), made into the writer's one buffer as it is written.
            if (utf8) await copy.WriteAsync(records.Write(m), NpgsqlDbType.Jsonb, ct).ConfigureAwait(false);
            else await copy.WriteAsync(TgMessageJson.ToJson(m), NpgsqlDbType.Jsonb, ct).ConfigureAwait(false);
        }
        await copy.CompleteAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Reply updates and ended downloads: changes to rows already stored, in the batch's transaction.</summary>
    private static async Task UpdatesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, List<TgMessage>? replies, List<TgMessage>? downloads, CancellationToken ct)
    {
        if (replies is not null)
        {
            await using var resolve = new NpgsqlCommand(MessagesTable.ResolveReplies, connection, transaction);
            resolve.Parameters.AddWithValue("accounts", replies.Select(r => r.Account).ToArray());
            resolve.Parameters.AddWithValue("chats", replies.Select(r => r.Chat.Id).ToArray());
            resolve.Parameters.AddWithValue("messages", replies.Select(r => r.MessageId).ToArray());
            resolve.Parameters.AddWithValue("states", replies.Select(r => r.ReplyTo!.State == ReplyState.Resolved ? "resolved" : "unresolved").ToArray());
            resolve.Parameters.AddWithValue("texts", replies.Select(r => r.ReplyTo!.Text).ToArray());
            await resolve.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        if (downloads is not null)
        {
            await using var end = new NpgsqlCommand(MessagesTable.EndDownloads, connection, transaction);
            end.Parameters.AddWithValue("accounts", downloads.Select(r => r.Account).ToArray());
            end.Parameters.AddWithValue("chats", downloads.Select(r => r.Chat.Id).ToArray());
            end.Parameters.AddWithValue("messages", downloads.Select(r => r.MessageId).ToArray());
            end.Parameters.AddWithValue("records", downloads.Select(r => TgMessageJson.ToJson(r)).ToArray());
            await end.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
    }

    private static async Task WriteOrNullAsync<T>(NpgsqlBinaryImporter copy, T? value, NpgsqlDbType type, CancellationToken ct) where T : struct
    {
        if (value is { } v) await copy.WriteAsync(v, type, ct).ConfigureAwait(false);
        else await copy.WriteNullAsync(ct).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _lock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed) return;
            _disposed = true;
            await CloseConnectionAsync().ConfigureAwait(false);
            _records.Dispose();
            if (_source is { } source) await source.DisposeAsync().ConfigureAwait(false);
            _source = null;
        }
        finally
        {
            _lock.Release();
        }
    }

    private async Task CloseConnectionAsync()
    {
        if (_connection is { } connection) await connection.DisposeAsync().ConfigureAwait(false);
        _connection = null;
    }

    /// <summary>The sink's connection; the table migrated at the first open.</summary>
    private async Task<NpgsqlConnection> EnsureOpenAsync(CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_connection is { } open) return open;
        _source ??= await PgDatabase.OpenAsync(_target, MessagesTable.Schema, ct).ConfigureAwait(false);
        return _connection = await _source.OpenConnectionAsync(ct).ConfigureAwait(false);
    }
}
