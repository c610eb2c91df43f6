using System.CommandLine;
using Tgwatch.Cli.Hosting;
using Tgwatch.Formatting;
using Tgwatch.Messages;
using Tgwatch.Pipeline;

namespace Tgwatch.Cli.Commands;

/// <summary><c>tgwatch deadletters list|replay</c>: the messages whose handler or sink kept failing.</summary>
internal static class DeadLettersCommand
{
    /// <summary>
    /// How long a replay waits at its end for the alerts and webhook posts it queued to go (while delivery works; a failing
    /// target stops it at once): replaying is the user waiting for them, not a run's stop (5 s), and alerts go at Telegram's pace.
    /// </summary>
    internal static readonly TimeSpan ReplayDrain = TimeSpan.FromMinutes(2);

    public static Command Create()
    {
        var command = new Command("deadletters", "List or replay the messages whose handler or sink kept failing");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Replay());
        return command;
    }

    private static Command List()
    {
        var common = new CommonOptions();
        var limit = NumberOption.Create("--limit", "Most letters shown (default 100)", 1, 1_000_000, 100);
        var errors = new Option<bool>("--errors") { Description = "Show each letter's full error with its stack trace" };
        var command = new Command("list", "List dead letters: id, when, stage, message, error") { common.State, common.DataDir, limit, errors };
        command.SetAction(async (parse, ct) =>
        {
            var (stdout, stderr) = (parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
            try
            {
                await using var store = await StateAndSinks.OpenStoreAsync(common.StatePath(parse), ct, readOnly: true).ConfigureAwait(false);
                var letters = await store.DeadLetters.ListAsync((int)parse.GetValue(limit), 0, ct).ConfigureAwait(false);
                var total = await store.DeadLetters.CountAsync(ct).ConfigureAwait(false);
                foreach (var l in letters)
                {
                    var d = l.Letter;
                    var text = Excerpt(d.MessageJson);
                    await stdout.WriteLineAsync($"{l.Id}\t{TgMessageJson.FormatDate(d.FailedAt)}\t{d.Stage}\t{d.Key}\t{d.Fault} after {d.Attempts} attempt(s): {TextLines.FirstLine(d.Error)}\t{text}").ConfigureAwait(false);
                    if (parse.GetValue(errors)) await stdout.WriteLineAsync(d.Error).ConfigureAwait(false);
                }
                await stderr.WriteLineAsync($"[tgwatch] {letters.Count} of {total} dead letters shown").ConfigureAwait(false);
                return ExitCodes.Ok;
            }
            catch (CliException e)
            {
                await stderr.WriteLineAsync($"tgwatch deadletters list: {e.Message}").ConfigureAwait(false);
                return e.ExitCode;
            }
        });
        return command;
    }

    private static Command Replay()
    {
        var common = new CommonOptions();
        var id = NumberOption.Optional("--id", "Only the letter with this id (as deadletters list shows it)", 1, long.MaxValue);
        var handlers = new Option<string[]>("--handler") { Description = "A handler to run them through again: exec:COMMAND, as the run gave it (repeatable)", Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = false };
        var token = new Option<string?>("--bot-token") { Description = "The bot that posts the alerts of a telegram:CHAT sink again (or env TGWATCH__BOTAPI__TOKEN)" };
        var url = new Option<string?>("--bot-api-url") { Description = "A Bot API compatible server for telegram:CHAT (default https://api.telegram.org)" };
        var command = new Command("replay", "Run dead letters again through the sinks named by --sink and the handlers named by --handler; those that go through are removed")
        {
            id, common.Sinks, handlers, token, url, common.State, common.DataDir, common.WebhookSecret, common.WebhookTimeout, common.LogLevel, common.LogFormat,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(common.Sinks) is not { Length: > 0 } && result.GetValue(handlers) is not { Length: > 0 })
                result.AddError("give the sinks (--sink SPEC) and handlers (--handler exec:COMMAND) to replay the letters through");
        });
        command.SetAction(async (parse, ct) =>
        {
            var stderr = parse.InvocationConfiguration.Error;
            using var logging = common.Logging(parse, stderr);
            try
            {
                var settings = new Run.RunSettings { Handlers = [.. (parse.GetValue(handlers) ?? []).Select(h => new Handlers.HandlerSettings { Exec = h })] };
                var (specs, problems) = Handlers.HandlerSpec.ParseAll(settings.Handlers);
                if (problems.Count > 0) throw new CliException(ExitCodes.Usage, $"--handler: {problems[0].Problem}");
                settings.HandlerSpecs = specs;
                var sinks = parse.GetValue(common.Sinks) ?? [];
                using var poster = sinks.Any(s => s.IsTelegram) ? Poster(parse.GetValue(token), parse.GetValue(url), sinks.First(s => s.IsTelegram)) : null;
                await using var opened = await StateAndSinks.OpenAsync(common.StatePath(parse), sinks, logging.Factory, common.SecretFrom(parse), ct, common.WebhookTimeoutFrom(parse), poster,
                    outboxDrain: ReplayDrain).ConfigureAwait(false);
                await using var running = await Handlers.RunHandlers.StartAsync(settings, logging.Factory, logging.Noise, ct).ConfigureAwait(false);
                var report = await new DeadLetterReplayer(opened.Store, opened.Sinks, running.All).ReplayAsync(parse.GetValue(id), ct).ConfigureAwait(false);
                foreach (var o in report.Outcomes.Where(o => o.Result != ReplayResultKind.Replayed))
                    await stderr.WriteLineAsync($"[tgwatch] letter {o.Id} ({o.Stage}): {o.Result.ToString().ToLowerInvariant()}: {o.Reason}").ConfigureAwait(false);
                await stderr.WriteLineAsync($"[tgwatch] replayed {report.Replayed}, failed again {report.Failed}, skipped {report.Skipped}").ConfigureAwait(false);
                return report.Failed > 0 ? ExitCodes.Unexpected : ExitCodes.Ok;
            }
            catch (CliException e)
            {
                await stderr.WriteLineAsync($"tgwatch deadletters replay: {e.Message}").ConfigureAwait(false);
                return e.ExitCode;
            }
        });
        return command;
    }

    /// <summary>The bot that posts a <c>telegram:CHAT</c> sink's alerts again: <c>--bot-token</c>, else <c>TGWATCH__BOTAPI__TOKEN</c>.</summary>
    private static BotApi.BotApiChatPoster Poster(string? token, string? url, SinkSpec alerts)
    {
        token ??= Environment.GetEnvironmentVariable("TGWATCH__BOTAPI__TOKEN");
        if (string.IsNullOrWhiteSpace(token))
            throw new CliException(ExitCodes.Usage, $"--sink {alerts.Given} posts through a bot: give its token with --bot-token or TGWATCH__BOTAPI__TOKEN");
        Secrets.SecretRedactor.Default.Register(token);
        if (!Secrets.BotToken.IsWellFormed(token)) throw new CliException(ExitCodes.Usage, "--bot-token: not a bot token (expected digits, a colon and the secret, as @BotFather gives it)");
        if (url is not null && !(Uri.TryCreate(url, UriKind.Absolute, out var u) && u.Scheme is "http" or "https"))
            throw new CliException(ExitCodes.Usage, "--bot-api-url: expected an http(s) address");
        return new BotApi.BotApiChatPoster(new BotApi.BotApiOptions { Token = token, ApiUrl = new Run.BotApiSettings { Url = url }.ApiUrl });
    }

    private static string Excerpt(string json)
    {
        try
        {
            var m = TgMessageJson.Parse(json);
            var text = (m.TextOrCaption ?? "").ReplaceLineEndings(" ");
            return text.Length > 60 ? text[..60] + "…" : text;
        }
        catch (FormatException)
        {
            return "(unreadable record)";
        }
    }

}
