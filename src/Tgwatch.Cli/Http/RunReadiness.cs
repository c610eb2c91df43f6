using System.Globalization;
using Tgwatch.Connectors;

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
        // A sink that fails has the time it began to (both counters set it before they say failing).
        foreach (var sink in o.Pipeline.Stats.Sinks)
            if (o.FailingSince(sink) is { } since) reasons.Add($"sink {sink.Name} failing since {Time(since)}");
        return reasons;
    }

    /// <summary>A time as the answers write it: ISO-8601 UTC to the second.</summary>
    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
