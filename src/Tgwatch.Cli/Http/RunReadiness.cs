using System.Globalization;
using Tgwatch.Connectors;
using Tgwatch.Pipeline;
using Tgwatch.Sinks.Outbox;

namespace Tgwatch.Cli.Http;

/// <summary>Whether the run is ready (its link to Telegram is up and no sink is failing), and if not, why, one reason a line.</summary>
internal static class RunReadiness
{
    /// <summary>The reasons the run is not ready; empty when it is.</summary>
    public static IReadOnlyList<string> NotReady(LiveRun run)
    {
        if (run.Current is not { } o) return ["starting"];
        var reasons = new List<string>();
        var link = o.Connector.Status;
        if (link.State != ConnectionState.Ready)
        {
            var state = RunStatusJson.State(link.State);
            reasons.Add($"link down since {Time(link.Since)}: {state}{(link.Reason is { Length: > 0 } why ? $" ({why})" : "")}");
        }
        foreach (var sink in o.Pipeline.Stats.Sinks)
        {
            var webhook = o.Outboxes.FirstOrDefault(w => w.Name == sink.Name);
            if (FailingSince(sink, webhook) is { } since) reasons.Add($"sink {sink.Name} failing since {Time(since)}");
            else if (sink.Failing || webhook?.Stats.Failing == true) reasons.Add($"sink {sink.Name} failing");
        }
        return reasons;
    }

    /// <summary>Since when a sink has been failing: the pipeline's writes to it, or an outbox sink's deliveries, whichever began first; null when neither fails.</summary>
    public static DateTimeOffset? FailingSince(PipelineSinkStats sink, IOutboxSink? webhook) =>
        (sink.FailingSince, webhook?.Stats.FailingSince) switch
        {
            ({ } a, { } b) => a < b ? a : b,
            (var a, var b) => a ?? b,
        };

    /// <summary>A time as the answers write it: ISO-8601 UTC to the second.</summary>
    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
