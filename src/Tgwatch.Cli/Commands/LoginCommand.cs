using System.CommandLine;
using System.Text.Json;
using Tgwatch.Cli.Hosting;
using Tgwatch.Cli.Login;
using Tgwatch.Formatting;
using Tgwatch.Tdlib.Auth;
using Tgwatch.Tdlib.Functions;

namespace Tgwatch.Cli.Commands;

/// <summary>
/// <c>tgwatch login</c>: logs a Telegram account (or a bot) in to TDLib and keeps the session in the data directory.
/// Asks on the terminal, or takes the answers from options and environment variables when run by a script.
/// </summary>
internal static class LoginCommand
{
    public static Command Create()
    {
        var common = new CommonOptions();
        var tdlib = new TdlibOptions();
        var config = new Option<string?>("--config") { Description = "A JSON configuration file (default: ./tgwatch.json when it exists)" };
        var phone = new Option<string?>("--phone") { Description = "The phone number, international format (or env TGWATCH_PHONE)" };
        var code = new Option<string?>("--code") { Description = "The login code Telegram sent (or env TGWATCH_CODE)" };
        var password = new Option<string?>("--password") { Description = "The two-step verification password (or env TGWATCH_PASSWORD)" };
        var botToken = new Option<string?>("--bot-token") { Description = "Log in as a bot with this token instead (or env TGWATCH_BOT_TOKEN)" };
        var qr = new Option<bool>("--qr") { Description = "Log in by a QR code confirmed on another device" };
        var command = new Command("login", "Log a Telegram account (phone number, code, two-step password) or a bot in to TDLib; the session is kept in the data directory")
        {
            config, phone, code, password, botToken, qr, common.DataDir, common.LogLevel, common.LogFormat,
        };
        foreach (var option in tdlib.All) command.Options.Add(option);
        command.SetAction(async (parse, ct) =>
        {
            var (stdout, stderr) = (parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
            var answers = new AuthAnswers
            {
                PhoneNumber = parse.GetValue(phone) ?? Env("TGWATCH_PHONE"),
                Code = parse.GetValue(code) ?? Env("TGWATCH_CODE"),
                Password = parse.GetValue(password) ?? Env("TGWATCH_PASSWORD"),
                BotToken = parse.GetValue(botToken) ?? Env("TGWATCH_BOT_TOKEN"),
                QrCode = parse.GetValue(qr),
            }.Registered();
            try
            {
                var settings = Run.RunSettingsReader.ForTdlib(parse.GetValue(config), new Dictionary<string, string?>(tdlib.Flags(parse))
                {
                    ["DataDir"] = parse.GetValue(common.DataDir),
                });
                if (answers.BotToken is { } token && !Secrets.BotToken.IsWellFormed(token))
                    throw new CliException(ExitCodes.Usage, $"--bot-token: {Secrets.BotToken.Expected}");
                var interactive = ReferenceEquals(RedactingWriter.Unwrap(stderr), Console.Error) && !Console.IsInputRedirected;
                IAuthPrompt prompt = interactive
                    ? new ConsoleAuthPrompt(answers, Console.In, stderr, hideTyping: true)
                    : new ScriptedAuthPrompt(answers, stderr);
                using var logging = common.Logging(parse, stderr);
                CliLog.RenamedSettings(logging.Factory.CreateLogger("Tgwatch.Settings"), settings.Renamed);
                // The link to Telegram is told while the login waits for it, as run tells it.
                await using var opened = await TdlibSessions.OpenAsync(settings.Tdlib, settings.DataDir, prompt, logging.Factory, openTimeout: null,
                    linkLog: logging.Factory.CreateLogger("Tgwatch.Login"), ct).ConfigureAwait(false);
                opened.DiscardUpdates();
                var me = await opened.Session.SendAsync(new GetMe(), settings.Tdlib.Timeout, ct).ConfigureAwait(false);
                await stdout.WriteLineAsync($"logged in as {Describe(me)}; the session is in {opened.DatabaseDirectory}").ConfigureAwait(false);
                return ExitCodes.Ok;
            }
            catch (Exception e) when (TdlibSessions.Describe(e) is { } failure)
            {
                await stderr.WriteLineAsync(TextLines.EachLinePrefixed(Advice(e, failure.Line), "tgwatch login: ")).ConfigureAwait(false);
                return failure.ExitCode;
            }
        });
        return command;
    }

    private static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;

    /// <summary>The line for a failure, with what to give when an answer was missing.</summary>
    private static string Advice(Exception e, string line) => Secrets.SecretRedactor.Default.Redact(e switch
    {
        TdlibLoginAnswerMissingException { Question: AuthQuestion.Identity } => $"{line}: give --phone (or TGWATCH_PHONE), --bot-token (or TGWATCH_BOT_TOKEN) or --qr, or run it on a terminal",
        TdlibLoginAnswerMissingException { Question: AuthQuestion.Code } => $"{line}: run tgwatch login again with --code (or TGWATCH_CODE)",
        TdlibLoginAnswerMissingException { Question: AuthQuestion.Password } => $"{line}: give --password (or TGWATCH_PASSWORD)",
        _ => line,
    });

    private static string Describe(JsonElement user)
    {
        var name = $"{Text(user, "first_name")} {Text(user, "last_name")}".Trim();
        var username = user.TryGetProperty("usernames", out var u) && u.ValueKind == JsonValueKind.Object
            && u.TryGetProperty("active_usernames", out var active) && active.GetArrayLength() > 0 ? " @" + active[0].GetString() : "";
        var id = user.TryGetProperty("id", out var i) ? i.GetInt64() : 0;
        return $"{(name.Length > 0 ? name : "?")}{username} (id {id})";
    }

    private static string Text(JsonElement o, string name) => o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";
}
