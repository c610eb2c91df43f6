using Tgwatch.Cli.Hosting;
using Tgwatch.Cli.Login;
using Tgwatch.Tdlib.Auth;

namespace Tgwatch.Cli.Run;

/// <summary>
/// <c>tgwatch run --connector tdlib</c>, up to the connector: opens the account's session (no login here: a session
/// that is not logged in is exit code 3, "run tgwatch login first"). The TDLib connector is not wired in yet, so a
/// logged-in session ends with one line and exit code 2.
/// </summary>
internal static class TdlibRun
{
    public static async Task<int> RunAsync(RunSettings settings, CliLogging logging, TextWriter stderr)
    {
        try
        {
            await using var opened = await TdlibSessions.OpenAsync(settings.Tdlib, settings.DataDir, NoAuthPrompt.Instance, logging.Factory, settings.Tdlib.Timeout, CancellationToken.None).ConfigureAwait(false);
            await stderr.WriteLineAsync("tgwatch run: the TDLib connector is not wired into run yet; use --connector botapi").ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        catch (Exception e) when (TdlibSessions.Describe(e) is { } failure)
        {
            await stderr.WriteLineAsync($"tgwatch run: {Secrets.SecretRedactor.Redact(failure.Line)}").ConfigureAwait(false);
            return failure.ExitCode;
        }
    }
}
