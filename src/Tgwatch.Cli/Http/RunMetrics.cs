using System.Diagnostics.Metrics;
using Tgwatch.Connectors;

namespace Tgwatch.Cli.Http;

/// <summary>
/// The run's instruments on one <see cref="Meter"/> "Tgwatch", made by the host's <see cref="IMeterFactory"/> (so two runs in one
/// process never share a series; the factory disposes it with the host). All are observable: each scrape reads the live counters the components keep anyway
/// (ARCHITECTURE §5), so metrics cost the pipeline nothing. The exporter names them as Prometheus does: a counter
/// <c>tgwatch.messages.received</c> is served as <c>tgwatch_messages_received_total</c>.
/// </summary>
/// <remarks>
/// No gauge <c>tgwatch_dead_letters</c> (dead letters waiting in the store) yet: in OpenMetrics its family name would be the
/// counter <c>tgwatch_dead_letters_total</c>'s; it needs a name of its own first.
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
            description: "Messages set aside as dead letters, by stage: the pipeline (handlers, sink writes) or a webhook's sender");
        _meter.CreateObservableGauge("tgwatch.link.up", () => LinkUp(run),
            description: "1 while the connector's link to Telegram is ready, else 0");
        _meter.CreateObservableCounter("tgwatch.link.reconnects", () => Reconnects(run),
            description: "Times the link to Telegram was ready again after it had been up and gone down");
        _meter.CreateObservableCounter("tgwatch.link.down", () => DownSeconds(run), unit: "s",
            description: "Time the link to Telegram has been down after having been up, the outage going on now included");
        _meter.CreateObservableGauge("tgwatch.outbox.records", () => Outbox(run),
            description: "Records waiting in a webhook's outbox");
    }

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
        ? o.Webhooks.Select(w => new Measurement<long>(w.Stats.DeadLettered, new KeyValuePair<string, object?>("stage", w.Name)))
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
        ? o.Webhooks.Select(w => new Measurement<long>(w.Stats.Pending, new KeyValuePair<string, object?>("sink", w.Name)))
        : [];

    private static KeyValuePair<string, object?>[] Link(IConnector connector) =>
        [new("connector", connector.Name), new("account", connector.Account)];
}
