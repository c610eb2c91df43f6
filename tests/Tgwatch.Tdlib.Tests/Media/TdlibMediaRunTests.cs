using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;
using Tgwatch.Connectors;
using Tgwatch.Media;
using Tgwatch.Messages;
using Tgwatch.Pipeline;
using Tgwatch.Tdlib.Connector;
using Tgwatch.Tdlib.Connector.Export;
using Tgwatch.Tdlib.Tests.Connector;
using Tgwatch.Tdlib.Updates;
using Tgwatch.TestKit;
using static Tgwatch.Tdlib.Tests.Connector.ConnectorTesting;

namespace Tgwatch.Tdlib.Tests.Media;

/// <summary>
/// <c>export --media</c> and <c>run --media</c> end to end over a scripted TDLib 1.8.65 (<see cref="TdWorldFiles"/>): the
/// connector's update loop hands <c>updateFile</c> to the downloads, a stalled download is cancelled and made again, the same
/// file in several messages is downloaded once, every file ends on disk with its SHA-256 and TDLib keeps no copy of it.
/// </summary>
public sealed class TdlibMediaRunTests : IDisposable
{
    private const string Account = "user5001";
    private static readonly TimeSpan StallTime = TimeSpan.FromSeconds(2); // well above a part's 20 ms pause on a loaded machine
    private readonly string _dir = Some.TempDirectory("tgwatch-tdlib-run-media");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // A retry comes after the cancelled download's last updateFile has been read, as it does with the default 5 s: files
    // download several at once, so a stalled file's retry is no longer behind the others', and one made within a few ms of
    // its cancel could take that update (is_downloading_active false) for its own end and count an attempt more.
    private MediaOptions Options() => new()
    {
        Directory = Path.Combine(_dir, "media"),
        RetryDelay = TimeSpan.FromMilliseconds(250),
        MaxDelay = TimeSpan.FromMilliseconds(500),
    };

    private readonly CollectingLoggerProvider _logs = new();

    /// <summary>An export of the whole history of @newsroom, retrying quickly.</summary>
    private static HistoryExport NewExport(TdWorld world) =>
        new(world.Session, new TdUpdateReader(Account), new HistoryRange("@newsroom", null, null), new TdlibConnectorOptions
        {
            Account = Account,
            MinBackoff = TimeSpan.FromMilliseconds(20),
            MaxBackoff = TimeSpan.FromMilliseconds(100),
            RequestTimeout = TimeSpan.FromSeconds(5),
        });

    private MessagePipeline NewPipeline(Tgwatch.Connectors.IConnector connector, CollectingSink sink, InMemoryStateStore store, IMediaSource source, MediaOptions media, bool finishes) =>
        new(connector, [sink], store, new PipelineOptions { OrderWindow = TimeSpan.FromMilliseconds(50), DrainTimeout = TimeSpan.FromMilliseconds(500), BatchSize = 100 },
            logger: _logs.CreateLogger("media"))
        {
            Media = new MediaDownloads(source, media),
            FinishesDownloads = finishes,
        };

    private static void AssertDone(CollectingSink sink, TdWorld.Msg m, TdWorld.WorldFile file)
    {
        var update = sink.Writes.Last(w => w.IsMediaUpdate && w.MessageId == m.Id);
        var done = update.Media!.Download!;
        Assert.Equal((MediaState.Done, (long?)file.Bytes.Length, Convert.ToHexStringLower(SHA256.HashData(file.Bytes))), (done.State, done.Size, done.Sha256));
        Assert.Equal(file.Bytes, File.ReadAllBytes(done.Path!));
    }

    // An export of a chat with five documents, three files: one file stalls at its first download (a part, then nothing), one is
    // in three messages. The export ends once every file is done: each message's record says done with the file's SHA-256, the
    // stalled file was cancelled once and downloaded again, the file of three messages downloaded once, TDLib's copies deleted.
    [Fact]
    public async Task AnExportWithMedia_FollowsTdlibsDownloads_ToEveryFileDoneOnce()
    {
        var world = new TdWorld();
        world.AddChat(News, "News", username: "newsroom");
        var files = new TdWorldFiles(world, Path.Combine(_dir, "td")) { ChunkPause = TimeSpan.FromMilliseconds(20) };
        var a = files.Add(101, 300_000);
        var b = files.Add(102, 120_000);
        var c = files.Add(103, 5_000);
        files.Stall(a);
        world.Post(News, "before", live: false);
        var posted = new[] { (world.PostFile(News, a, "a", live: false), a), (world.PostFile(News, b, "b", live: false), b), (world.PostFile(News, b, "b again", live: false), b),
            (world.PostFile(News, c, "c", live: false), c), (world.PostFile(News, b, "b once more", live: false), b) };
        world.Post(News, "after", live: false);
        var store = new InMemoryStateStore();
        var sink = new CollectingSink();
        await using var export = NewExport(world);
        var source = new TdlibMediaSource(world.Session, export.Files, StallTime);
        var pipeline = NewPipeline(export, sink, store, source, Options(), finishes: true);

        await pipeline.RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(7, sink.Writes.Count(w => !w.IsMediaUpdate));
        foreach (var (m, file) in posted) AssertDone(sink, m, file);
        Assert.True(files.Downloads.Order().SequenceEqual([101, 101, 102, 103]), string.Join(", ", files.Downloads) + "\n" + string.Join("\n", _logs.Entries));
        Assert.Equal([101], files.Cancels);
        Assert.Equal([101, 102, 103], files.Deletes.Order());
        Assert.Empty(Directory.EnumerateFiles(files.Directory, "*", SearchOption.AllDirectories));
        Assert.Equal([30_000, 60_000, 90_000, 120_000], files.Progress[b.Id]);
        Assert.Equal((3L, 0L), (pipeline.Stats.MediaDownloaded, pipeline.Stats.MediaFailed));
        Assert.Equal(0, await store.PendingDownloads.CountAsync(default));
    }

    // export --media has read its whole range and waits for a file still downloading when TDLib's update loop fails (the
    // session logged out, or TDLib closed the client): its progress can no longer come, so the export ends at once with why,
    // what it wrote stays written and committed up to the range's end, and the file stays pending for the next run, no attempt
    // counted. The downloads' clock never moves: a download still waiting for its progress would wait for ever, not retry.
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AnExportWithMedia_WaitingForItsDownloads_EndsWithWhyTdlibsUpdatesFailed_TheFileLeftPending(bool loggedOut)
    {
        var world = new TdWorld();
        world.AddChat(News, "News", username: "newsroom");
        var files = new TdWorldFiles(world, Path.Combine(_dir, "td"));
        var a = files.Add(101, 300_000);
        files.Stall(a);
        world.Post(News, "before", live: false);
        world.PostFile(News, a, "a", live: false);
        var last = world.Post(News, "after", live: false);
        var store = new InMemoryStateStore();
        var sink = new CollectingSink();
        await using var export = NewExport(world);
        var source = new TdlibMediaSource(world.Session, export.Files, StallTime, new FakeTimeProvider());
        var pipeline = NewPipeline(export, sink, store, source, Options(), finishes: true);
        var run = pipeline.RunAsync(CancellationToken.None);
        await Eventually.TrueAsync(async () => export.Stats.State == HistoryExportState.Done && files.Progress.ContainsKey(a.Id)
            && (await store.LoadCheckpointsAsync(Account, export.Name, default)).GetValueOrDefault(export.Stream!) == last.Id,
            "the range read and committed, its file downloading", Patience, run);

        if (loggedOut) world.Session.Push("""{"@type":"updateAuthorizationState","authorization_state":{"@type":"authorizationStateLoggingOut"}}""");
        else world.Session.Complete();
        // A real wait bounds a failing test only (the downloads' clock stands still: untold, the run would never end); the end
        // comes at the run's next look at its downloads, every 250 ms.
        var e = await Assert.ThrowsAnyAsync<ConnectorException>(() => run.WaitAsync(Patience));

        Assert.Equal(loggedOut ? typeof(TdlibAuthorizationLostException) : typeof(ConnectorException), e.GetType());
        Assert.Contains(loggedOut ? "tgwatch login" : "TDLib closed the client", e.Message, StringComparison.Ordinal);
        Assert.Equal(3, sink.Writes.Count(w => !w.IsMediaUpdate));
        Assert.DoesNotContain(sink.Writes, w => w.IsMediaUpdate);
        Assert.Equal(last.Id, (await store.LoadCheckpointsAsync(Account, export.Name, default))[export.Stream!]);
        var pending = Assert.Single(store.Downloads.All);
        Assert.Equal(0, pending.Attempts);
        Assert.Equal(0, pipeline.Stats.MediaFailed);
    }

    // A run: a document posted live is downloaded through the run's own update loop (the connector hands updateFile on).
    [Fact]
    public async Task ARunWithMedia_DownloadsALiveDocument_ThroughTheConnectorsUpdates()
    {
        var world = new TdWorld();
        world.AddChat(News, "News");
        var files = new TdWorldFiles(world, Path.Combine(_dir, "td"));
        var file = files.Add(201, 64_000);
        var store = new InMemoryStateStore();
        var sink = new CollectingSink();
        await using var connector = NewConnector(world);
        var pipeline = NewPipeline(connector, sink, store, new TdlibMediaSource(world.Session, connector.Files, StallTime), Options(), finishes: false);
        using var stop = new CancellationTokenSource();
        var run = pipeline.RunAsync(stop.Token);

        await Eventually.TrueAsync(() => world.Session.SentOf("openChat").Count > 0, "the chat watched", Patience, run);
        var m = world.PostFile(News, file, "live");
        await Eventually.TrueAsync(() => sink.Writes.Any(w => w.IsMediaUpdate), "the file done", Patience, run);
        await stop.CancelAsync();
        await run.WaitAsync(Patience);

        AssertDone(sink, m, file);
        Assert.Equal([201], files.Deletes);
    }
}
