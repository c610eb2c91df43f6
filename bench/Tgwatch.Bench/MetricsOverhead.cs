using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Tgwatch.Cli.Http;
using Tgwatch.Cli.Run;
using Tgwatch.Pipeline;
using Tgwatch.Sqlite;
using Tgwatch.Storage;

namespace Tgwatch.Bench;

/// <summary>
/// The whole <see cref="MessagePipeline"/> (generated deliveries into a null sink, as <see cref="PipelineThroughput"/> runs
/// it) with its metrics off and on, configurations taking turns in one process run:
/// <list type="bullet">
/// <item>off: no <see cref="PipelineTimings"/>, nothing listens (<c>tgwatch run --heartbeat 0</c>);</item>
/// <item>heartbeat: the timings on a meter of their own, the heartbeat line listening to the lag (<c>tgwatch run</c>);</item>
/// <item>http: the run's HTTP endpoint as <c>tgwatch run --http</c> makes it (<see cref="MetricsEndpoint"/>: OpenTelemetry's
/// MeterProvider and Prometheus exporter on the host's meter, <see cref="RunMetrics"/>' observable counters), the heartbeat
/// line too; not scraped (what recording costs), and with <c>/metrics</c> scraped over HTTP all along the run (collecting
/// too).</item>
/// </list>
/// The endpoint and the timings are made once, as a run makes them once (the endpoint idles through the other runs). With
/// a null state store (the pipeline's own cost, where metrics weigh most) and with the SQLite state store. Each round runs
/// every configuration with metrics next to a run with them off (<see cref="RoundsAsync"/>); throughput is the median of
/// the runs (the best in brackets), a ratio the median of the pairs' ratios: the machine is shared, and two runs in a row
/// meet about the same load from elsewhere. CPU is the process's, the scrapes' client and server included.
/// </summary>
internal static class MetricsOverhead
{
    private const int Chats = 4;
    private const double Goal = 0.95;

    private enum Metrics { Off, Heartbeat, HttpUnscraped, Http }

    private sealed record Run(TimeSpan Elapsed, TimeSpan Cpu, long Allocated, int Scrapes);

    /// <summary>What the runs share, made once as a run makes it once: the endpoint, and the timings on its meter and on a meter of their own.</summary>
    private sealed record Setup(MetricsEndpoint Endpoint, PipelineTimings HttpTimings, PipelineTimings OwnTimings, TimeSpan ScrapeEvery);

    public static async Task<int> RunAsync(string[] args)
    {
        var messages = Option(args, "--messages", 500_000);
        var storeMessages = Option(args, "--store-messages", 100_000);
        var rounds = Option(args, "--rounds", 15);
        var storeRounds = Math.Max(3, rounds / 2);
        var scrapeEvery = TimeSpan.FromMilliseconds(Option(args, "--scrape-ms", 1_000));
        var dir = Path.Combine(Path.GetTempPath(), $"tgwatch-bench-metrics-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        await using var endpoint = await MetricsEndpoint.StartAsync();
        // Without --http the run's timings go on a meter of their own, which only the heartbeat line listens to.
        using var ownMeter = new Meter(RunMetrics.MeterName);
        var setup = new Setup(endpoint, new PipelineTimings(endpoint.Meter), new PipelineTimings(ownMeter), scrapeEvery);
        try
        {
            Console.WriteLine($"metrics: the pipeline with its metrics off and on, configurations in turns; {Chats} chats on one stream into a null sink, " +
                $"default {nameof(PipelineOptions)}; /metrics scraped every {scrapeEvery.TotalMilliseconds:F0} ms during the scraped runs; {Environment.ProcessorCount} cores");
            var loadAtStart = LoadAverage();
            // Warm-up: every path JIT-compiled and tiered up, the endpoint's too, before anything is timed.
            foreach (var metrics in Enum.GetValues<Metrics>())
            {
                await OnceAsync(setup, metrics, 100_000, new NullStateStore());
                await WithStoreAsync(setup, dir, metrics, 20_000);
            }
            var scrape = await ScrapeCostAsync(endpoint);
            Console.WriteLine($"one scrape of /metrics, the pipeline idle: {scrape.Ms:F2} ms, {scrape.Bytes:N0} B served, {scrape.Allocated / 1024.0:N0} KiB allocated in the process");

            var nullStore = await RoundsAsync(rounds, metrics => OnceAsync(setup, metrics, messages, new NullStateStore()));
            var sqliteStore = await RoundsAsync(storeRounds, metrics => WithStoreAsync(setup, dir, metrics, storeMessages));

            Table($"null state store, {messages:N0} messages, {rounds} rounds", messages, nullStore);
            Table($"SQLite state store, {storeMessages:N0} messages, {storeRounds} rounds", storeMessages, sqliteStore);
            var ratio = Ratio(nullStore, Metrics.Http);
            var storeRatio = Ratio(sqliteStore, Metrics.Http);
            Console.WriteLine();
            Console.WriteLine($"load average (1 min) {loadAtStart} at the start, {LoadAverage()} at the end: the work of others on the machine too");
            Console.WriteLine($"goal: with --http >= {Goal:P0} of the throughput with metrics off: null store {RatioAndSpread(nullStore, Metrics.Http)}, " +
                $"SQLite state store {RatioAndSpread(sqliteStore, Metrics.Http)}: " +
                (Math.Min(ratio, storeRatio) >= Goal ? "met" : "MISSED"));
            return 0;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static void Table(string title, int n, Results results)
    {
        Console.WriteLine();
        Console.WriteLine(title);
        Console.WriteLine($"  {"metrics",-46} {"msg/s median (best)",-22} {"of off",7} {"CPU ns/msg",10} {"CPU",7} {"B/msg",6} {"scrapes",7}");
        foreach (var metrics in Enum.GetValues<Metrics>())
        {
            var r = results.Runs[metrics];
            var cpu = Median(r, x => x.Cpu.Ticks);
            Console.WriteLine($"  {Describe(metrics),-46} {Rates(n, r),-22} {Percent(results, metrics),7} {cpu * 100.0 / n,10:F0} {(CpuRatio(results, metrics) - 1).ToString("+0.0 %;-0.0 %", CultureInfo.InvariantCulture),7} " +
                $"{Median(r, x => x.Allocated) / (double)n,6:F0} {Median(r, x => x.Scrapes),7}");
        }
    }

    private static string Describe(Metrics metrics) => metrics switch
    {
        Metrics.Off => "off (no timings, nothing listens)",
        Metrics.Heartbeat => "heartbeat line (tgwatch run)",
        Metrics.HttpUnscraped => "http + heartbeat, not scraped",
        _ => "http + heartbeat, scraped (tgwatch run --http)",
    };

    /// <summary>The runs of each configuration, and the pairs of runs with metrics off and on next to each other.</summary>
    private sealed record Results(Dictionary<Metrics, List<Run>> Runs, Dictionary<Metrics, List<(Run Off, Run On)>> Pairs);

    /// <summary>
    /// Each round, every configuration with metrics runs next to a run with them off, the off run first or second in turn;
    /// the configurations' order turns round after round.
    /// </summary>
    private static async Task<Results> RoundsAsync(int rounds, Func<Metrics, Task<Run>> measure)
    {
        Metrics[] on = [.. Enum.GetValues<Metrics>().Where(m => m != Metrics.Off)];
        var results = new Results(Enum.GetValues<Metrics>().ToDictionary(m => m, _ => new List<Run>()), on.ToDictionary(m => m, _ => new List<(Run, Run)>()));
        for (var round = 0; round < rounds; round++)
            for (var i = 0; i < on.Length; i++)
            {
                var metrics = on[(i + round) % on.Length];
                var offFirst = (round + i) % 2 == 0;
                var first = await measure(offFirst ? Metrics.Off : metrics);
                var second = await measure(offFirst ? metrics : Metrics.Off);
                var (off, with) = offFirst ? (first, second) : (second, first);
                results.Runs[Metrics.Off].Add(off);
                results.Runs[metrics].Add(with);
                results.Pairs[metrics].Add((off, with));
            }
        return results;
    }

    private static async Task<Run> WithStoreAsync(Setup setup, string dir, Metrics metrics, int n)
    {
        var store = await SqliteStateStore.OpenAsync(Path.Combine(dir, "state.db"), TimeProvider.System, default);
        try
        {
            return await OnceAsync(setup, metrics, n, store);
        }
        finally
        {
            await store.DisposeAsync();
            foreach (var file in Directory.EnumerateFiles(dir)) File.Delete(file);
        }
    }

    /// <summary>
    /// One run of <paramref name="n"/> messages with <paramref name="metrics"/>, set up as <c>RunService</c> sets a run up; only
    /// the pipeline's run is timed. With the endpoint, <c>/metrics</c> must show every message written and timed after it.
    /// </summary>
    private static async Task<Run> OnceAsync(Setup setup, Metrics metrics, int n, IStateStore store)
    {
        var http = metrics is Metrics.Http or Metrics.HttpUnscraped;
        var timings = metrics switch
        {
            Metrics.Off => null,
            Metrics.Heartbeat => setup.OwnTimings,
            _ => setup.HttpTimings,
        };
        var connector = new GeneratedConnector(n, Chats);
        var pipeline = new MessagePipeline(connector, [new NullSink()], store, new PipelineOptions()) { Timings = timings };
        if (http) setup.Endpoint.Live.Open(connector, pipeline, [], store);
        var before = http ? await CountsAsync(setup.Endpoint) : default;
        using var heartbeat = timings is null
            ? null
            : new HeartbeatLine(HeartbeatLine.Default, timings.Lag, 1, () => new HeartbeatFigures(pipeline.Stats.Written, connector.Status, pipeline.Stats.DeadLetters),
                NullLogger.Instance, TimeProvider.System);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        using var scraping = new CancellationTokenSource();
        var allocated = GC.GetTotalAllocatedBytes(true);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var scraper = metrics == Metrics.Http ? setup.Endpoint.ScrapeEveryAsync(setup.ScrapeEvery, scraping.Token) : Task.FromResult(0);
        var clock = Stopwatch.StartNew();
        await pipeline.RunAsync(CancellationToken.None);
        var elapsed = clock.Elapsed;
        await scraping.CancelAsync();
        var scrapes = await scraper;
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        allocated = GC.GetTotalAllocatedBytes(true) - allocated;
        if (pipeline.Stats.Written != n || connector.Committed != n)
            throw new InvalidOperationException($"the pipeline wrote {pipeline.Stats.Written} and committed up to {connector.Committed} of {n}");
        if (http)
        {
            var after = await CountsAsync(setup.Endpoint);
            if (after.Written != n || after.Lags - before.Lags != n || !(after.SinkWrites > before.SinkWrites))
                throw new InvalidOperationException($"/metrics says {after.Written} written, {after.Lags - before.Lags} lags and {after.SinkWrites - before.SinkWrites} sink writes of {n} messages");
            setup.Endpoint.Live.Close();
        }
        return new Run(elapsed, cpu, allocated, scrapes);
    }

    /// <summary>What <c>/metrics</c> says of the run now: messages written, lags and sink writes timed (the last two over every run).</summary>
    private static async Task<(double Written, double Lags, double SinkWrites)> CountsAsync(MetricsEndpoint endpoint)
    {
        var text = await endpoint.ScrapeAsync(default);
        return (MetricsEndpoint.Sample(text, "tgwatch_messages_written_total{sink=\"null\"}"),
            MetricsEndpoint.Sample(text, "tgwatch_pipeline_lag_seconds_count") is var lags && double.IsNaN(lags) ? 0 : lags,
            MetricsEndpoint.Sample(text, "tgwatch_sink_write_seconds_count{sink=\"null\"}") is var writes && double.IsNaN(writes) ? 0 : writes);
    }

    /// <summary>One scrape with the endpoint idle (a run's instruments on it): its time, size and allocation, median of 21.</summary>
    private static async Task<(double Ms, int Bytes, long Allocated)> ScrapeCostAsync(MetricsEndpoint endpoint)
    {
        var connector = new GeneratedConnector(1_000, Chats);
        var store = new NullStateStore();
        var pipeline = new MessagePipeline(connector, [new NullSink()], store, new PipelineOptions());
        endpoint.Live.Open(connector, pipeline, [], store);
        await pipeline.RunAsync(CancellationToken.None);
        var samples = new List<(double Ms, int Bytes, long Allocated)>();
        for (var i = 0; i < 21; i++)
        {
            var allocated = GC.GetTotalAllocatedBytes(true);
            var clock = Stopwatch.StartNew();
            var text = await endpoint.ScrapeAsync(default);
            samples.Add((clock.Elapsed.TotalMilliseconds, text.Length, GC.GetTotalAllocatedBytes(true) - allocated));
        }
        endpoint.Live.Close();
        return samples.OrderBy(s => s.Ms).ElementAt(samples.Count / 2);
    }

    private static TimeSpan Median(List<Run> runs) => runs.Select(r => r.Elapsed).Order().ElementAt(runs.Count / 2);

    private static long Median(List<Run> runs, Func<Run, long> of) => runs.Select(of).Order().ElementAt(runs.Count / 2);

    /// <summary>
    /// Throughput with <paramref name="metrics"/> over throughput with them off: the median of the ratios of the pairs, each of
    /// two runs next to each other (load from elsewhere comes and goes; two runs in a row meet about the same).
    /// </summary>
    private static double Ratio(Results results, Metrics metrics) => Ratios(results, metrics) is var r ? r[r.Length / 2] : 1;

    private static double[] Ratios(Results results, Metrics metrics) =>
        metrics == Metrics.Off ? [1] : [.. results.Pairs[metrics].Select(p => p.Off.Elapsed / p.On.Elapsed).Order()];

    /// <summary>The median ratio, and the middle half of the pairs' ratios: how much the load from elsewhere moved them.</summary>
    private static string RatioAndSpread(Results results, Metrics metrics)
    {
        var ratios = Ratios(results, metrics);
        return string.Create(CultureInfo.InvariantCulture, $"{ratios[ratios.Length / 2]:P1} (middle half of the pairs {ratios[ratios.Length / 4]:P0} to {ratios[ratios.Length * 3 / 4]:P0})");
    }

    /// <summary>CPU time of the process with <paramref name="metrics"/> over CPU time with them off, paired as <see cref="Ratio"/>.</summary>
    private static double CpuRatio(Results results, Metrics metrics) => metrics == Metrics.Off
        ? 1
        : results.Pairs[metrics].Select(p => p.On.Cpu / p.Off.Cpu).Order().ElementAt(results.Pairs[metrics].Count / 2);

    private static string Percent(Results results, Metrics metrics) => Ratio(results, metrics).ToString("P1", CultureInfo.InvariantCulture);

    private static string Rates(int n, List<Run> runs) =>
        $"{(n / Median(runs).TotalSeconds).ToString("N0", CultureInfo.InvariantCulture),9} ({(n / runs.Min(r => r.Elapsed).TotalSeconds).ToString("N0", CultureInfo.InvariantCulture)})";

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";

    private static int Option(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
