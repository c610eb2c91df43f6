using Microsoft.Data.Sqlite;
using Tgwatch.Validation;
using Tgwatch.Sqlite.Database;
using Tgwatch.Sqlite.State;
using Tgwatch.Storage;

namespace Tgwatch.Sqlite;

/// <summary>
/// Tgwatch's state in one SQLite file (<c>--state</c>, default <c>tgwatch.db</c> in the data directory):
/// checkpoints, processed keys, chat activity, dead letters, pending replies, the sink ledger and the
/// outbox. Safe for concurrent callers: one connection, entered by one caller at a time, with its
/// statements prepared once. Other processes (<c>tgwatch status</c>) may read the file meanwhile.
/// </summary>
/// <remarks>
/// <para>The file is created 0600 (its new directories 0700), kept in WAL mode with
/// <c>synchronous=NORMAL</c>: a commit that returned survives a process kill (<c>kill -9</c>); a power
/// loss may lose the last commits, never consistency (see <see cref="SqliteFile"/>).</para>
/// <para>Instants are stored as Unix milliseconds. The schema is versioned (<c>PRAGMA user_version</c>)
/// and migrated on open.</para>
/// </remarks>
public sealed class SqliteStateStore : IStateStore
{
    private readonly ConnectionGate _gate;
    private readonly ProcessedKeys _processed;
    private readonly SinkIds _sinkIds;
    private readonly TimeProvider _time;
    private KeyFilter? _filter;
    private readonly SqliteSinkLedger _ledger;

    private SqliteStateStore(ConnectionGate gate, TimeProvider time, SqliteStateStoreOptions options)
    {
        _filter = options.KeyFilter ? LoadFilter(gate, options) : null;
        _gate = gate;
        _time = time;
        Options = options;
        _sinkIds = new SinkIds(gate);
        _processed = new ProcessedKeys(gate, _sinkIds);
        DeadLetters = new SqliteDeadLetterStore(gate);
        PendingReplies = new SqlitePendingReplyStore(gate);
        PendingDownloads = new SqlitePendingReplyStore(gate, SqlitePendingReplyStore.Downloads);
        SinkLedger = _ledger = new SqliteSinkLedger(gate, time);
        Outbox = new SqliteOutbox(gate, time);
    }

    /// <summary>The schema version this code writes.</summary>
    public static int SchemaVersion => StateSchema.Schema.Version;

    /// <summary>The database file (full path).</summary>
    public string Path => _gate.Path;

    /// <summary>The options it was opened with.</summary>
    public SqliteStateStoreOptions Options { get; }

    /// <inheritdoc />
    public IDeadLetterStore DeadLetters { get; }

    /// <inheritdoc />
    public IPendingReplyStore PendingReplies { get; }

    /// <inheritdoc />
    public IPendingReplyStore PendingDownloads { get; }

    /// <inheritdoc />
    public ISinkLedger SinkLedger { get; }

    /// <inheritdoc />
    public IOutbox Outbox { get; }

    /// <summary>Opens (or creates) the store at <paramref name="path"/> with the default options.</summary>
    /// <exception cref="SqliteFileException">The file cannot be created, is not a state store, is corrupt, or is newer than this code.</exception>
    public static Task<SqliteStateStore> OpenAsync(string path, TimeProvider time, CancellationToken ct) =>
        OpenAsync(path, time, SqliteStateStoreOptions.Default, ct);

    /// <summary>Opens (or creates) the store at <paramref name="path"/>, migrating it to <see cref="SchemaVersion"/>.</summary>
    /// <exception cref="SqliteFileException">The file cannot be created, is not a state store, is corrupt, or is newer than this code.</exception>
    /// <exception cref="ArgumentException">The options are out of range (one line for each, <see cref="SqliteStateStoreOptionsValidator"/>).</exception>
    public static Task<SqliteStateStore> OpenAsync(string path, TimeProvider time, SqliteStateStoreOptions options, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(options);
        new SqliteStateStoreOptionsValidator().Check(options);
        return Task.Run(() =>
        {
            var connection = SqliteFile.Open(path, StateSchema.Schema, options.BusyTimeout);
            return new SqliteStateStore(new ConnectionGate(connection, System.IO.Path.GetFullPath(path)), time, options);
        }, ct);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyDictionary<string, long>> LoadCheckpointsAsync(string account, string connector, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(connector);
        using (await _gate.EnterAsync(ct).ConfigureAwait(false))
        {
            return StatusReader.LoadCheckpoints(_gate, account, connector);
        }
    }

    /// <inheritdoc />
    public async ValueTask ForgetCheckpointAsync(string account, string connector, string stream, CancellationToken ct)
    {
        using (await _gate.EnterAsync(ct).ConfigureAwait(false))
        {
            using var transaction = _gate.BeginWrite();
            var delete = _gate.Command("DELETE FROM checkpoints WHERE account = @account AND connector = @connector AND stream = @stream", transaction, "@account", "@connector", "@stream");
            delete.Parameters[0].Value = account;
            delete.Parameters[1].Value = connector;
            delete.Parameters[2].Value = stream;
            delete.ExecuteNonQuery();
            transaction.Commit();
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyDictionary<string, IReadOnlyList<string>>> FindProcessedAsync(IReadOnlyCollection<string> keys, IReadOnlyList<string> sinks, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(sinks);
        // Keys the filter has never seen are certainly new: only the others are looked up.
        if (Volatile.Read(ref _filter) is not { } filter)
            return keys.Count == 0 ? ValueTask.FromResult<IReadOnlyDictionary<string, IReadOnlyList<string>>>(Nothing) : _processed.FindAsync(keys, sinks, ct);
        List<string>? maybe = null;
        foreach (var key in keys)
            if (filter.MayContain(key)) (maybe ??= []).Add(key);
        return maybe is null ? ValueTask.FromResult<IReadOnlyDictionary<string, IReadOnlyList<string>>>(Nothing) : _processed.FindAsync(maybe, sinks, ct);
    }

    private static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> Nothing = new Dictionary<string, IReadOnlyList<string>>();

    /// <inheritdoc />
    /// <remarks>
    /// A key committed again is not counted again in its chat. Cancellation is honoured until the
    /// transaction commits; a cancelled or failed commit leaves the store as it was.
    /// </remarks>
    public async ValueTask CommitAsync(StoreCommit commit, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(commit);
        using (await _gate.EnterAsync(ct).ConfigureAwait(false))
        {
            CommitWriter.Write(_gate, _sinkIds, commit, ct, _ledger);
            if (_filter is not { } filter) return;
            foreach (var m in commit.Processed) filter.Add(m.Key);
            // Past its capacity the filter answers "maybe" too often: a fresh one, sized for more, is built.
            if (filter.Count > filter.Capacity) Volatile.Write(ref _filter, LoadFilter(_gate, Options));
        }
    }

    /// <summary>A filter of every processed key in the file, with room for twice as many (or the retention's maximum).</summary>
    private static KeyFilter LoadFilter(ConnectionGate gate, SqliteStateStoreOptions options)
    {
        var keys = (long)gate.Command("SELECT count(*) FROM processed", null).ExecuteScalar()!;
        var filter = new KeyFilter(Math.Max(Math.Min(options.MaxProcessedKeys, 4_000_000L), keys * 2));
        using var reader = gate.Command("SELECT key FROM processed", null).ExecuteReader();
        while (reader.Read()) filter.Add(reader.GetString(0));
        return filter;
    }

    /// <inheritdoc />
    /// <remarks>Age is when a key was processed. Deletes in chunks, each its own transaction, so commits go on meanwhile.</remarks>
    public ValueTask<int> PruneProcessedAsync(DateTimeOffset olderThan, int keepAtMost, CancellationToken ct) =>
        _processed.PruneAsync(olderThan, keepAtMost, ct);

    /// <summary>Prunes processed keys by <see cref="SqliteStateStoreOptions.ProcessedRetention"/> and <see cref="SqliteStateStoreOptions.MaxProcessedKeys"/>.</summary>
    public ValueTask<int> PruneProcessedAsync(CancellationToken ct) =>
        _processed.PruneAsync(_time.GetUtcNow() - Options.ProcessedRetention, Options.MaxProcessedKeys, ct);

    /// <inheritdoc />
    public async ValueTask RecordLinkAsync(LinkRecord link, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(link);
        using (await _gate.EnterAsync(ct).ConfigureAwait(false))
        {
            StatusReader.RecordLink(_gate, link);
        }
    }

    /// <inheritdoc />
    /// <remarks>Outbox sinks with nothing waiting are absent from <see cref="StoreStatus.Outbox"/>.</remarks>
    public async ValueTask<StoreStatus> GetStatusAsync(CancellationToken ct)
    {
        using (await _gate.EnterAsync(ct).ConfigureAwait(false))
        {
            return StatusReader.Read(_gate);
        }
    }

    /// <summary>Writes what the sinks' ledger holds for a commit that did not come, and closes the file (waiting for the caller inside, if any).</summary>
    public async ValueTask DisposeAsync()
    {
        _ledger.Close();
        try
        {
            await _ledger.FlushAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is SqliteException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            // Not written: each sink accounts for its lines past the recorded offset at its next start.
        }
        await _gate.DisposeAsync().ConfigureAwait(false);
    }
}
