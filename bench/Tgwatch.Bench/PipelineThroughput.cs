using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Tgwatch.Connectors;
using Tgwatch.Messages;
using Tgwatch.Pipeline;
using Tgwatch.Sinks.Sqlite;
using Tgwatch.Sqlite;
using Tgwatch.Storage;

namespace Tgwatch.Bench;

/// <summary>
/// The whole <see cref="MessagePipeline"/> on generated deliveries (4 chats taking turns on one Bot API-like
/// stream, made as they are read), in one process run:
/// <list type="number">
/// <item>into a null sink, with a null state store (the pipeline's own cost) and with the SQLite state store;</item>
/// <item>into the SQLite sink, against raw batched inserts of the same messages into the same schema;</item>
/// <item>process memory while 1M messages flow into a null sink with the SQLite state store.</item>
/// </list>
/// Configurations take turns run after run (a burst of load elsewhere hits them alike); figures are the best of the
/// runs with the median beside it; every SQLite run writes new files.
/// </summary>
internal static class PipelineThroughput
{
    private const int Chats = 4;
    private const int Runs = 3;
    private static readonly int DefaultBatch = new PipelineOptions().BatchSize;

    public static async Task<int> RunAsync(string[] args)
    {
        var messages = Option(args, "--messages", 200_000);
        var memoryMessages = Option(args, "--memory-messages", 1_000_000);
        var parts = args.SkipWhile(a => a != "--parts").Skip(1).FirstOrDefault() ?? "123";
        var dir = Path.Combine(Path.GetTempPath(), $"tgwatch-bench-pipeline-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        var summary = new List<string>();
        try
        {
            Console.WriteLine($"pipeline: {Chats} chats interleaved on one stream, deliveries generated lazily; default {nameof(PipelineOptions)} " +
                $"(Capacity {new PipelineOptions().Capacity}, Parallelism {new PipelineOptions().Parallelism}, BatchSize {DefaultBatch}); {Environment.ProcessorCount} cores");
            // Warm-up: every path JIT-compiled and tiered up before anything is timed.
            await PipelineAsync(50_000, new NullSink(), new NullStateStore(), DefaultBatch);
            await using (var store = await OpenStoreAsync(dir, "warm"))
                await PipelineAsync(50_000, new NullSink(), store, DefaultBatch);
            Raw(dir, 20_000, DefaultBatch);
            await using (var sink = new SqliteMessageSink(Path.Combine(dir, "warm-sink.db")))
                await PipelineAsync(20_000, sink, new NullStateStore(), DefaultBatch);
            DeleteFiles(dir);

            if (parts.Contains('1', StringComparison.Ordinal)) await NullSinkAsync(dir, messages, summary);
            if (parts.Contains('2', StringComparison.Ordinal)) await SqliteSinkAsync(dir, messages, Option(args, "--batch", DefaultBatch), summary);
            if (parts.Contains('3', StringComparison.Ordinal)) await MemoryAsync(dir, memoryMessages, summary);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
        Console.WriteLine();
        Console.WriteLine("summary");
        foreach (var line in summary) Console.WriteLine("  " + line);
        return 0;
    }

    // ---- 1. pipeline → null sink ----

    private static async Task NullSinkAsync(string dir, int n, List<string> summary)
    {
        Console.WriteLine();
        Console.WriteLine($"1. pipeline -> null sink, {n:N0} messages (configurations take turns; best of the rounds, median in brackets)");
        var source = await SourceAsync(n);
        Console.WriteLine($"   the source alone (make deliveries + keys, no pipeline): {Rate(n, source)} msg/s  {source.Allocated / (double)n:F0} B/msg allocated");

        int[] sizes = [64, 128, 256, DefaultBatch, 1_024, 4_096];
        var nullStore = await RoundsAsync(5, sizes, batch => PipelineAsync(n, new NullSink(), new NullStateStore(), batch));
        foreach (var batch in sizes)
        {
            var m = nullStore[batch];
            Console.WriteLine($"   (a) null store,   BatchSize {Batch(batch)}: {Rates(n, m)}  {m.Allocated / (double)n,4:F0} B/msg allocated  CPU {m.Cpu.TotalMicroseconds / n,5:F2} us/msg (median)  avg sink batch {m.AverageBatch,4:F0}");
        }
        var bestNull = Fastest(nullStore);
        // The same without making messages: what the pipeline allocates itself (plus the connector's 40-byte Delivery record).
        var own = await PipelineAsync(n, new NullSink(), new NullStateStore(), DefaultBatch, recycle: 16_384);
        Console.WriteLine($"       of which the pipeline's own (connector cycling 16,384 messages made beforehand): {own.Allocated / (double)n:F0} B/msg, Delivery record included");

        int[] storeSizes = [128, DefaultBatch, 4_096];
        var withStore = await RoundsAsync(Runs, storeSizes.SelectMany(b => new[] { (Batch: b, Filtered: false), (Batch: b, Filtered: true) }),
            k => WithStoreAsync(dir, n, new NullSink(), k.Batch, k.Filtered));
        foreach (var batch in storeSizes)
        {
            var m = withStore[(batch, false)];
            Console.WriteLine($"   (b) SQLite store, BatchSize {Batch(batch)}: {Rates(n, m)}  {m.Allocated / (double)n,4:F0} B/msg allocated  CPU {m.Cpu.TotalMicroseconds / n,5:F2} us/msg (median)  avg sink batch {m.AverageBatch,4:F0}");
            Console.WriteLine($"         {m.Breakdown}");
        }
        foreach (var batch in storeSizes)
        {
            var m = withStore[(batch, true)];
            Console.WriteLine($"   (c) as (b) behind a Bloom filter of committed keys (bench decorator), BatchSize {Batch(batch)}: {Rates(n, m)}");
            Console.WriteLine($"         {m.Breakdown}");
        }
        var sqliteStore = storeSizes.ToDictionary(b => b, b => withStore[(b, false)]);
        var filtered = storeSizes.ToDictionary(b => b, b => withStore[(b, true)]);
        var bestStore = Fastest(sqliteStore);
        var bestFiltered = Fastest(filtered);

        // Why (b) is slower: what the store costs per message with one caller and no pipeline around it.
        var alone = await StoreAloneAsync(dir, n, DefaultBatch);
        Console.WriteLine($"   the SQLite store alone, one caller, {n:N0} new keys (best of {Runs}): commits of {DefaultBatch} keys {alone.CommitUs:F2} us/msg " +
            $"({alone.CommitNoIndexUs:F2} without the processed_by_age index)");
        Console.WriteLine($"         dedup lookups of 256 keys (a worker's most: Capacity/Parallelism; KeyInList pads them to 500) {alone.Lookup256Us:F2} us/msg, of 500 keys {alone.Lookup500Us:F2} us/msg");
        Console.WriteLine($"         -> one connection, commit + lookup = {alone.CommitUs + alone.Lookup256Us:F2} us/msg: at most {1e6 / (alone.CommitUs + alone.Lookup256Us):N0} msg/s; " +
            $"{1e6 / alone.CommitUs:N0} msg/s without the lookups");
        var tracker64 = TrackerNs(64, n);
        var tracker = TrackerNs(2_500, n);
        Console.WriteLine($"   PositionTracker alone, one stream, Start + Complete in order: {tracker64:F0} ns/msg with 64 in flight, {tracker:F0} ns/msg with 2,500 in flight " +
            "(SortedList.Remove of the lowest position shifts the rest)");

        summary.Add($"1. null sink, null store:   {Rate(n, nullStore[DefaultBatch])} msg/s at BatchSize {DefaultBatch} (default), {Rate(n, nullStore[bestNull])} at {bestNull} (best); " +
            $"{nullStore[DefaultBatch].Allocated / (double)n:F0} B/msg allocated, {own.Allocated / (double)n:F0} of them the pipeline's (the rest: making the message)  " +
            $"target >= 200,000: {Met(n / nullStore[bestNull].Elapsed.TotalSeconds >= 200_000)}");
        summary.Add($"   null sink, SQLite store: {Rate(n, sqliteStore[DefaultBatch])} msg/s at BatchSize {DefaultBatch} (default), {Rate(n, sqliteStore[bestStore])} at {bestStore} (best)  " +
            $"target >= 200,000: {Met(n / sqliteStore[bestStore].Elapsed.TotalSeconds >= 200_000)}");
        summary.Add($"      why: store alone {alone.CommitUs:F1} us commit + {alone.Lookup256Us:F1} us dedup lookup per msg on one connection = at most {1e6 / (alone.CommitUs + alone.Lookup256Us):N0} msg/s");
        summary.Add($"      Bloom filter before the lookups (bench): {Rate(n, filtered[DefaultBatch])} msg/s at {DefaultBatch}, {Rate(n, filtered[bestFiltered])} at {bestFiltered} (best)  " +
            $"target >= 200,000: {Met(n / filtered[bestFiltered].Elapsed.TotalSeconds >= 200_000)}");
    }

    private readonly record struct StoreCosts(double CommitUs, double CommitNoIndexUs, double Lookup256Us, double Lookup500Us);

    /// <summary>
    /// The store's two jobs in the pipeline, one after the other with one caller: commits of new keys, then lookups of new
    /// keys (as the workers make them). Best of 3; the commits once more without the age index of the processed keys.
    /// </summary>
    private static async Task<StoreCosts> StoreAloneAsync(string dir, int n, int commitBatch)
    {
        var best = new StoreCosts(double.MaxValue, double.MaxValue, double.MaxValue, double.MaxValue);
        for (var run = 0; run < Runs; run++)
        {
            var commit = await CommitsAsync(dir, n, commitBatch, withoutAgeIndex: false, lookups: true);
            var noIndex = await CommitsAsync(dir, n, commitBatch, withoutAgeIndex: true, lookups: false);
            best = new StoreCosts(Math.Min(best.CommitUs, commit.CommitUs), Math.Min(best.CommitNoIndexUs, noIndex.CommitUs),
                Math.Min(best.Lookup256Us, commit.Lookup256Us), Math.Min(best.Lookup500Us, commit.Lookup500Us));
        }
        return best;
    }

    private static async Task<StoreCosts> CommitsAsync(string dir, int n, int commitBatch, bool withoutAgeIndex, bool lookups)
    {
        var path = Path.Combine(dir, "alone.db");
        if (withoutAgeIndex)
        {
            await (await SqliteStateStore.OpenAsync(path, TimeProvider.System, default)).DisposeAsync();
            using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
            connection.Open();
            using var drop = connection.CreateCommand();
            drop.CommandText = "DROP INDEX processed_by_age";
            drop.ExecuteNonQuery();
        }
        var store = await SqliteStateStore.OpenAsync(path, TimeProvider.System, default);
        try
        {
            var clock = Stopwatch.StartNew();
            var position = 0;
            foreach (var batch in Batches(n, commitBatch))
            {
                position += batch.Length;
                await store.CommitAsync(CommitOf(batch, position), default);
            }
            var commit = clock.Elapsed.TotalMicroseconds / n;
            var lookup = new double[2];
            int[] sizes = [256, 500];
            for (var s = 0; lookups && s < sizes.Length; s++)
            {
                // Keys never committed: the common case, a new message.
                var keys = new List<string>(sizes[s]);
                clock.Restart();
                for (var i = 0; i < n; i++)
                {
                    keys.Add(SqliteSinkThroughput.Message(n + i, Chats).Key);
                    if (keys.Count < sizes[s] && i < n - 1) continue;
                    await store.FindProcessedAsync(keys, [], default);
                    keys.Clear();
                }
                lookup[s] = clock.Elapsed.TotalMicroseconds / n;
            }
            return new StoreCosts(commit, 0, lookup[0], lookup[1]);
        }
        finally
        {
            await store.DisposeAsync();
            DeleteFiles(dir);
        }
    }

    private static StoreCommit CommitOf(IReadOnlyList<TgMessage> batch, long position)
    {
        var processed = new ProcessedMessage[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            var m = batch[i];
            processed[i] = new ProcessedMessage(m.Key, m.Chat.Id, m.Chat.Title, m.MessageId, m.Date);
        }
        return new StoreCommit("bot123456", "botapi", [new Checkpoint(GeneratedConnector.Stream, position)], processed, DateTimeOffset.UtcNow);
    }

    /// <summary>The position tracker alone on one stream with <paramref name="window"/> deliveries in flight, completed in order.</summary>
    private static double TrackerNs(int window, int n)
    {
        var tracker = new PositionTracker();
        for (var p = 1; p <= window; p++) tracker.Start(new Checkpoint(GeneratedConnector.Stream, p));
        var clock = Stopwatch.StartNew();
        for (var p = 1; p <= n; p++)
        {
            tracker.Complete(new Checkpoint(GeneratedConnector.Stream, p));
            tracker.Start(new Checkpoint(GeneratedConnector.Stream, p + window));
        }
        return clock.Elapsed.TotalNanoseconds / n;
    }

    // ---- 2. pipeline → SQLite sink against raw inserts ----

    private static async Task SqliteSinkAsync(string dir, int n, int batch, List<string> summary)
    {
        const int Rounds = 5;
        Console.WriteLine();
        Console.WriteLine($"2. pipeline -> SQLite sink against raw batched inserts, {n:N0} messages, BatchSize {batch} (raw inserts in batches of {batch}); " +
            $"configurations take turns, best of {Rounds} rounds (medians in brackets)");
        string[] configs = ["raw", "sink", "a", "b", "c", "serial", "overlapped"];
        var r = await RoundsAsync(Rounds, configs, config => config switch
        {
            "raw" => Task.FromResult(Raw(dir, n, batch)),
            "sink" => SinkAloneAsync(dir, n, batch),
            "a" => WithSinkAsync(dir, n, batch, store: false),
            "b" => WithSinkAsync(dir, n, batch, store: true),
            "c" => WithSinkAsync(dir, n, batch, store: true, filtered: true),
            "serial" => SinkThenStoreAsync(dir, n, batch, overlap: false),
            _ => SinkThenStoreAsync(dir, n, batch, overlap: true),
        });
        var raw = r["raw"];
        Console.WriteLine($"   raw batched INSERTs (same schema):       {Rates(n, raw)} rows/s");
        Console.WriteLine($"   SqliteMessageSink alone (no pipeline):   {Rates(n, r["sink"])} rows/s  {Ratios(raw, r["sink"])}");
        Console.WriteLine($"   (a) pipeline, null store:                {Rates(n, r["a"])} msg/s   {Ratios(raw, r["a"])}  avg sink batch {r["a"].AverageBatch:F0}");
        Console.WriteLine($"         {r["a"].Breakdown}");
        Console.WriteLine($"   (b) pipeline, SQLite store:              {Rates(n, r["b"])} msg/s   {Ratios(raw, r["b"])}  avg sink batch {r["b"].AverageBatch:F0}");
        Console.WriteLine($"         {r["b"].Breakdown}");
        Console.WriteLine($"   (c) as (b), Bloom filter before lookups: {Rates(n, r["c"])} msg/s   {Ratios(raw, r["c"])}");
        Console.WriteLine($"         {r["c"].Breakdown}");
        Console.WriteLine("   what if the sink stage overlapped its two SQLite files (direct calls, no pipeline, no lookups):");
        Console.WriteLine($"       sink write, then store commit, batch after batch (as now): {Rates(n, r["serial"])} msg/s   {Ratios(raw, r["serial"])}");
        Console.WriteLine($"       store commit of batch k during the sink write of k+1:     {Rates(n, r["overlapped"])} msg/s   {Ratios(raw, r["overlapped"])}");
        summary.Add($"2. BatchSize {batch}: raw {Rate(n, raw)} rows/s; sink alone {Ratio(raw, r["sink"])}; pipeline + null store {Ratio(raw, r["a"])}, + SQLite store {Ratio(raw, r["b"])} of raw " +
            $"(medians {MedianRatio(raw, r["a"])}, {MedianRatio(raw, r["b"])})  target >= 80 %: (a) {Met(raw.Elapsed / r["a"].Elapsed >= 0.8)}, (b) {Met(raw.Elapsed / r["b"].Elapsed >= 0.8)}");
        summary.Add($"   (b) {r["b"].Breakdown}");
        summary.Add($"   fixes tried: Bloom filter before lookups {Ratio(raw, r["c"])} ({MedianRatio(raw, r["c"])}); store commit k || sink write k+1 (direct calls) {Ratio(raw, r["overlapped"])} " +
            $"({MedianRatio(raw, r["overlapped"])}) against {Ratio(raw, r["serial"])} ({MedianRatio(raw, r["serial"])}) one after the other");
    }

    private static async Task<Measured> WithSinkAsync(string dir, int n, int batch, bool store, bool filtered = false)
    {
        var timedSink = new TimedSink(new SqliteMessageSink(Path.Combine(dir, "sink.db")));
        try
        {
            var m = store ? await WithStoreAsync(dir, n, timedSink, batch, filtered) : await PipelineAsync(n, timedSink, new NullStateStore(), batch);
            return m with { Breakdown = $"sink writes {timedSink.Elapsed.TotalSeconds:F2} s" + (store ? ", " + m.Breakdown : $" of {m.Elapsed.TotalSeconds:F2} s") };
        }
        finally
        {
            await timedSink.DisposeAsync();
            DeleteFiles(dir);
        }
    }

    /// <summary>The pipeline with the SQLite state store (timed), optionally behind the bench's Bloom filter.</summary>
    private static async Task<Measured> WithStoreAsync(string dir, int n, IMessageSink sink, int batch, bool filtered)
    {
        var sqlite = await OpenStoreAsync(dir, "store");
        var timed = new TimedStore(sqlite);
        var filter = filtered ? new BloomFilteredStore(timed, new PipelineOptions().ProcessedKeep) : null;
        try
        {
            var m = await PipelineAsync(n, sink, (IStateStore?)filter ?? timed, batch);
            return m with { Breakdown = timed.Breakdown(m.Elapsed) + (filter is null ? "" : $"; {filter.Forwarded:N0} keys past the filter") };
        }
        finally
        {
            await sqlite.DisposeAsync();
            DeleteFiles(dir);
        }
    }

    /// <summary>
    /// The sink stage's SQLite work by direct calls: each batch written to the SQLite sink, then its store commit
    /// (as the pipeline does), or the commit of a batch running while the next batch is written.
    /// </summary>
    private static async Task<Measured> SinkThenStoreAsync(string dir, int n, int batch, bool overlap)
    {
        var sink = new SqliteMessageSink(Path.Combine(dir, "sink.db"));
        var store = await OpenStoreAsync(dir, "store");
        try
        {
            await sink.StartAsync(default);
            var clock = Stopwatch.StartNew();
            var position = 0;
            var committing = Task.CompletedTask;
            foreach (var b in Batches(n, batch))
            {
                position += b.Length;
                var commit = CommitOf(b, position);
                if (!overlap)
                {
                    await sink.WriteAsync(b, default);
                    await store.CommitAsync(commit, default);
                    continue;
                }
                var write = Task.Run(async () => await sink.WriteAsync(b, default));
                await Task.WhenAll(write, committing);
                committing = Task.Run(async () => await store.CommitAsync(commit, default));
            }
            await committing;
            return new Measured(clock.Elapsed, 0, batch);
        }
        finally
        {
            await sink.DisposeAsync();
            await store.DisposeAsync();
            DeleteFiles(dir);
        }
    }

    private static async Task<Measured> SinkAloneAsync(string dir, int n, int batch)
    {
        await using var sink = new SqliteMessageSink(Path.Combine(dir, "sink-alone.db"));
        await sink.StartAsync(default);
        var clock = Stopwatch.StartNew();
        foreach (var b in Batches(n, batch)) await sink.WriteAsync(b, default);
        var elapsed = clock.Elapsed;
        await sink.DisposeAsync();
        DeleteFiles(dir);
        return new Measured(elapsed, 0, batch);
    }

    private static Measured Raw(string dir, int n, int batch)
    {
        var elapsed = SqliteSinkThroughput.Raw(Path.Combine(dir, "raw.db"), Batches(n, batch));
        DeleteFiles(dir);
        return new Measured(elapsed, 0, batch);
    }

    private static IEnumerable<TgMessage[]> Batches(int n, int batch)
    {
        var buffer = new TgMessage[batch];
        var count = 0;
        for (var i = 0; i < n; i++)
        {
            buffer[count++] = SqliteSinkThroughput.Message(i, Chats);
            if (count < batch) continue;
            yield return buffer;
            count = 0;
        }
        if (count > 0) yield return buffer[..count];
    }

    // ---- 3. memory while 1M messages flow ----

    private static async Task MemoryAsync(string dir, int n, List<string> summary)
    {
        Console.WriteLine();
        Console.WriteLine($"3. memory: pipeline -> null sink with the SQLite state store (default options, no prune due), {n:N0} messages, BatchSize {DefaultBatch}");
        Console.WriteLine("   at each mark: VmRSS as it is, then after a full compacting GC (the other columns too)");
        Console.WriteLine($"   {"messages",10} {"VmRSS MB",9} {"after GC",9} {"managed MB",11} {"SQLite MB",10} {"state db+wal MB",16} {"in flight",10} {"s",6}");
        int[] marks = [.. new[] { 100_000, 250_000, 500_000, 750_000, 1_000_000 }.Select(m => (int)((long)m * n / 1_000_000))];
        var samples = new List<Sample>();
        var statePath = Path.Combine(dir, "memory.db");
        await using var store = await SqliteStateStore.OpenAsync(statePath, TimeProvider.System, default);
        MessagePipeline? pipeline = null;
        var clock = new Stopwatch();
        var next = 0;
        samples.Add(Sample.Take(0, statePath, 0, TimeSpan.Zero));
        Print(samples[^1]);
        var sink = new NullSink(written =>
        {
            if (next >= marks.Length || written < marks[next]) return;
            next++;
            samples.Add(Sample.Take(written, statePath, pipeline?.InFlight ?? 0, clock.Elapsed));
            Print(samples[^1]);
        });
        var connector = new GeneratedConnector(n, Chats);
        pipeline = new MessagePipeline(connector, [sink], store, new PipelineOptions());
        clock.Start();
        await pipeline.RunAsync(CancellationToken.None);
        if (pipeline.Stats.Written != n) throw new InvalidOperationException($"wrote {pipeline.Stats.Written} of {n}");
        Console.WriteLine($"   peak VmRSS (VmHWM) of the process so far: {ProcStatusMb("VmHWM:"):F1} MB");
        var marked = samples.Where(s => s.Messages > 0).ToList();
        var spread = marked.Max(s => s.RssMb) - marked.Min(s => s.RssMb);
        summary.Add($"3. VmRSS after GC {string.Join(" -> ", samples.Select(s => s.RssMb.ToString("F0", CultureInfo.InvariantCulture)))} MB at " +
            $"{string.Join("/", samples.Select(s => s.Messages >= 1000 ? $"{s.Messages / 1000}k" : "0"))} messages; " +
            $"without GC {string.Join(" -> ", samples.Select(s => s.RawRssMb.ToString("F0", CultureInfo.InvariantCulture)))} MB; " +
            $"managed heap {marked[0].ManagedMb:F1} -> {marked[^1].ManagedMb:F1} MB; RSS after GC within {spread:F1} MB over the marks: {(spread < 10 ? "flat" : "GROWS")}");

        static void Print(Sample s) =>
            Console.WriteLine($"   {s.Messages,10:N0} {s.RawRssMb,9:F1} {s.RssMb,9:F1} {s.ManagedMb,11:F1} {s.SqliteMb,10:F1} {s.FileMb,16:F1} {s.InFlight,10:N0} {s.At.TotalSeconds,6:F1}");
    }

    private sealed record Sample(long Messages, double RawRssMb, double RssMb, double ManagedMb, double SqliteMb, double FileMb, int InFlight, TimeSpan At)
    {
        public static Sample Take(long messages, string statePath, int inFlight, TimeSpan at)
        {
            var raw = ProcStatusMb("VmRSS:");
            GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            var managed = GC.GetTotalMemory(false) / 1e6;
            var sqlite = SQLitePCL.raw.sqlite3_memory_used() / 1e6;
            var file = (Size(statePath) + Size(statePath + "-wal")) / 1e6;
            return new Sample(messages, raw, ProcStatusMb("VmRSS:"), managed, sqlite, file, inFlight, at);
        }

        private static long Size(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;
    }

    /// <summary>A kB figure of /proc/self/status (VmRSS:, VmHWM:) in MB.</summary>
    private static double ProcStatusMb(string field)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (!line.StartsWith(field, StringComparison.Ordinal)) continue;
            var kb = long.Parse(line.AsSpan(field.Length).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
            return kb / 1024.0;
        }
        return double.NaN;
    }

    // ---- shared ----

    /// <summary>One run (or the best of several, with their median time).</summary>
    private sealed record Measured(TimeSpan Elapsed, long Allocated, double AverageBatch, string Breakdown = "")
    {
        public TimeSpan Median { get; init; } = Elapsed;

        /// <summary>The process's CPU time over the run (the median of the runs' for several).</summary>
        public TimeSpan Cpu { get; init; }

        public static Measured Of(List<Measured> runs)
        {
            var sorted = runs.OrderBy(r => r.Elapsed).ToList();
            var cpu = runs.Select(r => r.Cpu).Order().ToList();
            return sorted[0] with { Median = sorted[sorted.Count / 2].Elapsed, Cpu = cpu[cpu.Count / 2] };
        }
    }

    private static async Task<Measured> PipelineAsync(int n, IMessageSink sink, IStateStore store, int batchSize, int recycle = 0)
    {
        var connector = new GeneratedConnector(n, Chats, recycle);
        var pipeline = new MessagePipeline(connector, [sink], store, new PipelineOptions { BatchSize = batchSize });
        var allocated = GC.GetTotalAllocatedBytes(true);
        var cpu = Environment.CpuUsage.TotalTime;
        var clock = Stopwatch.StartNew();
        await pipeline.RunAsync(CancellationToken.None);
        var elapsed = clock.Elapsed;
        cpu = Environment.CpuUsage.TotalTime - cpu;
        allocated = GC.GetTotalAllocatedBytes(true) - allocated;
        if (pipeline.Stats.Written != n || connector.Committed != n)
            throw new InvalidOperationException($"the pipeline wrote {pipeline.Stats.Written} and committed up to {connector.Committed} of {n}");
        return new Measured(elapsed, allocated, pipeline.Stats.Written / (double)pipeline.Stats.Commits) { Cpu = cpu };
    }

    /// <summary>Every configuration once per round, in turn (a burst of load elsewhere hits them alike); best and median per configuration.</summary>
    private static async Task<Dictionary<TKey, Measured>> RoundsAsync<TKey>(int rounds, IEnumerable<TKey> configs, Func<TKey, Task<Measured>> measure)
        where TKey : notnull
    {
        var keys = configs.ToList();
        var runs = keys.ToDictionary(k => k, _ => new List<Measured>());
        for (var round = 0; round < rounds; round++)
            foreach (var key in keys) runs[key].Add(await measure(key));
        return runs.ToDictionary(r => r.Key, r => Measured.Of(r.Value));
    }

    /// <summary>What making the deliveries costs (the connector's part of every pipeline figure): message, delivery, key; second of two passes.</summary>
    private static async Task<Measured> SourceAsync(int n)
    {
        Measured? last = null;
        for (var pass = 0; pass < 2; pass++)
        {
            var connector = new GeneratedConnector(n, Chats);
            var keys = new string[1024];
            var allocated = GC.GetTotalAllocatedBytes(true);
            var clock = Stopwatch.StartNew();
            var i = 0;
            await foreach (var delivery in connector.ReadAsync(new Dictionary<string, long>(), default)) keys[i++ & 1023] = delivery.Message!.Key;
            last = new Measured(clock.Elapsed, GC.GetTotalAllocatedBytes(true) - allocated, 0);
        }
        return last!;
    }

    private static Task<SqliteStateStore> OpenStoreAsync(string dir, string name) =>
        SqliteStateStore.OpenAsync(Path.Combine(dir, name + ".db"), TimeProvider.System, default);

    private static void DeleteFiles(string dir)
    {
        foreach (var file in Directory.EnumerateFiles(dir)) File.Delete(file);
    }

    private static int Fastest(Dictionary<int, Measured> results) => results.MinBy(r => r.Value.Elapsed).Key;

    private static string Batch(int batch) => batch == DefaultBatch ? $"{batch,5} (default)" : $"{batch,5}          ";

    private static string Met(bool met) => met ? "met" : "MISSED";

    private static string Rate(int n, Measured m) => (n / m.Elapsed.TotalSeconds).ToString("N0", CultureInfo.InvariantCulture);

    private static string Rates(int n, Measured m) => $"{Rate(n, m),9} ({(n / m.Median.TotalSeconds).ToString("N0", CultureInfo.InvariantCulture),9})";

    private static string MedianRatio(Measured baseline, Measured m) => (baseline.Median / m.Median * 100).ToString("F0", CultureInfo.InvariantCulture) + " %";

    private static string Ratio(Measured baseline, Measured m) => (baseline.Elapsed / m.Elapsed * 100).ToString("F0", CultureInfo.InvariantCulture) + " %";

    /// <summary>Best against best, and median against median.</summary>
    private static string Ratios(Measured baseline, Measured m) => $"{Ratio(baseline, m),5} of raw ({MedianRatio(baseline, m),5})";

    private static int Option(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
