using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Telegram.Bot;
using Tgwatch.Bench.Scale;
using Tgwatch.BotApi;
using Tgwatch.Media;
using Tgwatch.Messages;
using Tgwatch.Pipeline;
using Tgwatch.Sandbox;
using Tgwatch.Sandbox.Admin;
using Tgwatch.TestKit;

namespace Tgwatch.Bench.Downloads;

/// <summary>
/// <c>media</c>: the downloads of <c>run --media DIR</c> against <c>curl</c> of the same files, from the Bot API sandbox
/// started in process. Each round injects fresh documents (see <see cref="MediaFilePlan"/>); tgwatch's pipeline takes them
/// from the sandbox with the Bot API connector and downloads every file with <see cref="BotApiMediaSource"/> (getFile, then
/// the file written under a temporary name, its size checked, its SHA-256 taken, synced and renamed), <c>--parallel</c>
/// files at once (tgwatch's default unless given), timed from the pipeline's start to the last file's "done" record; then
/// one curl process downloads the same files' URLs one after another over one connection, as a user would type it
/// (getFile answered beforehand, outside its time). Both directories must then hold the same bytes, with the SHA-256
/// tgwatch recorded, or the benchmark fails.
/// </summary>
internal static class MediaDownloadThroughput
{
    private const long Chat = -1001000000077;

    public static async Task<int> RunAsync(string[] args)
    {
        var plan = MediaFilePlan.Parse(args);
        if (Curl.Path is null)
        {
            Console.Error.WriteLine("curl is not installed: apt-get install curl");
            return 1;
        }
        await using var sandbox = await BotApiSandbox.StartAsync(new SandboxOptions(), CancellationToken.None);
        var mb = plan.TotalBytes / (double)(1 << 20);
        Console.WriteLine($"media: {plan.Files} files of {MediaOptions.FormatSize(plan.Sizes()[0])} to {MediaOptions.FormatSize(plan.Sizes()[^1])} ({mb.ToString("F0", CultureInfo.InvariantCulture)} MB) per run, {plan.Parallel} at once, {plan.Rounds} rounds; sandbox {sandbox.BaseUrl}; {Curl.Path}; {Environment.ProcessorCount} cores, load {ScaleServers.Load()}");
        var run = 0;
        await RoundAsync(sandbox, new MediaFilePlan(2, 4, 1, plan.Parallel), run++); // warm-up
        List<TimeSpan> tgwatch = [], curl = [];
        for (var round = 0; round < plan.Rounds; round++)
        {
            var (a, b) = await RoundAsync(sandbox, plan, run++);
            tgwatch.Add(a);
            curl.Add(b);
        }
        var (best, median) = ScaleMath.Ratio(curl, tgwatch);
        Console.WriteLine($"  curl, one process, the files one after another: {MBps(mb, curl.Min())} MB/s (median {MBps(mb, ScaleMath.Median(curl))})");
        Console.WriteLine($"  tgwatch run --media (Bot API connector):       {MBps(mb, tgwatch.Min())} MB/s (median {MBps(mb, ScaleMath.Median(tgwatch))})");
        Console.WriteLine($"  tgwatch/curl: median of the rounds' ratios {ScaleMath.Percent(ScaleMath.PairedRatio(curl, tgwatch), 80)}; best/best {best.ToString("F0", CultureInfo.InvariantCulture)} %, median/median {median.ToString("F0", CultureInfo.InvariantCulture)} %; every file identical in both; load after {ScaleServers.Load()}");
        return 0;
    }

    private static string MBps(double mb, TimeSpan elapsed) => (mb / elapsed.TotalSeconds).ToString("F0", CultureInfo.InvariantCulture);

    /// <summary>One run of each on fresh files: tgwatch first, then curl of the same files; both directories checked, then removed.</summary>
    private static async Task<(TimeSpan Tgwatch, TimeSpan Curl)> RoundAsync(BotApiSandbox sandbox, MediaFilePlan plan, int run)
    {
        var sizes = plan.Sizes();
        for (var i = 0; i < sizes.Count; i++)
            await sandbox.Admin.SendMessageAsync(new InjectMessage { ChatId = Chat, Document = new SandboxDocument { FileName = $"r{run}-{i}.bin", FileSize = sizes[i] } });
        var a = Some.TempDirectory("tgwatch-bench-media");
        var b = Some.TempDirectory("tgwatch-bench-curl");
        try
        {
            var (tgwatch, done) = await TgwatchAsync(sandbox, a, sizes.Count, plan.Parallel);
            var urls = await UrlsAsync(sandbox, done, a, b);
            var curl = await Curl.DownloadAsync(urls);
            Verify(done, sizes, a, b);
            return (tgwatch, curl);
        }
        finally
        {
            Directory.Delete(a, recursive: true);
            Directory.Delete(b, recursive: true);
        }
    }

    /// <summary>The pipeline as <c>run --media</c> builds it, until every file is recorded done; the time to then, and the records.</summary>
    private static async Task<(TimeSpan Elapsed, IReadOnlyList<TgMessage> Done)> TgwatchAsync(BotApiSandbox sandbox, string directory, int files, int parallel)
    {
        var options = new BotApiOptions { Token = sandbox.Token, ApiUrl = sandbox.BaseUrl };
        await using var connector = new BotApiConnector(options);
        using var source = new BotApiMediaSource(options);
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var sink = new MediaUpdateSink(files, stop);
        var pipeline = new MessagePipeline(connector, [sink], new InMemoryStateStore(), new PipelineOptions())
        {
            Media = new MediaDownloads(source, new MediaOptions { Directory = directory, Parallel = parallel }),
        };
        sink.Start();
        try
        {
            await pipeline.RunAsync(stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        if (sink.Elapsed is not { } elapsed || sink.Updates.Count < files) throw new InvalidOperationException($"tgwatch recorded {sink.Updates.Count} of {files} downloads within 5 minutes");
        return (elapsed, [.. sink.Updates]);
    }

    /// <summary>Each file's URL, as getFile gives its path, and where curl writes it: the path tgwatch chose, under curl's directory.</summary>
    private static async Task<IReadOnlyList<(Uri Url, string Path)>> UrlsAsync(BotApiSandbox sandbox, IReadOnlyList<TgMessage> done, string a, string b)
    {
        using var http = new HttpClient();
        var bot = new TelegramBotClient(new TelegramBotClientOptions(sandbox.Token, sandbox.BaseUrl.GetLeftPart(UriPartial.Authority)), http);
        var urls = new List<(Uri, string)>();
        foreach (var m in done)
        {
            var file = await bot.GetFile(m.Media!.File!.Id);
            urls.Add((new Uri(sandbox.BaseUrl, $"file/bot{sandbox.Token}/{file.FilePath}"), Path.Combine(b, Path.GetRelativePath(a, m.Media.Download!.Path!))));
        }
        return urls;
    }

    /// <summary>Every file tgwatch recorded is there, as large as sent, with the SHA-256 it recorded, and curl's copy has the same bytes; nothing else is there.</summary>
    private static void Verify(IReadOnlyList<TgMessage> done, IReadOnlyList<long> sizes, string a, string b)
    {
        var failed = done.Where(m => m.Media!.Download!.State != MediaState.Done).Select(m => $"message {m.MessageId}: {m.Media!.Download!.Error}").ToList();
        if (failed.Count > 0) throw new InvalidOperationException($"tgwatch failed {failed.Count} downloads: {string.Join("; ", failed)}");
        var recorded = done.Select(m => m.Media!.Download!).OrderBy(d => d.Size).ToList();
        if (!recorded.Select(d => d.Size!.Value).SequenceEqual(sizes.Order()))
            throw new InvalidOperationException($"tgwatch recorded sizes {string.Join(", ", recorded.Select(d => d.Size))}, sent {string.Join(", ", sizes)}");
        foreach (var d in recorded)
        {
            var mine = Sha256(d.Path!);
            var theirs = Path.Combine(b, Path.GetRelativePath(a, d.Path!));
            if (mine != d.Sha256) throw new InvalidOperationException($"{d.Path}: SHA-256 {mine}, tgwatch recorded {d.Sha256}");
            if (!File.Exists(theirs)) throw new InvalidOperationException($"curl left no {theirs}");
            if (Sha256(theirs) is var curl && curl != mine) throw new InvalidOperationException($"{theirs}: SHA-256 {curl}, tgwatch's copy {mine}");
        }
        foreach (var dir in (string[])[a, b])
            if (Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Count() is var count && count != sizes.Count)
                throw new InvalidOperationException($"{dir} holds {count} files, {sizes.Count} were sent");
    }

    private static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>Keeps the media updates (a download ended) and stops the run, noting the time, once all are in.</summary>
    private sealed class MediaUpdateSink(int files, CancellationTokenSource stop) : IMessageSink
    {
        private long _started, _doneAt;

        public ConcurrentQueue<TgMessage> Updates { get; } = new();

        public string Name => "media";

        /// <summary>From <see cref="Start"/> to the last download's record; null while one is missing.</summary>
        public TimeSpan? Elapsed => _doneAt == 0 ? null : Stopwatch.GetElapsedTime(_started, _doneAt);

        public void Start() => _started = Stopwatch.GetTimestamp();

        public ValueTask WriteAsync(IReadOnlyList<TgMessage> batch, CancellationToken ct)
        {
            foreach (var m in batch.Where(m => m.IsMediaUpdate)) Updates.Enqueue(m);
            if (Updates.Count >= files && _doneAt == 0)
            {
                _doneAt = Stopwatch.GetTimestamp();
                stop.Cancel();
            }
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
