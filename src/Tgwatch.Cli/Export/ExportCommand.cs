using System.CommandLine;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Tgwatch.Cli.Handlers;
using Tgwatch.Cli.Hosting;
using Tgwatch.Cli.Login;
using Tgwatch.Cli.Run;
using Tgwatch.Connectors;
using Tgwatch.Formatting;
using Tgwatch.Pipeline;
using Tgwatch.Sinks.Outbox;
using Tgwatch.Tdlib.Connector;
using Tgwatch.Tdlib.Connector.Export;
using Tgwatch.Tdlib.Updates;

namespace Tgwatch.Cli.Export;

/// <summary>
/// <c>tgwatch export --chat ID|@name [--since DATE] [--until DATE] [--limit N] --sink …</c>: a chat's history through the
/// run's pipeline (filters, handlers, sinks, dead letters, dedup) over the account's TDLib session. The settings are a run's
/// (<see cref="RunSettingsReader.ForExport"/>); the position is the export's own stream, so the same command stopped or killed
/// goes on from its last commit, and <c>--restart</c> starts it over.
/// </summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var common = new CommonOptions();
        var tdlib = new TdlibOptions();
        var config = new Option<string?>("--config") { Description = "A JSON configuration file (default: ./tgwatch.json when it exists)" };
        var connector = new Option<string?>("--connector") { Description = "tdlib (the default here; the Bot API cannot read a chat's history)" };
        var chat = new Option<string>("--chat") { Description = "The chat to export: id or @username (tgwatch chats lists them)", Required = true };
        var since = ExportDates.Since();
        var until = ExportDates.Until();
        var limit = Commands.NumberOption.Optional("--limit", "At most this many messages this time (the same command again goes on after them)", 1, long.MaxValue);
        var restart = new Option<bool>("--restart") { Description = "Start this export over from the beginning of its range (messages a sink has are not written to it again)" };
        var sinks = new Option<string[]>("--sink") { Description = "Where messages go: console, jsonl:PATH, sqlite:PATH, webhook:URL (repeatable; default: the configured sinks, else console)", Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = false };
        var handlers = new Option<string[]>("--handler") { Description = "A program that handles each message: exec:COMMAND (as for run; repeatable)", Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = false };
        var command = new Command("export", "Export a chat's history through the sinks, oldest first (TDLib; resumes where it stopped, writes nothing twice)")
        {
            chat, since, until, limit, sinks, restart, handlers, config, connector, common.State, common.DataDir, common.WebhookSecret, common.WebhookTimeout, common.LogLevel, common.LogFormat,
        };
        foreach (var option in tdlib.All) command.Options.Add(option);
        var media = new Run.MediaFlags();
        foreach (var option in media.All) command.Options.Add(option);
        command.Validators.Add(result =>
        {
            // Only dates that could be read (one that cannot is an error of its own).
            if (ExportDates.Given(result, since, endOfDay: false) is { } from && ExportDates.Given(result, until, endOfDay: true) is { } to && from >= to)
                result.AddError($"--since {HistoryRange.Format(from)} is not before --until (the range is empty)");
        });
        command.SetAction(async (parse, _) =>
        {
            var stderr = parse.InvocationConfiguration.Error;
            RunSettings settings;
            try
            {
                settings = RunSettingsReader.ForExport(parse.GetValue(config), new Dictionary<string, string?>(tdlib.Flags(parse).Concat(media.Flags(parse)))
                {
                    ["Connector"] = parse.GetValue(connector),
                    ["State"] = parse.GetValue(common.State),
                    ["DataDir"] = parse.GetValue(common.DataDir),
                    ["WebhookSecret"] = common.WebhookSecretGiven(parse),
                    ["WebhookTimeout"] = parse.GetValue(common.WebhookTimeout),
                }, parse.GetValue(chat)!, parse.GetValue(sinks), parse.GetValue(handlers));
            }
            catch (CliException e)
            {
                await stderr.WriteLineAsync(TextLines.EachLinePrefixed(e.Message, "tgwatch export: ")).ConfigureAwait(false);
                return e.ExitCode;
            }
            var range = new HistoryRange(parse.GetValue(chat)!.Trim(), parse.GetValue(since), parse.GetValue(until)) { Limit = parse.GetValue(limit) };
            return await RunAsync(settings, range, parse.GetValue(restart), common.Logging(parse, stderr, settings.NoiseOptions), stderr).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> RunAsync(RunSettings settings, HistoryRange range, bool restart, CliLogging logging, TextWriter stderr)
    {
        using var owned = logging;
        var logs = logging.Factory;
        var logger = logs.CreateLogger("Tgwatch.Export");
        CliLog.RenamedSettings(logs.CreateLogger("Tgwatch.Settings"), settings.Renamed);
        using var stop = new StopSignal();
        using var hangup = StateAndSinks.IgnoreHangup();
        // The TDLib session first: without a login nothing else is opened (exit code 3, one line).
        OpenedTdlibSession session;
        try
        {
            session = await TdlibRun.OpenAsync(settings, logs, stop.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (TdlibSessions.Describe(e) is { } failure)
        {
            await stderr.WriteLineAsync($"tgwatch export: {Secrets.SecretRedactor.Default.Redact(failure.Line)}").ConfigureAwait(false);
            return failure.ExitCode;
        }
        catch (OperationCanceledException) when (stop.Token.IsCancellationRequested)
        {
            return ExitCodes.Ok;
        }
        await using (session.ConfigureAwait(false))
        {
            try
            {
                await using var opened = await StateAndSinks.OpenAsync(DataPaths.StatePath(settings.State, settings.DataDir), settings.SinkSpecs, logs, settings.WebhookSecret, stop.Token, settings.WebhookRequestTimeout).ConfigureAwait(false);
                var account = session.Account!;
                await using var export = new HistoryExport(session.Session, new TdUpdateReader(account), range, new TdlibConnectorOptions
                {
                    Account = account,
                    RequestTimeout = settings.Tdlib.Timeout,
                }, logs.CreateLogger("Tgwatch.Tdlib.Connector"));
                if (restart)
                {
                    var stream = await export.FindAsync(stop.Token).ConfigureAwait(false);
                    await opened.Store.ForgetCheckpointAsync(account, export.Name, stream, stop.Token).ConfigureAwait(false);
                    ExportLog.Restarting(logger, stream);
                }
                await using var handlers = await RunHandlers.StartAsync(settings, logs, null, stop.Token).ConfigureAwait(false);
                var pipeline = new MessagePipeline(export, opened.Sinks, opened.Store, settings.Pipeline, [], handlers.All, logs.CreateLogger("Tgwatch.Pipeline"))
                {
                    // An export ends once its files are downloaded too (or failed for good), not with them left pending.
                    FinishesDownloads = true,
                    Media = settings.MediaOptions is { } media
                        ? new Tgwatch.Media.MediaDownloads(new TdlibMediaSource(session.Session, export.Files, Run.RunService.TdlibMediaStall), media)
                        : null,
                };
                var progress = new ExportProgress(export.Stats, export, TimeProvider.System, pipeline.Media is null ? null : pipeline.Stats, pipeline.Media?.Source);
                using var shown = new CancellationTokenSource();
                var display = IsTerminal(stderr)
                    ? LiveProgress.RunAsync(progress, RedactingWriter.Unwrap(stderr), range.Chat, shown.Token)
                    : progress.PlainAsync(logger, ExportProgress.PlainEvery, shown.Token);
                try
                {
                    await pipeline.RunAsync(stop.Token).ConfigureAwait(false);
                }
                finally
                {
                    await shown.CancelAsync().ConfigureAwait(false);
                    await display.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                }
                await opened.CloseSinksAsync().ConfigureAwait(false); // a webhook delivers its outbox for a while first
                await stderr.WriteLineAsync(Summary(export.Stats, export.Stream, pipeline.Stats, progress.Now(), [.. opened.SinksOf<IOutboxSink>()])).ConfigureAwait(false);
                return ExitCodes.Ok;
            }
            catch (TdlibAuthorizationLostException e)
            {
                await stderr.WriteLineAsync($"tgwatch export: {e.Message}").ConfigureAwait(false);
                return ExitCodes.Auth;
            }
            catch (ConnectorException e)
            {
                await stderr.WriteLineAsync($"tgwatch export: {e.Message}").ConfigureAwait(false);
                return ExitCodes.Usage;
            }
            catch (CliException e)
            {
                await stderr.WriteLineAsync(TextLines.EachLinePrefixed(e.Message, "tgwatch export: ")).ConfigureAwait(false);
                return e.ExitCode;
            }
            catch (OperationCanceledException) when (stop.Token.IsCancellationRequested)
            {
                return ExitCodes.Ok;
            }
        }
    }

    /// <summary>The standard error is this process's terminal (not a file, a pipe or a test's writer).</summary>
    private static bool IsTerminal(TextWriter stderr) =>
        ReferenceEquals(RedactingWriter.Unwrap(stderr), Console.Error) && !Console.IsErrorRedirected;

    /// <summary>
    /// How the export ended and what each stage did: messages read, written, already there (duplicates skipped), filtered
    /// out, dead letters, the files downloaded and their bytes (with <c>--media</c>, and the failed downloads if any),
    /// FLOOD_WAITs, the time; then each webhook's delivery, so records an endpoint refused are said to wait.
    /// </summary>
    internal static string Summary(HistoryExportStats x, string? stream, PipelineStats s, ExportFigures figures, IReadOnlyList<IOutboxSink> webhooks)
    {
        var how = x.State switch
        {
            HistoryExportState.Done => "done",
            HistoryExportState.LimitReached => "stopped at its limit (the same command goes on after it)",
            _ => $"stopped at message {x.Position.ToString(CultureInfo.InvariantCulture)} (the same command goes on from its last commit)",
        };
        var deadLetters = s.DeadLetters + webhooks.Sum(w => w.Stats.DeadLettered);
        var line = new StringBuilder().Append(CultureInfo.InvariantCulture,
            $"[tgwatch] export {how}: {s.Received:N0} messages read, {s.Written:N0} written, {s.Duplicates:N0} duplicates skipped (already in the sinks), {s.Filtered:N0} filtered out, {deadLetters:N0} dead letters, ");
        if (figures.Files is { } files) line.Append(files.Words()).Append(", ");
        line.Append(CultureInfo.InvariantCulture, $"{x.FloodWaits:N0} FLOOD_WAIT(s) waited out, in {Duration.Format(figures.Elapsed)}");
        if (stream is not null) line.Append(CultureInfo.InvariantCulture, $"; position kept as {stream}");
        foreach (var webhook in webhooks)
        {
            var c = webhook.Stats;
            line.Append(CultureInfo.InvariantCulture, $"; {webhook.Name}: {c.Sent} delivered, {c.Pending} waiting in its outbox");
            if (c.Pending > 0) line.Append(" (the next run, import or export sends them)");
        }
        return line.ToString();
    }
}
