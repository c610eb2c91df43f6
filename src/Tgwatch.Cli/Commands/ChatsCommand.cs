using System.CommandLine;
using Tgwatch.Cli.Hosting;
using Tgwatch.Cli.Login;
using Tgwatch.Formatting;
using Tgwatch.Tdlib.Auth;
using Tgwatch.Tdlib.Chats;

namespace Tgwatch.Cli.Commands;

/// <summary><c>tgwatch chats</c>: the chats of the logged-in account, one line each (id, type, title, @username), to choose what to watch.</summary>
internal static class ChatsCommand
{
    public static Command Create()
    {
        var common = new CommonOptions();
        var tdlib = new TdlibOptions();
        var config = new Option<string?>("--config") { Description = "A JSON configuration file (default: ./tgwatch.json when it exists)" };
        var search = new Option<string?>("--search") { Description = "Only chats whose title or username contains TEXT; @name also finds that public chat" };
        var command = new Command("chats", "List the chats of the logged-in account: id, type, title, @username (tab-separated)")
        {
            config, search, common.DataDir, common.LogLevel, common.LogFormat,
        };
        foreach (var option in tdlib.All) command.Options.Add(option);
        command.SetAction(async (parse, ct) =>
        {
            var (stdout, stderr) = (parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
            try
            {
                var settings = Run.RunSettingsReader.ForTdlib(parse.GetValue(config), new Dictionary<string, string?>(tdlib.Flags(parse))
                {
                    ["DataDir"] = parse.GetValue(common.DataDir),
                });
                using var logging = common.Logging(parse, stderr);
                CliLog.RenamedSettings(logging.Factory.CreateLogger("Tgwatch.Settings"), settings.Renamed);
                await using var opened = await TdlibSessions.OpenAsync(settings.Tdlib, settings.DataDir, NoAuthPrompt.Instance, logging.Factory, settings.Tdlib.Timeout, linkLog: null, ct).ConfigureAwait(false);
                opened.DiscardUpdates();
                var chats = await TdChatList.ListAsync(opened.Session, parse.GetValue(search), settings.Tdlib.Timeout, ct).ConfigureAwait(false);
                foreach (var chat in chats) await stdout.WriteLineAsync(chat.ToLine()).ConfigureAwait(false);
                return ExitCodes.Ok;
            }
            catch (Exception e) when (TdlibSessions.Describe(e) is { } failure)
            {
                await stderr.WriteLineAsync(TextLines.EachLinePrefixed(Secrets.SecretRedactor.Default.Redact(failure.Line), "tgwatch chats: ")).ConfigureAwait(false);
                return failure.ExitCode;
            }
        });
        return command;
    }
}
