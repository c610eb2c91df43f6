using System.CommandLine;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Tgwatch.Cli.Hosting;
using Tgwatch.Connectors;
using Tgwatch.Connectors.File;
using Tgwatch.Pipeline;
using Tgwatch.Pipeline.Filters;
using Tgwatch.Sinks.Outbox;

namespace Tgwatch.Cli.Commands;

/// <summary>
/// <c>tgwatch import FILE --sink …</c>: feeds a JSONL archive of records through the pipeline into the
/// sinks, exactly once in effect: stopped or killed, it goes on from the last committed line.
/// </summary>
internal static class ImportCommand
{
    public static Command Create()
    {
        var common = new CommonOptions();
        var file = new Argument<string>("file") { Description = "A JSONL file of records (the format the jsonl sink writes)" };
        var account = new Option<string>("--account") { Description = "Account name the import's checkpoint is kept under (default: file)", DefaultValueFactory = _ => "file" };
        var chats = new Option<string[]>("--chat") { Description = "Only these chats: id or @username (repeatable)", Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = false };
        var text = new Option<string?>("--text") { Description = "Only messages whose text matches this regular expression" };
        var name = new Option<string?>("--name") { Description = "Keep the file's position under this name instead of the file's identity (path, inode, first line)" };
        var restart = new Option<bool>("--restart") { Description = "Read the file again from its first line (records already in a sink are not written to it again)" };
        var command = new Command("import", "Feed a JSONL archive of records into the sinks (resumes where it stopped)")
        {
            file, common.Sinks, account, name, restart, chats, text, common.State, common.DataDir, common.WebhookSecret, common.LogLevel, common.LogFormat,
        };
        common.Sinks.Required = true;
        command.SetAction((parse, _) => Run(parse, common, file, account, name, restart, chats, text));
        return command;
    }

    /// <summary>
    /// What each stage did: the file, the pipeline (a webhook's "written" is its outbox), then each webhook's delivery,
    /// so records an endpoint refused are said to wait, not to be delivered.
    /// </summary>
    private static string Summary(bool stopped, PipelineStats s, long badLines, IReadOnlyList<IOutboxSink> webhooks)
    {
        var deadLetters = s.DeadLetters + webhooks.Sum(w => w.Stats.DeadLettered);
        var line = new StringBuilder().Append(CultureInfo.InvariantCulture,
            $"[tgwatch] import {(stopped ? "stopped" : "done")}: {s.Received} records read, {s.Written} written, {s.Duplicates} already there, {s.Filtered} filtered out, {badLines} bad lines, {deadLetters} dead letters");
        foreach (var webhook in webhooks)
        {
            var c = webhook.Stats;
            line.Append(CultureInfo.InvariantCulture, $"; {webhook.Name}: {c.Sent} delivered, {c.Pending} waiting in its outbox");
            if (c.Pending > 0) line.Append(" (the next run or import sends them)");
        }
        return line.ToString();
    }

    private static async Task<int> Run(ParseResult parse, CommonOptions common, Argument<string> file, Option<string> account, Option<string?> name, Option<bool> restart,
        Option<string[]> chats, Option<string?> text)
    {
        var stderr = parse.InvocationConfiguration.Error;
        var filters = new List<IMessageFilter>();
        try
        {
            if (parse.GetValue(chats) is { Length: > 0 } c) filters.Add(new ChatFilter(c));
            if (parse.GetValue(text) is { } pattern) filters.Add(new TextFilter(pattern));
        }
        catch (ArgumentException e)
        {
            await stderr.WriteLineAsync($"tgwatch import: {e.Message}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        using var logging = common.Logging(parse, stderr);
        using var stop = new StopSignal();
        using var hangup = StateAndSinks.IgnoreHangup(); // the sinks reopen their files on it once open
        try
        {
            var connector = new JsonlFileConnector(Path.GetFullPath(parse.GetValue(file)!), parse.GetValue(account)!, logging.Factory.CreateLogger<JsonlFileConnector>(), parse.GetValue(name));
            // The file first: one that cannot be read leaves no state store behind.
            _ = connector.Stream();
            await using var opened = await StateAndSinks.OpenAsync(common.StatePath(parse), parse.GetValue(common.Sinks)!, logging.Factory, common.SecretFrom(parse), stop.Token).ConfigureAwait(false);
            if (parse.GetValue(restart)) await opened.Store.ForgetCheckpointAsync(connector.Account, connector.Name, connector.Stream(), stop.Token).ConfigureAwait(false);
            var pipeline = new MessagePipeline(connector, opened.Sinks, opened.Store, new PipelineOptions(), filters, [], logging.Factory.CreateLogger<MessagePipeline>());
            await pipeline.RunAsync(stop.Token).ConfigureAwait(false);
            await opened.CloseSinksAsync().ConfigureAwait(false); // a webhook delivers its outbox for a while first
            await stderr.WriteLineAsync(Summary(stop.Token.IsCancellationRequested, pipeline.Stats, connector.BadLines, [.. opened.SinksOf<IOutboxSink>()])).ConfigureAwait(false);
            return ExitCodes.Ok;
        }
        catch (CliException e)
        {
            await stderr.WriteLineAsync($"tgwatch import: {e.Message}").ConfigureAwait(false);
            return e.ExitCode;
        }
        catch (ConnectorException e)
        {
            await stderr.WriteLineAsync($"tgwatch import: {e.Message}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        catch (OperationCanceledException) when (stop.Token.IsCancellationRequested)
        {
            return ExitCodes.Ok;
        }
    }
}
