using System.CommandLine;
using System.Globalization;
using Tgwatch.Cli.Hosting;
using Tgwatch.Formatting;

namespace Tgwatch.Cli.Run;

/// <summary>
/// <c>tgwatch consume --nats URL --durable NAME --sink …</c>: the run with a JetStream durable consumer as its connector (the records
/// that runners published with <c>--sink nats:…</c>), so filters, handlers, sinks, the state store, the heartbeat and the HTTP
/// endpoint work as in <c>tgwatch run</c> (<see cref="RunService"/>). Messages are acknowledged once every sink committed them.
/// </summary>
internal static class ConsumeCommand
{
    public static Command Create()
    {
        var common = new CommonOptions();
        var config = new Option<string?>("--config") { Description = "A JSON configuration file (default: ./tgwatch.json when it exists)" };
        var nats = new Option<string?>("--nats") { Description = "The nats-server: nats://[user:password@]HOST:4222 (or Nats:Url, env TGWATCH__NATS__URL)" };
        var stream = new Option<string?>("--stream") { Description = "The stream (default TGWATCH)" };
        var durable = new Option<string?>("--durable") { Description = "The durable consumer, created when absent; processes on one durable share its messages (or Nats:Durable)" };
        var subject = new Option<string?>("--subject") { Description = "The subjects a durable created takes (default tgwatch.>)" };
        var ackWait = new Option<string?>("--ack-wait") { Description = "How long the server waits for an acknowledgement before delivering a message again, for a durable created (default 30s)" };
        var maxAckPending = new Option<int?>("--max-ack-pending") { Description = "How many messages may wait for their acknowledgement at once, for a durable created (default 1000)" };
        var token = new Option<string?>("--bot-token") { Description = "A bot to post telegram:CHAT alerts through (or env TGWATCH__BOTAPI__TOKEN)" };
        var chats = new Option<string[]>("--chat") { Description = "Only these chats: id or @username (repeatable; none = all)", Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = false };
        var sinks = new Option<string[]>("--sink") { Description = "Where messages go: console, jsonl:PATH, sqlite:PATH, webhook:URL, telegram:CHAT, nats:URL (repeatable; default console)", Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = false };
        var handlers = new Option<string[]>("--handler") { Description = "A program that handles each message: exec:COMMAND (repeatable)", Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = false };
        var heartbeat = new Option<string?>("--heartbeat") { Description = "How often one line says the consumer works (e.g. 15m; 0 for never; default 15m)" };
        var http = new Option<string?>("--http") { Description = "Serve a status page and /metrics, /healthz, /readyz, /api/status on ADDRESS:PORT (:PORT = loopback)" };
        var command = new Command("consume", "Take the records runners published to NATS JetStream from a durable consumer and hand them to the sinks, until stopped")
        {
            config, nats, stream, durable, subject, ackWait, maxAckPending, token, chats, sinks, handlers, common.State, common.DataDir, common.WebhookSecret, common.WebhookTimeout,
            common.LogLevel, common.LogFormat, heartbeat, http,
        };
        command.SetAction(async (parse, _) =>
        {
            var stderr = parse.InvocationConfiguration.Error;
            RunSettings settings;
            try
            {
                settings = RunSettingsReader.ForRun(parse.GetValue(config), new Dictionary<string, string?>
                {
                    ["Connector"] = "nats",
                    ["Nats:Url"] = parse.GetValue(nats),
                    ["Nats:Stream"] = parse.GetValue(stream),
                    ["Nats:Durable"] = parse.GetValue(durable),
                    ["Nats:Subject"] = parse.GetValue(subject),
                    ["Nats:AckWait"] = parse.GetValue(ackWait),
                    ["Nats:MaxAckPending"] = parse.GetValue(maxAckPending)?.ToString(CultureInfo.InvariantCulture),
                    ["BotApi:Token"] = parse.GetValue(token),
                    ["State"] = parse.GetValue(common.State),
                    ["DataDir"] = parse.GetValue(common.DataDir),
                    ["WebhookSecret"] = common.WebhookSecretGiven(parse),
                    ["WebhookTimeout"] = parse.GetValue(common.WebhookTimeout),
                    ["Heartbeat"] = parse.GetValue(heartbeat),
                    ["Http:Listen"] = parse.GetValue(http),
                }, parse.GetValue(chats), parse.GetValue(sinks), parse.GetValue(handlers));
            }
            catch (CliException e)
            {
                await stderr.WriteLineAsync(TextLines.EachLinePrefixed(Secrets.SecretRedactor.Default.Redact(e.Message), "tgwatch consume: ")).ConfigureAwait(false);
                return e.ExitCode;
            }
            using var logging = common.Logging(parse, stderr, settings.NoiseOptions);
            CliLog.RenamedSettings(logging.Factory.CreateLogger("Tgwatch.Settings"), settings.Renamed);
            using var hangup = StateAndSinks.IgnoreHangup();
            return await RunService.HostAsync(settings, logging, new RunTdlib(null)).ConfigureAwait(false);
        });
        return command;
    }
}
