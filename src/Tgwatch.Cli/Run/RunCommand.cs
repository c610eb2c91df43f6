using System.CommandLine;
using Tgwatch.Cli.Hosting;
using Tgwatch.Cli.Login;
using Tgwatch.Formatting;
using Tgwatch.Noise;

namespace Tgwatch.Cli.Run;

/// <summary>
/// <c>tgwatch run</c>: the main job. Turns the options into settings (<see cref="RunSettingsReader"/>), opens the TDLib session
/// when that is the connector, and runs <see cref="RunService"/> until stopped.
/// </summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var common = new CommonOptions();
        var config = new Option<string?>("--config") { Description = "A JSON configuration file (default: ./tgwatch.json when it exists)" };
        var connector = new Option<string?>("--connector") { Description = "botapi or tdlib (default botapi; tdlib needs tgwatch login first)" };
        var tdlib = new Login.TdlibOptions();
        var media = new MediaFlags();
        var token = new Option<string?>("--bot-token") { Description = "The bot token (or env TGWATCH__BOTAPI__TOKEN)" };
        var url = new Option<string?>("--bot-api-url") { Description = "A Bot API compatible server (default https://api.telegram.org)" };
        var chats = new Option<string[]>("--chat") { Description = "A chat to watch: id or @username (repeatable; none = all)", Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = false };
        var noiseFirst = Commands.FirstRecordOption.Create("--noise-first", "What becomes of the first record of each burst of noise in the log (or Noise:First, env TGWATCH__NOISE__FIRST)");
        var heartbeat = new Option<string?>("--heartbeat") { Description = "How often one line says the run works: messages, lag, link, dead letters (e.g. 15m, 1h; 0 for never; default 15m; or Heartbeat, env TGWATCH__HEARTBEAT)" };
        var sinks = new Option<string[]>("--sink") { Description = "Where messages go: console, jsonl:PATH, sqlite:PATH, webhook:URL, telegram:CHAT (alerts through the bot), postgres:CONNECTION-STRING, nats:nats://HOST:PORT (JetStream; repeatable; default console)", Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = false };
        var handlers = new Option<string[]>("--handler") { Description = "A program that handles each message: exec:COMMAND, e.g. 'exec:python3 handler.py' (JSON lines on its stdin and stdout; repeatable)", Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = false };
        var http = new Option<string?>("--http") { Description = "Serve a status page at / and /metrics, /healthz, /readyz, /api/status on ADDRESS:PORT (:PORT = loopback; or Http:Listen, env TGWATCH__HTTP__LISTEN; another address needs Http:Token)" };
        var lease = new Option<string?>("--lease") { Description = "With --state postgres:…: how soon a standby runner of the same account takes over when the active one dies or hangs (e.g. 10s; default 10s; or Lease, env TGWATCH__LEASE)" };
        var command = new Command("run", "Receive messages from the chosen chats and hand them to the sinks, until stopped (SIGINT/SIGTERM drain and commit)")
        {
            config, connector, token, url, chats, sinks, handlers, common.State, common.DataDir, common.WebhookSecret, common.WebhookTimeout, common.LogLevel, common.LogFormat, noiseFirst, heartbeat, http, lease,
        };
        foreach (var option in tdlib.All) command.Options.Add(option);
        foreach (var option in media.All) command.Options.Add(option);
        command.SetAction(async (parse, _) =>
        {
            var stderr = parse.InvocationConfiguration.Error;
            RunSettings settings;
            try
            {
                settings = RunSettingsReader.ForRun(parse.GetValue(config), new Dictionary<string, string?>(tdlib.Flags(parse).Concat(media.Flags(parse)))
                {
                    ["Connector"] = parse.GetValue(connector),
                    ["BotApi:Token"] = parse.GetValue(token),
                    ["BotApi:Url"] = parse.GetValue(url),
                    ["State"] = parse.GetValue(common.State),
                    ["DataDir"] = parse.GetValue(common.DataDir),
                    ["WebhookSecret"] = common.WebhookSecretGiven(parse),
                    ["WebhookTimeout"] = parse.GetValue(common.WebhookTimeout),
                    ["Noise:First"] = parse.GetValue(noiseFirst)?.Name(),
                    ["Heartbeat"] = parse.GetValue(heartbeat),
                    ["Http:Listen"] = parse.GetValue(http),
                    ["Lease"] = parse.GetValue(lease),
                }, parse.GetValue(chats), parse.GetValue(sinks), parse.GetValue(handlers));
            }
            catch (CliException e)
            {
                await stderr.WriteLineAsync(TextLines.EachLinePrefixed(e.Message, "tgwatch run: ")).ConfigureAwait(false);
                return e.ExitCode;
            }
            using var logging = common.Logging(parse, stderr, settings.NoiseOptions);
            CliLog.RenamedSettings(logging.Factory.CreateLogger("Tgwatch.Settings"), settings.Renamed);
            // SIGHUP (logrotate's postrotate) never ends a run, not even before the sinks are open (they reopen on it).
            using var hangup = StateAndSinks.IgnoreHangup();
            // The TDLib session first: without a login nothing else is opened (exit code 3, one line).
            OpenedTdlibSession? session = null;
            if (settings.Connector == "tdlib")
            {
                try
                {
                    session = await TdlibRun.OpenAsync(settings, logging.Factory, CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception e) when (TdlibSessions.Describe(e) is { } failure)
                {
                    await stderr.WriteLineAsync($"tgwatch run: {Secrets.SecretRedactor.Default.Redact(failure.Line)}").ConfigureAwait(false);
                    return failure.ExitCode;
                }
            }
            try
            {
                return await RunService.HostAsync(settings, logging, new RunTdlib(session)).ConfigureAwait(false);
            }
            finally
            {
                if (session is not null) await session.DisposeAsync().ConfigureAwait(false);
            }
        });
        return command;
    }
}
