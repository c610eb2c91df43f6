using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
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
    private readonly ExclusiveFileLock _writer;
    private readonly ILogger _logger;
    private readonly PosixSignalRegistration? _hangup;
    private bool _sinksClosed;

    private StateAndSinks(ExclusiveFileLock writer, IStateStore store, IReadOnlyList<IMessageSink> sinks, ILoggerFactory logs)
    {
        _writer = writer;
        Store = store;
        Sinks = sinks;
        _logger = logs.CreateLogger("Tgwatch.Sinks");
        if (!OperatingSystem.IsWindows()) _hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnHangup);
    }

    public IStateStore Store { get; }

    public IReadOnlyList<IMessageSink> Sinks { get; }

    /// <summary>
    /// Opens the store at <paramref name="statePath"/> for writing (one writer at a time: a second <c>run</c>, <c>import</c> or
    /// <c>deadletters replay</c> on the same store is refused), creates the sinks (webhooks with <paramref name="webhookTimeout"/>
    /// per request when given) and opens the file sinks' files (each locked, one writer per file: a file another command
    /// writes, or one that is not the sink's, is refused before anything is received); a problem is one line in a
    /// <see cref="CliException"/>.
    /// </summary>
    public static async Task<StateAndSinks> OpenAsync(string statePath, IReadOnlyList<SinkSpec> specs, ILoggerFactory logs, string? webhookSecret, CancellationToken ct, TimeSpan? webhookTimeout = null)
    {
        var writer = TakeWriterLock(statePath);
        IStateStore store;
        try
        {
            store = await OpenStoreAsync(statePath, ct).ConfigureAwait(false);
        }
        catch
        {
            writer.Dispose();
            throw;
        }
        var sinks = new List<IMessageSink>();
        try
        {
            foreach (var spec in specs) sinks.Add(spec.Create(store, logs, TimeProvider.System, webhookSecret, webhookTimeout));
            foreach (var sink in sinks)
                if (sink is JsonlSink or SqliteMessageSink) await sink.StartAsync(ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException or SqliteFileException)
        {
            foreach (var s in sinks) await s.DisposeAsync().ConfigureAwait(false);
            await store.DisposeAsync().ConfigureAwait(false);
            writer.Dispose();
            throw new CliException(ExitCodes.Usage, e.Message.FirstLine());
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
                CliLog.ReopenFailed(_logger, sink.Name, e.Message.FirstLine());
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
            throw new CliException(ExitCodes.Usage, $"state store {statePath}: cannot take its lock ({e.GetType().Name}: {e.Message.FirstLine()})");
        }
    }

    /// <summary>Opens the state store; a missing directory, a foreign or newer file is one line.</summary>
    public static async Task<IStateStore> OpenStoreAsync(string statePath, CancellationToken ct, bool readOnly = false)
    {
        try
        {
            return await SqliteStateStore.OpenAsync(statePath, TimeProvider.System, readOnly ? SqliteStateStoreOptions.Reading : SqliteStateStoreOptions.Default, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SqliteFileException or IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCodes.Usage, $"state store {statePath}: {e.Message}");
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
        _writer.Dispose();
    }
}

/// <summary>A command cannot go on; the message is one line for the user, the code the exit code.</summary>
internal sealed class CliException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
