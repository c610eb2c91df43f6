using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Tgwatch.Formatting;
using Tgwatch.Pipeline;
using Tgwatch.Sinks.Jsonl;
using Tgwatch.Sinks.Sqlite;
using Tgwatch.Sqlite;
using Tgwatch.Storage;

namespace Tgwatch.Cli.Hosting;

/// <summary>
/// The state store and the sinks of a command, opened together and closed together. While they are open, SIGHUP makes
/// the sinks go on in the files now at their paths (logrotate's <c>postrotate</c>) and never ends the command.
/// </summary>
internal sealed class StateAndSinks : IAsyncDisposable
{
    private readonly ExclusiveFileLock? _writer;
    private readonly ILogger _logger;
    private readonly PosixSignalRegistration? _hangup;
    private bool _sinksClosed;

    private StateAndSinks(ExclusiveFileLock? writer, IStateStore store, IReadOnlyList<IMessageSink> sinks, ILoggerFactory logs)
    {
        _writer = writer;
        Store = store;
        Sinks = sinks;
        _logger = logs.CreateLogger("Tgwatch.Sinks");
        if (!OperatingSystem.IsWindows()) _hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnHangup);
    }

    public IStateStore Store { get; }

    public IReadOnlyList<IMessageSink> Sinks { get; }

    /// <summary>The sinks of type <typeparamref name="T"/> (whatever wraps them).</summary>
    public IEnumerable<T> SinksOf<T>() where T : IMessageSink => Sinks.Select(s => s is StartedSink started ? started.Inner : s).OfType<T>();

    /// <summary>
    /// Opens the store at <paramref name="statePath"/> for writing (one writer at a time: a second <c>run</c>, <c>import</c> or
    /// <c>deadletters replay</c> on the same store is refused), then creates and starts the sinks (webhooks with
    /// <paramref name="webhookTimeout"/> per request when given; alert chats posting through <paramref name="poster"/>; the file sinks'
    /// files each locked, one writer per file);
    /// a problem is one line in a <see cref="CliException"/> (exit code 2), before anything is received: a sink on the state
    /// store's file or on another sink's, a file another command writes or one that is not the sink's, a sink that cannot be opened.
    /// <paramref name="beforeSinks"/> runs once the store is open, before any sink is; an outbox sink waits up to <paramref name="outboxDrain"/>
    /// (when given) at its close for what it queued to go.
    /// </summary>
    public static async Task<StateAndSinks> OpenAsync(string statePath, IReadOnlyList<SinkSpec> specs, ILoggerFactory logs, string? webhookSecret, CancellationToken ct, TimeSpan? webhookTimeout = null,
        Tgwatch.Connectors.IChatPoster? poster = null, Func<IStateStore, CancellationToken, Task>? beforeSinks = null, TimeSpan? outboxDrain = null)
    {
        // A state store in PostgreSQL has no file to share with a sink, nor a lock file: several runners may share the database.
        var inDatabase = PostgresState.Is(statePath);
        CheckFiles(statePath, specs);
        var writer = inDatabase ? null : TakeWriterLock(statePath);
        IStateStore store;
        try
        {
            store = await OpenStoreAsync(statePath, ct).ConfigureAwait(false);
        }
        catch
        {
            writer?.Dispose();
            throw;
        }
        var sinks = new List<IMessageSink>();
        try
        {
            // A runner of a shared store waits here as standby: its sinks are opened once it is the active one.
            if (beforeSinks is not null) await beforeSinks(store, ct).ConfigureAwait(false);
            foreach (var spec in specs)
            {
                IMessageSink sink;
                try
                {
                    sink = spec.Create(store, logs, TimeProvider.System, webhookSecret, webhookTimeout, poster, outboxDrain);
                }
                catch (Exception e) when (IsFileProblem(e))
                {
                    throw new CliException(ExitCodes.Usage, $"--sink {spec.Given}: {Reason(e, spec.File)}");
                }
                try
                {
                    // Opened here, so a sink that cannot be is said like a state store that cannot: one line, before any message moves.
                    await sink.StartAsync(ct).ConfigureAwait(false);
                }
                catch (Exception e) when (IsFileProblem(e))
                {
                    await sink.DisposeAsync().ConfigureAwait(false);
                    throw new CliException(ExitCodes.Usage, $"--sink {spec.Given} cannot be opened: {Reason(e, spec.File)}");
                }
                sinks.Add(new StartedSink(sink, spec.Route, logs.CreateLogger("Tgwatch.Pipeline")));
            }
        }
        catch
        {
            foreach (var s in sinks) await s.DisposeAsync().ConfigureAwait(false);
            await store.DisposeAsync().ConfigureAwait(false);
            writer?.Dispose();
            throw;
        }
        return new StateAndSinks(writer, store, sinks, logs);
    }

    /// <summary>Keeps SIGHUP from ending the process while the registration lives (null off Unix).</summary>
    public static PosixSignalRegistration? IgnoreHangup() =>
        OperatingSystem.IsWindows() ? null : PosixSignalRegistration.Create(PosixSignal.SIGHUP, context => context.Cancel = true);

    private void OnHangup(PosixSignalContext context)
    {
        context.Cancel = true; // SIGHUP would end the process
        _ = ReopenAsync();
    }

    private async Task ReopenAsync()
    {
        CliLog.Reopening(_logger);
        foreach (var sink in Sinks)
        {
            try
            {
                await sink.ReopenAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or SqliteFileException)
            {
                CliLog.ReopenFailed(_logger, sink.Name, TextLines.FirstLine(e.Message));
            }
            catch (ObjectDisposedException)
            {
                return; // the command is closing its sinks
            }
            catch (Exception e)
            {
                CliLog.ReopenBug(_logger, sink.Name, e);
            }
        }
    }

    /// <summary>
    /// Refuses a jsonl or sqlite sink on the state store's file (or its lock, journal, WAL or received journal), and two sinks on one file: each would
    /// write over what the other keeps.
    /// </summary>
    private static void CheckFiles(string statePath, IReadOnlyList<SinkSpec> specs)
    {
        var state = PostgresState.Is(statePath) ? null : SinkSpec.FinalPath(statePath);
        string[] stateFiles = state is null ? [] : [state, state + "-wal", state + "-shm", state + "-journal", statePath + ".lock"];
        var seen = new Dictionary<string, SinkSpec>(StringComparer.Ordinal);
        foreach (var spec in specs)
        {
            if (spec.File is not { } file) continue;
            // The Bot API's received journal (STATE.received-botID) is the state store's too: it holds what Telegram has forgotten.
            if (stateFiles.Contains(file, StringComparer.Ordinal) || (state is not null && file.StartsWith(state + DataPaths.ReceivedJournalInfix, StringComparison.Ordinal)))
                throw new CliException(ExitCodes.Usage, $"--sink {spec.Given} is the state store's file ({statePath}); give the sink a file of its own");
            if (seen.TryGetValue(file, out var other))
                throw new CliException(ExitCodes.Usage, $"--sink {other.Given} and --sink {spec.Given} are the same file; give each sink a file of its own");
            seen[file] = spec;
        }
    }

    private static bool IsFileProblem(Exception e) => e is ArgumentException or IOException or UnauthorizedAccessException or SqliteFileException or Postgres.Database.PostgresOpenException;

    /// <summary>Why a file cannot be used, in words (not naming the file, which the line names already).</summary>
    internal static string Reason(Exception e, string? path)
    {
        switch (e)
        {
            case Postgres.Database.PostgresOpenException p:
                // "postgres sink postgres://h:5432/db: cannot connect: …": the line names the sink already.
                return AfterPath(p.Message, p.Target) ?? p.Message;
            case SqliteFileException s:
                var reason = AfterPath(s.Message, s.Path) ?? s.Message;
                foreach (var doing in (string[])["cannot create it", "cannot open it"])
                    if (s.InnerException is IOException or UnauthorizedAccessException && reason.StartsWith(doing, StringComparison.Ordinal))
                        return $"{doing}: {Reason(s.InnerException, path)}";
                return TextLines.FirstLine(reason);
            case ArgumentException when path is not null && Directory.Exists(path):
                return "a directory, not a file; give a file of its own";
            case UnauthorizedAccessException:
                return "permission denied";
            case FileNotFoundException or DirectoryNotFoundException:
                return "no such file or directory (this file system does not let it be created)";
            case IOException when e.HResult > 0 && e.HResult < 4096:
                // On Unix the error number of the failed system call; its text is the system's own ("Read-only file system").
                var text = System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(e.HResult);
                return text.Length > 1 ? char.ToLowerInvariant(text[0]) + text[1..] : text;
            default:
                // An ArgumentException's message ends with " (Parameter 'Path')", which says nothing to the user.
                var message = TextLines.FirstLine(e is ArgumentException { ParamName: { } name } ? e.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal) : e.Message);
                if (path is null) return message;
                return AfterPath(message, path) ?? message.Replace($" '{path}'", "", StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// What follows the file's name in a message that names it first ("sqlite sink /x.db: not an SQLite database…", "jsonl sink
    /// /x.jsonl: in use by another writer…"): the reason, for a line that names the file already; null when it does not.
    /// </summary>
    private static string? AfterPath(string message, string path)
    {
        var at = message.IndexOf(path + ": ", StringComparison.Ordinal);
        return at < 0 ? null : message[(at + path.Length + 2)..];
    }

    private static ExclusiveFileLock TakeWriterLock(string statePath)
    {
        try
        {
            var directory = Path.GetDirectoryName(statePath);
            if (!string.IsNullOrEmpty(directory)) PrivateDirectory.Create(directory);
            return ExclusiveFileLock.TryAcquire(statePath + ".lock")
                ?? throw new CliException(ExitCodes.Usage, $"state store {statePath} is in use by another tgwatch run, import or replay (one writer at a time)");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCodes.Usage, $"state store {statePath}: cannot take its lock: {Reason(e, statePath + ".lock")}");
        }
    }

    /// <summary>Opens the state store; a missing directory, a foreign or newer file is one line.</summary>
    public static async Task<IStateStore> OpenStoreAsync(string statePath, CancellationToken ct, bool readOnly = false)
    {
        if (PostgresState.Is(statePath)) return await PostgresState.OpenAsync(statePath, ct, existing: readOnly).ConfigureAwait(false);
        // A reader (status, deadletters list) never creates a store: none there is one answer, the same for each.
        if (readOnly && !File.Exists(statePath) && !Directory.Exists(statePath))
            throw new CliException(ExitCodes.Usage, $"no state store at {statePath} (nothing has run with it yet)");
        try
        {
            return await SqliteStateStore.OpenAsync(statePath, TimeProvider.System, readOnly ? SqliteStateStoreOptions.Reading : SqliteStateStoreOptions.Default, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SqliteFileException or IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCodes.Usage, $"state store {statePath}: {Reason(e, statePath)}");
        }
    }

    /// <summary>Closes the sinks (a webhook drains its outbox for a while), before the store; once.</summary>
    public async ValueTask CloseSinksAsync()
    {
        if (_sinksClosed) return;
        _sinksClosed = true;
        foreach (var sink in Sinks) await sink.DisposeAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        _hangup?.Dispose();
        await CloseSinksAsync().ConfigureAwait(false);
        await Store.DisposeAsync().ConfigureAwait(false);
        _writer?.Dispose();
    }
}

/// <summary>A sink started when it was opened: the pipeline's own start of it is nothing more to do.</summary>
internal sealed class StartedSink(IMessageSink inner, IReadOnlyList<Pipeline.IMessageFilter>? route, Microsoft.Extensions.Logging.ILogger logger) : IMessageSink
{
    /// <summary>The sink itself.</summary>
    public IMessageSink Inner => inner;

    /// <inheritdoc />
    public string Name => inner.Name;

    /// <inheritdoc />
    public ValueTask StartAsync(CancellationToken ct) => ValueTask.CompletedTask;

    /// <inheritdoc />
    public ValueTask WriteAsync(IReadOnlyList<Messages.TgMessage> batch, CancellationToken ct) =>
        Taken(batch) is { Count: > 0 } taken ? inner.WriteAsync(taken, ct) : ValueTask.CompletedTask;

    /// <inheritdoc />
    public ValueTask ReplayAsync(IReadOnlyList<Messages.TgMessage> batch, CancellationToken ct) =>
        Taken(batch) is { Count: > 0 } taken ? inner.ReplayAsync(taken, ct) : ValueTask.CompletedTask;

    // What the sink's route takes of a batch (all of it without a route); the rest is done for this sink as it is.
    private IReadOnlyList<Messages.TgMessage> Taken(IReadOnlyList<Messages.TgMessage> batch)
    {
        if (route is not { Count: > 0 }) return batch;
        var taken = new List<Messages.TgMessage>(batch.Count);
        foreach (var message in batch)
            if (Pipeline.MessageFilters.KeepAll(route, message, logger)) taken.Add(message);
        return taken.Count == batch.Count ? batch : taken;
    }

    /// <inheritdoc />
    public ValueTask ReopenAsync(CancellationToken ct) => inner.ReopenAsync(ct);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => inner.DisposeAsync();
}

/// <summary>A command cannot go on; the message is one line for the user, the code the exit code.</summary>
internal sealed class CliException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
