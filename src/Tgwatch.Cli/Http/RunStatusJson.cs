using System.Text.Json;
using Tgwatch.Connectors;

namespace Tgwatch.Cli.Http;

/// <summary>
/// The live figures of a run as <c>/api/status</c> answers them: counts, the link, each sink's written count, outbox and dead
/// letters, uptime. Names only (sinks as the log names them): no secret, no message text.
/// </summary>
internal static class RunStatusJson
{
    public static void Write(Utf8JsonWriter json, LiveRun run)
    {
        json.WriteStartObject();
        json.WriteString("started", RunReadiness.Time(run.Started));
        json.WriteNumber("uptime_seconds", Math.Round(run.Uptime.TotalSeconds, 1));
        var notReady = RunReadiness.NotReady(run);
        json.WriteBoolean("ready", notReady.Count == 0);
        json.WriteStartArray("reasons");
        foreach (var reason in notReady) json.WriteStringValue(reason);
        json.WriteEndArray();
        if (run.Current is { } o)
        {
            var stats = o.Pipeline.Stats;
            var link = o.Connector.Status;
            json.WriteStartObject("link");
            json.WriteString("connector", o.Connector.Name);
            json.WriteString("account", o.Connector.Account);
            json.WriteString("state", link.State.ToString().ToLowerInvariant());
            json.WriteString("reason", link.Reason);
            json.WriteString("since", RunReadiness.Time(link.Since));
            json.WriteEndObject();
            json.WriteNumber("received", stats.Received);
            json.WriteNumber("written", stats.Written);
            json.WriteNumber("duplicates", stats.Duplicates);
            json.WriteNumber("caught_up", stats.CaughtUp);
            json.WriteNumber("filtered", stats.Filtered);
            json.WriteNumber("in_flight", o.Pipeline.InFlight);
            json.WriteStartObject("dead_letters");
            json.WriteNumber("pipeline", stats.DeadLetters);
            foreach (var w in o.Webhooks) json.WriteNumber(w.Name, w.Stats.DeadLettered);
            json.WriteEndObject();
            json.WriteStartArray("sinks");
            foreach (var sink in stats.Sinks)
            {
                var webhook = o.Webhooks.FirstOrDefault(w => w.Name == sink.Name);
                json.WriteStartObject();
                json.WriteString("name", sink.Name);
                json.WriteNumber("written", sink.Written);
                json.WriteBoolean("failing", sink.Failing || webhook?.Stats.Failing == true);
                if (webhook is not null)
                {
                    json.WriteNumber("outbox", webhook.Stats.Pending);
                    json.WriteNumber("sent", webhook.Stats.Sent);
                }
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        json.WriteEndObject();
    }
}
