using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Tgwatch.Bench.Scale;
using Tgwatch.Connectors;
using Tgwatch.Pipeline;
using Tgwatch.Sinks.Jsonl;
using Tgwatch.Sqlite;
using Tgwatch.Tdlib.Connector;
using Tgwatch.Tdlib.Connector.Export;
using Tgwatch.Tdlib.Updates;
using Tgwatch.TestKit;

namespace Tgwatch.Bench;

/// <summary>
/// <c>export</c>: what <c>tgwatch export --sink jsonl:PATH</c> does with a chat's history, against the pipeline alone on the same
/// number of records. The export: a <see cref="HistoryExport"/> over a scripted TDLib 1.8.65 (<see cref="TdWorld"/>: one channel
/// of N messages, getChatMessageByDate and getChatHistory answered as TDLib does, its pages cut short), through
/// <see cref="MessagePipeline"/> with default options into a JSONL sink, with the SQLite state store. The pipeline alone: a
/// plain in-memory connector (<see cref="GeneratedConnector"/>, one chat, messages made as they are read) into the same sink
/// and store. The two take turns run after run (the order turns each round), new files each run; every run's JSONL file is read
/// back and must hold every message once.
/// </summary>
internal static class ExportThroughput
{
    /// <summary>The options, as the usage line shows them.</summary>
    public const string Usage = "export [--messages N] [--rounds N] [--page-cap N]";

    private const string Account = "user5001";
    private const long ChatId = -1001000000000L;

    /// <summary>One run: how long, the process's CPU time, the bytes allocated, and what its JSONL file holds.</summary>
    internal sealed record Run(string Kind, TimeSpan Elapsed, TimeSpan Cpu, long Allocated, int Lines, int DistinctIds, long FirstId, long LastId, int HistoryCalls);

    /// <summary>Every round's two runs, export first in even rounds.</summary>
    internal sealed record Result(int Messages, int PageCap, IReadOnlyList<Run> Export, IReadOnlyList<Run> Pipeline);

    public static async Task<int> RunAsync(string[] args)
    {
        var messages = ScaleMath.Option(args, "--messages", 100_000);
        var rounds = ScaleMath.Option(args, "--rounds", 5);
        var pageCap = ScaleMath.Option(args, "--page-cap", 37);
        Console.WriteLine($"export: {messages:N0} messages of one channel, TDLib's getChatHistory pages cut to {pageCap}; default {nameof(PipelineOptions)}; " +
            $"JSONL sink, SQLite state store; {rounds} rounds; {Environment.ProcessorCount} cores, load {ScaleServers.Load()}");
        // Warm-up: both paths compiled and tiered up before anything is timed.
        await MeasureAsync(Math.Min(messages, 20_000), 1, pageCap);
        var r = await MeasureAsync(messages, rounds, pageCap);
        Print(r);
        Console.WriteLine($"  load after {ScaleServers.Load()}");
        return 0;
    }

    /// <summary>
    /// <paramref name="rounds"/> rounds of the export and the pipeline alone over <paramref name="messages"/> records each.
    /// </summary>
    /// <exception cref="InvalidOperationException">A run's JSONL file does not hold every message exactly once.</exception>
    internal static async Task<Result> MeasureAsync(int messages, int rounds, int pageCap)
    {
        var world = new TdWorld { HistoryPageCap = pageCap };
        world.AddChat(ChatId, "News", username: "newsroom");
        for (var i = 0; i < messages; i++) world.Post(ChatId, SqliteSinkThroughput.Message(i, 1).Text!, live: false);
        var dir = Path.Combine(Path.GetTempPath(), $"tgwatch-bench-export-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            List<Run> export = [], pipeline = [];
            for (var round = 0; round < rounds; round++)
            {
                if (round % 2 == 0) export.Add(await ExportAsync(world, dir, messages));
                pipeline.Add(await PipelineAloneAsync(dir, messages));
                if (round % 2 == 1) export.Add(await ExportAsync(world, dir, messages));
            }
            return new Result(messages, pageCap, export, pipeline);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static void Print(Result r)
    {
        var n = r.Messages;
        foreach (var (name, runs) in new[] { ("export (scripted TDLib -> HistoryExport -> pipeline)", r.Export), ("pipeline alone (in-memory connector)", r.Pipeline) })
        {
            var elapsed = runs.Select(x => x.Elapsed).ToList();
            Console.WriteLine($"  {name,-54} {ScaleMath.Rate(ScaleMath.Rate(n, elapsed.Min())),9} records/s best, {ScaleMath.Rate(ScaleMath.Rate(n, ScaleMath.Median(elapsed))),9} median; " +
                $"CPU {Median(runs, x => x.Cpu.TotalMicroseconds / n):F1} us/record, {Median(runs, x => (double)x.Allocated / n):F0} B/record allocated (medians)");
        }
        Console.WriteLine($"  getChatHistory calls per export: {string.Join(", ", r.Export.Select(x => x.HistoryCalls.ToString("N0", CultureInfo.InvariantCulture)))}");
        var times = (Export: r.Export.Select(x => x.Elapsed).ToList(), Pipeline: r.Pipeline.Select(x => x.Elapsed).ToList());
        var (best, median) = ScaleMath.Ratio(times.Pipeline, times.Export);
        var ratios = times.Pipeline.Zip(times.Export, (p, e) => p / e * 100).Order().ToList();
        Console.WriteLine($"  export/pipeline alone: median of the rounds' ratios {ScaleMath.PairedRatio(times.Pipeline, times.Export).ToString("F0", CultureInfo.InvariantCulture)} % " +
            $"(rounds {ratios[0].ToString("F0", CultureInfo.InvariantCulture)}-{ratios[^1].ToString("F0", CultureInfo.InvariantCulture)} %); best/best {best.ToString("F0", CultureInfo.InvariantCulture)} %, median/median {median.ToString("F0", CultureInfo.InvariantCulture)} %; " +
            "every record once in every run");
        var cpu = r.Export.Zip(r.Pipeline, (e, p) => e.Cpu / p.Cpu).Order().ToList();
        Console.WriteLine($"  CPU per record, export/pipeline alone: median of the rounds' ratios {Peers.Stats.Median(cpu).ToString("F2", CultureInfo.InvariantCulture)}x " +
            $"(rounds {cpu[0].ToString("F2", CultureInfo.InvariantCulture)}-{cpu[^1].ToString("F2", CultureInfo.InvariantCulture)}x; the scripted TDLib's answers included)");
    }

    private static double Median(IEnumerable<Run> runs, Func<Run, double> figure) => Peers.Stats.Median(runs.Select(figure));

    private static async Task<Run> ExportAsync(TdWorld world, string dir, int messages)
    {
        var calls = world.HistoryLimits.Count;
        await using var export = new HistoryExport(world.Session, new TdUpdateReader(Account), new HistoryRange("@newsroom"), new TdlibConnectorOptions { Account = Account });
        var run = await TimedAsync("export", dir, export, messages);
        return run with { HistoryCalls = world.HistoryLimits.Count - calls };
    }

    private static Task<Run> PipelineAloneAsync(string dir, int messages) => TimedAsync("pipeline", dir, new GeneratedConnector(messages, 1), messages);

    /// <summary>One run of <paramref name="connector"/> through the pipeline into a new JSONL file with a new SQLite state store; the file checked.</summary>
    private static async Task<Run> TimedAsync(string kind, string dir, IConnector connector, int messages)
    {
        var jsonl = Path.Combine(dir, kind + ".jsonl");
        var store = await SqliteStateStore.OpenAsync(Path.Combine(dir, kind + ".db"), TimeProvider.System, default);
        Run run;
        try
        {
            await using var sink = new JsonlSink(new JsonlSinkOptions { Path = jsonl }, store.SinkLedger);
            var pipeline = new MessagePipeline(connector, [sink], store, new PipelineOptions());
            var process = Process.GetCurrentProcess();
            var cpu = process.TotalProcessorTime;
            var allocated = GC.GetTotalAllocatedBytes(true);
            var clock = Stopwatch.StartNew();
            await pipeline.RunAsync(CancellationToken.None);
            var elapsed = clock.Elapsed;
            allocated = GC.GetTotalAllocatedBytes(true) - allocated;
            process.Refresh();
            cpu = process.TotalProcessorTime - cpu;
            run = new Run(kind, elapsed, cpu, allocated, 0, 0, 0, 0, 0);
        }
        finally
        {
            await store.DisposeAsync();
        }
        run = Check(run, jsonl, messages);
        foreach (var file in Directory.EnumerateFiles(dir)) File.Delete(file);
        return run;
    }

    /// <summary>Reads the run's JSONL file back: every message id from 1 (the export) or 1,000 (the generated connector) on, each once.</summary>
    private static Run Check(Run run, string jsonl, int messages)
    {
        var ids = new HashSet<long>();
        var lines = 0;
        foreach (var line in File.ReadLines(jsonl))
        {
            lines++;
            using var record = JsonDocument.Parse(line);
            ids.Add(record.RootElement.GetProperty("message_id").GetInt64());
        }
        var checkedRun = run with { Lines = lines, DistinctIds = ids.Count, FirstId = ids.Count == 0 ? 0 : ids.Min(), LastId = ids.Count == 0 ? 0 : ids.Max() };
        if (lines != messages || ids.Count != messages || checkedRun.LastId - checkedRun.FirstId + 1 != messages)
            throw new InvalidOperationException($"{run.Kind}: {lines} lines, {ids.Count} distinct message ids from {checkedRun.FirstId} to {checkedRun.LastId}, for {messages} messages");
        return checkedRun;
    }
}
