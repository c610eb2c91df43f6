using System.Text.Json;
using Tgwatch.Cli.Commands;
using Tgwatch.Connectors;

namespace Tgwatch.Cli.Http;

/// <summary>
/// The live figures of a run as <c>/api/status</c> answers them: counts, the link and its timeline, lag, each sink's written
/// count, failures, outbox and dead letters, flood waits, the noise hidden, the chats' last messages and uptime, and under
/// <c>store</c> what <c>tgwatch status --json</c> gives. Names and counts only (sinks as the log names them, chat titles): no
/// secret, no message text.
/// </summary>
internal static class RunStatusJson
{
    /// <summary>Most chats listed in <c>chats</c> (the latest first); <c>store.chats</c> has them all.</summary>
    public const int Chats = 100;

    public static void Write(Utf8JsonWriter json, LiveRun run)
    {
        var now = run.Time.GetUtcNow();
        json.WriteStartObject();
        json.WriteString("started", RunReadiness.Time(run.Started));
        json.WriteNumber("uptime_seconds", Math.Round(run.Uptime.TotalSeconds, 1));
        var notReady = RunReadiness.NotReady(run);
        json.WriteBoolean("ready", notReady.Count == 0);
        json.WriteStartArray("reasons");
        foreach (var reason in notReady) json.WriteStringValue(reason);
        json.WriteEndArray();
        if (run.Noise is { } noise)
        {
            json.WriteStartObject("noise");
            json.WriteStartObject("hidden");
            foreach (var kind in noise.Hidden.GroupBy(h => h.Kind).OrderBy(g => g.Key))
                json.WriteNumber(RunMetrics.Kind(kind.Key), kind.Sum(h => h.Items));
            json.WriteEndObject();
            json.WriteNumber("summaries", noise.Summaries);
            json.WriteEndObject();
        }
        if (run.Current is { } o)
        {
            var stats = o.Pipeline.Stats;
            WriteLink(json, o.Connector);
            json.WriteNumber("received", stats.Received);
            json.WriteNumber("written", stats.Written);
            json.WriteNumber("duplicates", stats.Duplicates);
            json.WriteNumber("caught_up", stats.CaughtUp);
            json.WriteNumber("filtered", stats.Filtered);
            json.WriteNumber("in_flight", o.Pipeline.InFlight);
            if (o.Lags?.Now() is { } lag)
            {
                json.WriteStartObject("lag_seconds");
                json.WriteNumber("p50", Math.Round(lag.P50, 3));
                json.WriteNumber("p99", Math.Round(lag.P99, 3));
                json.WriteNumber("max", Math.Round(lag.Max, 3));
                json.WriteNumber("count", lag.Count);
                json.WriteEndObject();
            }
            else
            {
                json.WriteNull("lag_seconds");
            }
            json.WriteNumber("flood_wait_seconds", Math.Round(o.Connector.LinkStats?.FloodWait.TotalSeconds ?? 0, 1));
            json.WriteStartObject("dead_letters");
            json.WriteNumber("pipeline", stats.DeadLetters);
            foreach (var w in o.Outboxes) json.WriteNumber(w.Name, w.Stats.DeadLettered);
            json.WriteEndObject();
            json.WriteStartArray("sinks");
            foreach (var sink in stats.Sinks)
            {
                var webhook = o.OutboxOf(sink);
                json.WriteStartObject();
                json.WriteString("name", sink.Name);
                json.WriteNumber("written", sink.Written);
                json.WriteBoolean("failing", sink.Failing || webhook?.Stats.Failing == true);
                if (o.FailingSince(sink) is { } since) json.WriteString("failing_since", RunReadiness.Time(since));
                json.WriteNumber("failures", sink.Failures.Total + (webhook?.Stats.Failures.Total ?? 0));
                if (webhook is not null)
                {
                    json.WriteNumber("outbox", webhook.Stats.Pending);
                    json.WriteNumber("sent", webhook.Stats.Sent);
                }
                json.WriteEndObject();
            }
            json.WriteEndArray();
            if (o.Store.Last is { } store)
            {
                json.WriteNumber("pending_replies", store.Status.PendingReplies);
                json.WriteNumber("dead_letters_stored", store.Status.DeadLetters);
                json.WriteStartArray("chats");
                foreach (var chat in store.Status.Chats.OrderByDescending(c => c.LastDate).Take(Chats))
                {
                    json.WriteStartObject();
                    json.WriteNumber("id", chat.ChatId);
                    json.WriteString("title", chat.Title);
                    json.WriteNumber("messages", chat.Count);
                    json.WriteString("last_date", RunReadiness.Time(chat.LastDate));
                    json.WriteNumber("last_age_seconds", Math.Round(Math.Max(0, (now - chat.LastDate).TotalSeconds), 1));
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteString("store_read_at", RunReadiness.Time(store.At));
                json.WritePropertyName("store");
                StatusCommand.WriteJson(json, store.Status, now);
            }
        }
        json.WriteEndObject();
    }

    private static void WriteLink(Utf8JsonWriter json, IConnector connector)
    {
        var link = connector.Status;
        json.WriteStartObject("link");
        json.WriteString("connector", connector.Name);
        json.WriteString("account", connector.Account);
        json.WriteString("state", State(link.State));
        json.WriteString("reason", link.Reason);
        json.WriteString("since", RunReadiness.Time(link.Since));
        if (connector.LinkStats is { } stats)
        {
            json.WriteNumber("reconnects", stats.Reconnects);
            json.WriteNumber("down_seconds", Math.Round(stats.Down.TotalSeconds, 1));
            json.WriteStartArray("timeline");
            foreach (var change in stats.Timeline)
            {
                json.WriteStartObject();
                json.WriteString("state", State(change.State));
                json.WriteString("at", RunReadiness.Time(change.Since));
                json.WriteString("reason", change.Reason);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        json.WriteEndObject();
    }

    /// <summary>A link state as the answers name it: ready, connecting, stopped.</summary>
    internal static string State(ConnectionState state) => state switch
    {
        ConnectionState.Disconnected => "stopped",
        _ => state.ToString().ToLowerInvariant(),
    };
}
