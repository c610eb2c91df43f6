using Microsoft.Extensions.Logging;
using Tgwatch.Pipeline;
using Tgwatch.Sqlite;
using Tgwatch.Storage;

namespace Tgwatch.Cli.Hosting;

/// <summary>The state store and the sinks of a command, opened together and closed together.</summary>
internal sealed class StateAndSinks : IAsyncDisposable
{
    private StateAndSinks(IStateStore store, IReadOnlyList<IMessageSink> sinks)
    {
        Store = store;
        Sinks = sinks;
    }

    public IStateStore Store { get; }

    public IReadOnlyList<IMessageSink> Sinks { get; }

    /// <summary>Opens the store at <paramref name="statePath"/> and creates the sinks; a problem is one line in a <see cref="CliException"/>.</summary>
    public static async Task<StateAndSinks> OpenAsync(string statePath, IReadOnlyList<SinkSpec> specs, ILoggerFactory logs, string? webhookSecret, CancellationToken ct)
    {
        var store = await OpenStoreAsync(statePath, ct).ConfigureAwait(false);
        var sinks = new List<IMessageSink>();
        try
        {
            foreach (var spec in specs) sinks.Add(spec.Create(store, logs, TimeProvider.System, webhookSecret));
        }
        catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException or SqliteFileException)
        {
            foreach (var s in sinks) await s.DisposeAsync().ConfigureAwait(false);
            await store.DisposeAsync().ConfigureAwait(false);
            throw new CliException(ExitCodes.Usage, e.Message);
        }
        return new StateAndSinks(store, sinks);
    }

    /// <summary>Opens the state store; a missing directory, a foreign or newer file is one line.</summary>
    public static async Task<IStateStore> OpenStoreAsync(string statePath, CancellationToken ct)
    {
        try
        {
            return await SqliteStateStore.OpenAsync(statePath, TimeProvider.System, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SqliteFileException or IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCodes.Usage, $"state store {statePath}: {e.Message}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var sink in Sinks) await sink.DisposeAsync().ConfigureAwait(false);
        await Store.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>A command cannot go on; the message is one line for the user, the code the exit code.</summary>
internal sealed class CliException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
