using System.CommandLine;
using Microsoft.Extensions.Logging.Abstractions;
using Tgwatch.Cli.Hosting;

namespace Tgwatch.Cli.Commands;

/// <summary>
/// <c>tgwatch outbox move|drop</c>: the records a webhook's outbox still holds for an address no run sends to any more
/// (after the webhook's address changed): hand them to the new webhook, or drop them.
/// </summary>
internal static class OutboxCommand
{
    public static Command Create()
    {
        var command = new Command("outbox", "Move the records waiting for an old webhook address to the new one, or drop them");
        command.Subcommands.Add(Move());
        command.Subcommands.Add(Drop());
        return command;
    }

    private static Option<string> From() => new("--from")
    {
        Description = "The old webhook: its name as tgwatch status shows it ('webhook:https://host:443/…#1a2b3c4d'), or webhook:URL",
        Required = true,
    };

    private static Command Move()
    {
        var common = new CommonOptions();
        var from = From();
        var to = new Option<string>("--to") { Description = "The new webhook: webhook:URL, or its name as tgwatch status or run shows it", Required = true };
        var command = new Command("move", "Hand the records waiting for the old webhook to the new one, in their order (keys the new one had already are dropped)")
        {
            from, to, common.State, common.DataDir,
        };
        command.SetAction((parse, ct) => RunAsync(parse, common, "move", parse.GetValue(from)!, parse.GetValue(to), async (store, source, target, stderr) =>
        {
            var moved = await store.Outbox.MoveAsync(source, target!, ct).ConfigureAwait(false);
            var already = moved.AlreadyThere > 0 ? $" ({moved.AlreadyThere} the new webhook had already, dropped)" : "";
            await stderr.WriteLineAsync($"[tgwatch] moved {moved.Moved} records from {source} to {target}{already}; the next run sends them").ConfigureAwait(false);
        }, ct));
        return command;
    }

    private static Command Drop()
    {
        var common = new CommonOptions();
        var from = From();
        var command = new Command("drop", "Delete the records waiting for the old webhook (asks nothing)") { from, common.State, common.DataDir };
        command.SetAction((parse, ct) => RunAsync(parse, common, "drop", parse.GetValue(from)!, null, async (store, source, _, stderr) =>
        {
            var dropped = await store.Outbox.DropAsync(source, ct).ConfigureAwait(false);
            await stderr.WriteLineAsync($"[tgwatch] dropped {dropped} records waiting for {source}").ConfigureAwait(false);
        }, ct));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CommonOptions common, string verb, string fromText, string? toText,
        Func<Storage.IStateStore, string, string?, TextWriter, Task> act, CancellationToken ct)
    {
        var stderr = parse.InvocationConfiguration.Error;
        try
        {
            var (source, fromError) = OutboxNames.Resolve(fromText, "--from");
            if (source is null) throw new CliException(ExitCodes.Usage, fromError!);
            string? target = null;
            if (toText is not null)
            {
                (target, var toError) = OutboxNames.Resolve(toText, "--to");
                if (target is null) throw new CliException(ExitCodes.Usage, toError!);
                if (target == source) throw new CliException(ExitCodes.Usage, "--from and --to name the same webhook");
            }
            var path = common.StatePath(parse);
            if (!PostgresState.Is(path) && !File.Exists(path)) throw new CliException(ExitCodes.Usage, $"no state store at {path} (nothing has run with it yet)");
            await using var opened = await StateAndSinks.OpenAsync(path, [], NullLoggerFactory.Instance, null, ct).ConfigureAwait(false);
            var waiting = await opened.Store.Outbox.WaitingAsync(ct).ConfigureAwait(false);
            if (!waiting.ContainsKey(source))
            {
                var others = waiting.Keys.Where(OutboxNames.IsWebhook).ToList();
                throw new CliException(ExitCodes.Usage, $"no records wait for {source}" +
                    (others.Count > 0 ? $" (records wait for: {string.Join(", ", others)})" : " (no webhook outbox holds records)"));
            }
            await act(opened.Store, source, target, stderr).ConfigureAwait(false);
            return ExitCodes.Ok;
        }
        catch (CliException e)
        {
            await stderr.WriteLineAsync($"tgwatch outbox {verb}: {e.Message}").ConfigureAwait(false);
            return e.ExitCode;
        }
    }
}
