using System.Diagnostics.Metrics;
using Tgwatch.Connectors;
using Tgwatch.Faults;

namespace Tgwatch.Cli.Http;

/// <summary>
/// The run's instruments on one <see cref="Meter"/> "Tgwatch", made by the host's <see cref="IMeterFactory"/> (so two runs in one
/// process never share a series; the factory disposes it with the host). All are observable: each scrape reads the live counters the components keep anyway
/// (ARCHITECTURE §5), so metrics cost the pipeline nothing. The exporter names them as Prometheus does: a counter
/// <c>tgwatch.messages.received</c> is served as <c>tgwatch_messages_received_total</c>.
/// </summary>
/// <remarks>
/// The dead letters waiting in the store are the gauge <c>tgwatch_dead_letters_stored</c>, not <c>tgwatch_dead_letters</c>: in
/// OpenMetrics (what Prometheus asks for first) the family of the counter <c>tgwatch_dead_letters_total</c> is named
/// <c>tgwatch_dead_letters</c>, and two families of one name make the whole scrape fail. The store's figures (that gauge,
/// <c>tgwatch_pending_replies</c>, <c>tgwatch_checkpoint_age_seconds</c>) are read before each scrape (<see cref="StoreFigures"/>).
/// </remarks>
internal sealed class RunMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Tgwatch";

    private readonly Meter _meter;

    public RunMetrics(IMeterFactory meters, LiveRun run)
    {
        _meter = meters.Create(MeterName);
        _meter.CreateObservableCounter("tgwatch.messages.received", () => Received(run),
            description: "Deliveries handed over by the connector (redeliveries included)");
        _meter.CreateObservableCounter("tgwatch.messages.written", () => Written(run),
            description: "Messages committed with each sink among those that have them");
        _meter.CreateObservableCounter("tgwatch.messages.duplicate", () => Duplicates(run),
            description: "Deliveries skipped because every sink had them already");
        _meter.CreateObservableCounter("tgwatch.dead_letters", () => DeadLetters(run),
            description: "Messages set aside as dead letters, by stage: the pipeline (handlers, sink writes) or an outbox sink's sender (a webhook, an alert chat)");
        _meter.CreateObservableGauge("tgwatch.link.up", () => LinkUp(run),
            description: "1 while the connector's link to Telegram is ready, else 0");
        _meter.CreateObservableCounter("tgwatch.link.reconnects", () => Reconnects(run),
            description: "Times the link to Telegram was ready again after it had been up and gone down");
        _meter.CreateObservableCounter("tgwatch.link.down", () => DownSeconds(run), unit: "s",
            description: "Time the link to Telegram has been down after having been up, the outage going on now included");
        _meter.CreateObservableGauge("tgwatch.outbox.records", () => Outbox(run),
            description: "Records waiting in an outbox sink's outbox (a webhook, an alert chat)");
        _meter.CreateObservableCounter("tgwatch.flood_wait", () => FloodWait(run), unit: "s",
            description: "Time spent waiting out rate limits Telegram asked for (FLOOD_WAIT, 429 retry_after)");
        _meter.CreateObservableGauge("tgwatch.checkpoint.age", () => CheckpointAge(run), unit: "s",
            description: "Time since each stream's checkpoint last moved (a stream with nothing new keeps its checkpoint)");
        _meter.CreateObservableGauge("tgwatch.pending_replies", () => PendingReplies(run),
            description: "Replies delivered unresolved, waiting in the store to be resolved");
        _meter.CreateObservableGauge("tgwatch.dead_letters.stored", () => DeadLettersStored(run),
            description: "Dead letters in the store, waiting for a replay (tgwatch deadletters)");
        _meter.CreateObservableCounter("tgwatch.noise.lines_hidden", () => NoiseHidden(run),
            description: "Log lines (or events) of connection noise the noise gate hid, counted in its summaries, by kind and source");
        _meter.CreateObservableCounter("tgwatch.noise.summaries", () => NoiseSummaries(run),
            description: "Summary lines the noise gate wrote in place of the lines it hid");
        _meter.CreateObservableCounter("tgwatch.sink.failures", () => SinkFailures(run),
            description: "Failed writes to a sink (and an outbox sink's failed deliveries), each attempt, by kind of fault");
    }

    private static IEnumerable<Measurement<double>> FloodWait(LiveRun run) => run.Current is { Connector.LinkStats: { } link } o
        ? [new Measurement<double>(link.FloodWait.TotalSeconds, Link(o.Connector))]
        : [];

    private static IEnumerable<Measurement<double>> CheckpointAge(LiveRun run)
    {
        if (run.Current is not { Store.Last: { } store } o) return [];
        var now = run.Time.GetUtcNow();
        return store.Status.Checkpoints
            .Where(c => c.Account == o.Connector.Account && c.Connector == o.Connector.Name)
            .Select(c => new Measurement<double>(Math.Max(0, (now - c.UpdatedAt).TotalSeconds), new KeyValuePair<string, object?>("stream", c.Stream)))
            .ToList();
    }

    private static IEnumerable<Measurement<long>> PendingReplies(LiveRun run) => run.Current is { Store.Last: { } store }
        ? [new Measurement<long>(store.Status.PendingReplies)]
        : [];

    private static IEnumerable<Measurement<long>> DeadLettersStored(LiveRun run) => run.Current is { Store.Last: { } store }
        ? [new Measurement<long>(store.Status.DeadLetters)]
        : [];

    private static IEnumerable<Measurement<long>> NoiseHidden(LiveRun run) => run.Noise is { } gate
        ? gate.Hidden.Select(h => new Measurement<long>(h.Items, new KeyValuePair<string, object?>("kind", Kind(h.Kind)), new KeyValuePair<string, object?>("source", h.Source))).ToList()
        : [];

    private static IEnumerable<Measurement<long>> NoiseSummaries(LiveRun run) => run.Noise is { } gate
        ? [new Measurement<long>(gate.Summaries)]
        : [];

    private static IEnumerable<Measurement<long>> SinkFailures(LiveRun run)
    {
        if (run.Current is not { } o) return [];
        var measurements = new List<Measurement<long>>();
        foreach (var sink in o.Pipeline.Stats.Sinks)
        {
            var webhook = o.OutboxOf(sink)?.Stats.Failures;
            foreach (var kind in Enum.GetValues<FaultKind>())
            {
                var count = sink.Failures[kind] + (webhook?[kind] ?? 0);
                if (count > 0)
                    measurements.Add(new Measurement<long>(count, new KeyValuePair<string, object?>("sink", sink.Name), new KeyValuePair<string, object?>("kind", Kind(kind))));
            }
        }
        return measurements;
    }

    /// <summary>A fault kind as a label value: <c>network</c>, <c>rate_limited</c>.</summary>
    internal static string Kind(FaultKind kind) => kind switch
    {
        FaultKind.RateLimited => "rate_limited",
        _ => kind.ToString().ToLowerInvariant(),
    };

    private static IEnumerable<Measurement<long>> Received(LiveRun run) => run.Current is { } o
        ? [new Measurement<long>(o.Pipeline.Stats.Received, Link(o.Connector))]
        : [];

    private static IEnumerable<Measurement<long>> Duplicates(LiveRun run) => run.Current is { } o
        ? [new Measurement<long>(o.Pipeline.Stats.Duplicates)]
        : [];

    private static IEnumerable<Measurement<long>> Written(LiveRun run) => run.Current is { } o
        ? o.Pipeline.Stats.Sinks.Select(s => new Measurement<long>(s.Written, new KeyValuePair<string, object?>("sink", s.Name)))
        : [];

    private static IEnumerable<Measurement<long>> DeadLetters(LiveRun run) => run.Current is { } o
        ? o.Outboxes.Select(w => new Measurement<long>(w.Stats.DeadLettered, new KeyValuePair<string, object?>("stage", w.Name)))
            .Prepend(new Measurement<long>(o.Pipeline.Stats.DeadLetters, new KeyValuePair<string, object?>("stage", "pipeline")))
        : [];

    private static IEnumerable<Measurement<int>> LinkUp(LiveRun run) => run.Current is { } o
        ? [new Measurement<int>(o.Connector.Status.State == ConnectionState.Ready ? 1 : 0, Link(o.Connector))]
        : [];

    private static IEnumerable<Measurement<long>> Reconnects(LiveRun run) => run.Current is { Connector.LinkStats: { } link } o
        ? [new Measurement<long>(link.Reconnects, Link(o.Connector))]
        : [];

    private static IEnumerable<Measurement<double>> DownSeconds(LiveRun run) => run.Current is { Connector.LinkStats: { } link } o
        ? [new Measurement<double>(link.Down.TotalSeconds, Link(o.Connector))]
        : [];

    private static IEnumerable<Measurement<long>> Outbox(LiveRun run) => run.Current is { } o
        ? o.Outboxes.Select(w => new Measurement<long>(w.Stats.Pending, new KeyValuePair<string, object?>("sink", w.Name)))
        : [];

    private static KeyValuePair<string, object?>[] Link(IConnector connector) =>
        [new("connector", connector.Name), new("account", connector.Account)];
}
