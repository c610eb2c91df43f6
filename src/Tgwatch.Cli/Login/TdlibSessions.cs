using Microsoft.Extensions.Logging;
using Tgwatch.Cli.Hosting;
using Tgwatch.Storage;
using Tgwatch.Tdlib;
using Tgwatch.Tdlib.Auth;
using Tgwatch.Tdlib.Updates;

namespace Tgwatch.Cli.Login;

/// <summary>Opens the account's TDLib session for a command, and turns TDLib's typed failures into one line and an exit code.</summary>
internal static class TdlibSessions
{
    /// <summary>
    /// Starts TDLib (files it creates are private: umask 077), creates a client on <c>tdlib/&lt;account&gt;</c> in the data
    /// directory and drives its login with <paramref name="prompt"/> until Ready.
    /// </summary>
    /// <param name="settings">The checked <c>Tdlib</c> section.</param>
    /// <param name="dataDirectory">The data directory (null: the default).</param>
    /// <param name="prompt">Who answers the login questions (<see cref="NoAuthPrompt"/>: an existing login is needed).</param>
    /// <param name="logs">Where TDLib's log goes.</param>
    /// <param name="openTimeout">How long until Ready (null: no limit, while a person answers).</param>
    /// <param name="linkLog">Where the link to Telegram is told while the open waits for it (<see cref="LoginLink"/>); null: not told.</param>
    /// <param name="ct">Cancels the open.</param>
    /// <exception cref="CliException">libtdjson cannot be loaded (exit code 2).</exception>
    public static async Task<OpenedTdlibSession> OpenAsync(TdlibSettings settings, string? dataDirectory, IAuthPrompt prompt, ILoggerFactory logs, TimeSpan? openTimeout,
        ILogger? linkLog, CancellationToken ct)
    {
        PrivateFiles.RestrictNewFiles();
        var databaseDirectory = settings.DatabaseDirectory(dataDirectory);
        TdClientHost host;
        try
        {
            host = TdClientHost.Start(new TdClientHostOptions
            {
                TdjsonPath = settings.Tdjson,
                LogVerbosity = settings.LogVerbosity,
                DefaultRequestTimeout = settings.Timeout,
                Loggers = logs,
            });
        }
        catch (TdlibLoadException e)
        {
            throw new CliException(ExitCodes.Usage, e.Message);
        }
        var client = host.CreateClient();
        try
        {
            var authorization = new TdAuthorization(client, settings.Parameters(databaseDirectory), prompt, settings.Timeout);
            using var link = linkLog is null ? null : new LoginLink(linkLog, TimeProvider.System);
            var session = await TdAuthorizedSession.OpenAsync(client, authorization, openTimeout, link is null ? null : link.OnConnection, ct).ConfigureAwait(false);
            PrivateFiles.Restrict(databaseDirectory);
            return new OpenedTdlibSession(client, session, databaseDirectory);
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            PrivateFiles.Restrict(databaseDirectory);
            throw;
        }
    }

    /// <summary>The exit code and line for a failure of opening or using a session; null for an exception that is not one of them.</summary>
    public static (int ExitCode, string Line)? Describe(Exception e) => e switch
    {
        CliException c => (c.ExitCode, c.Message),
        TdlibDatabaseInUseException => (ExitCodes.Usage, e.Message),
        TdlibNotLoggedInException => (ExitCodes.Auth, e.Message),
        TdlibLoginException => (ExitCodes.Auth, e.Message),
        TimeoutException => (ExitCodes.Unexpected, e.Message),
        TdlibErrorException => (ExitCodes.Unexpected, e.Message),
        TdlibClientClosedException => (ExitCodes.Unexpected, e.Message),
        _ => null,
    };
}

/// <summary>A logged-in session of a command: closed (and its files made private again) on dispose.</summary>
internal sealed class OpenedTdlibSession(TdClient client, TdAuthorizedSession session, string databaseDirectory) : IAsyncDisposable
{
    private UpdateDiscard? _discard;
    private readonly TdSessionTurns _turns = new(session);

    /// <summary>The session, its updates starting with those seen before Ready.</summary>
    public TdAuthorizedSession Session { get; } = session;

    /// <summary>The process's TDLib runtime.</summary>
    public TdClientHost Host => client.Host;

    /// <summary>The TDLib database directory.</summary>
    public string DatabaseDirectory { get; } = databaseDirectory;

    /// <summary>The account name of the logged-in user or bot (<c>user&lt;id&gt;</c>, <c>bot&lt;id&gt;</c>), once asked for.</summary>
    public string? Account { get; set; }

    /// <summary>
    /// The users and chats TDLib told this session about (it tells of each once): kept while the updates are dropped once the
    /// account is known, and given to the run's connector.
    /// </summary>
    public TdDirectory Directory { get; } = new();

    /// <summary>
    /// Reads and drops the updates, for a command that only sends requests and for a runner waiting as standby (TDLib's updates
    /// must be read steadily); what they tell of users and chats goes to <see cref="Directory"/> once <see cref="Account"/> is known.
    /// </summary>
    public void DiscardUpdates()
    {
        // Two readers at once would share the updates: what one took (a live message) the other would never see.
        if (_discard?.Running == true) throw new InvalidOperationException("the session's updates are being dropped already");
        _discard = new UpdateDiscard(NextReader().Updates, Account is { } account ? new TdUpdateReader(account, Directory) : null);
        _discard.Start();
    }

    /// <summary>
    /// The session for the next reader of its updates (the dropping of them, a run's connector), told first of the latest link
    /// and authorization states the readers before it read: TDLib tells a session of them only when they change.
    /// </summary>
    public ITdSession NextReader() => _turns.Next();

    /// <summary>Stops dropping the updates (a standby that became active: its connector reads them from here on).</summary>
    public Task StopDiscardingAsync() => _discard?.StopAsync() ?? Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        await client.DisposeAsync().ConfigureAwait(false);
        await StopDiscardingAsync().ConfigureAwait(false);
        PrivateFiles.Restrict(DatabaseDirectory);
    }
}
