using System.Security.Cryptography;
using Tgwatch.BotApi;
using Tgwatch.Media;
using Tgwatch.Messages;
using Tgwatch.Pipeline;
using Tgwatch.Sandbox;
using Tgwatch.Sandbox.Admin;
using Tgwatch.Sandbox.Faults;
using Tgwatch.TestKit;

namespace Tgwatch.BotApi.Tests;

/// <summary>Media downloads through the Bot API (getFile, then the file's path), against the sandbox.</summary>
public sealed class BotApiMediaTests : IAsyncLifetime
{
    private const long Group = -1001000000001;
    private BotApiSandbox _sandbox = null!;
    private readonly string _dir = Some.TempDirectory("tgwatch-botapi-media");

    public async Task InitializeAsync() => _sandbox = await BotApiSandbox.StartAsync(new SandboxOptions(), CancellationToken.None);

    public async Task DisposeAsync()
    {
        await _sandbox.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task PhotosAndDocuments_AreDownloaded_ADroppedDownloadIsRetried_AndOneOver20MBIsFailedTooBigWithoutGetFile()
    {
        await _sandbox.Admin.SendMessageAsync(new InjectMessage { ChatId = Group, Photo = true, Caption = "a photo" });
        await _sandbox.Admin.SendMessageAsync(new InjectMessage { ChatId = Group, Document = new SandboxDocument { FileName = "report.pdf", FileSize = 300_000 } });
        await _sandbox.Admin.SendMessageAsync(new InjectMessage { ChatId = Group, Document = new SandboxDocument { FileName = "movie.mkv", FileSize = 30L << 20 } });
        await _sandbox.Admin.AddFaultAsync(new FaultRequest { Kind = SandboxFaultKind.Drop, Method = "file" });
        var options = new BotApiOptions { Token = _sandbox.Token, ApiUrl = _sandbox.BaseUrl, PollTimeout = TimeSpan.FromSeconds(1) };
        await using var connector = new BotApiConnector(options);
        using var source = new BotApiMediaSource(options);
        var sink = new CollectingSink();
        var pipeline = new MessagePipeline(connector, [sink], new InMemoryStateStore(), new PipelineOptions { MinBackoff = TimeSpan.FromMilliseconds(1), MaxBackoff = TimeSpan.FromMilliseconds(5) })
        {
            Media = new MediaDownloads(source, new MediaOptions { Directory = _dir, RetryDelay = TimeSpan.FromMilliseconds(20), MaxDelay = TimeSpan.FromMilliseconds(100) }),
        };
        using var stop = new CancellationTokenSource();
        var run = pipeline.RunAsync(stop.Token);
        await Eventually.TrueAsync(() => sink.Writes.Count(m => m.IsMediaUpdate) == 2, "two media updates", TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30));

        var first = sink.Writes.Where(m => !m.IsMediaUpdate).OrderBy(m => m.MessageId).ToList();
        Assert.Equal([MediaState.Pending, MediaState.Pending, MediaState.Failed], first.Select(m => m.Media!.Download!.State));
        Assert.StartsWith("too big: 30 MB, this connector downloads files up to 20 MB", first[2].Media!.Download!.Error);
        var done = sink.Writes.Where(m => m.IsMediaUpdate).OrderBy(m => m.MessageId).Select(m => m.Media!.Download!).ToList();
        Assert.All(done, d => Assert.Equal(MediaState.Done, d.State));
        Assert.Equal([98_765L, 300_000L], done.Select(d => d.Size!.Value));
        Assert.EndsWith(".jpg", done[0].Path);
        Assert.EndsWith(".pdf", done[1].Path);
        foreach (var d in done) Assert.Equal(d.Sha256, Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(d.Path!))));
        Assert.Equal(2, Directory.EnumerateFiles(_dir, "*", SearchOption.AllDirectories).Count());
        var getFiles = (await _sandbox.Admin.GetStatsAsync()).RequestsByMethod.GetValueOrDefault("getFile");
        Assert.Equal(3L, getFiles); // the photo twice (its first download was dropped), the document once; never the 30 MB one
    }

    // A file download that stalls (half the file, then nothing more) is given up when no byte came for the stall time, and the
    // file is downloaded again at the next attempt: the record says done, once. (It hung for good before: the client's
    // time-out covers only the start of an answer.)
    [Fact]
    public async Task AStalledFileDownload_IsGivenUpAfterTheStallTime_AndDoneAtTheNextAttempt()
    {
        await _sandbox.Admin.SendMessageAsync(new InjectMessage { ChatId = Group, Document = new SandboxDocument { FileName = "slow.pdf", FileSize = 50_000 } });
        await _sandbox.Admin.AddFaultAsync(new FaultRequest { Kind = SandboxFaultKind.Stall, Method = "file" });
        var options = new BotApiOptions { Token = _sandbox.Token, ApiUrl = _sandbox.BaseUrl, PollTimeout = TimeSpan.FromSeconds(1) };
        await using var connector = new BotApiConnector(options);
        using var source = new BotApiMediaSource(options) { StallTimeout = TimeSpan.FromSeconds(1) };
        var sink = new CollectingSink();
        var pipeline = new MessagePipeline(connector, [sink], new InMemoryStateStore(), new PipelineOptions { MinBackoff = TimeSpan.FromMilliseconds(1), MaxBackoff = TimeSpan.FromMilliseconds(5) })
        {
            Media = new MediaDownloads(source, new MediaOptions { Directory = _dir, RetryDelay = TimeSpan.FromMilliseconds(20), MaxDelay = TimeSpan.FromMilliseconds(100) }),
        };
        using var stop = new CancellationTokenSource();
        var run = pipeline.RunAsync(stop.Token);
        await Eventually.TrueAsync(() => sink.Writes.Any(m => m.IsMediaUpdate), "the media update", TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30));

        var done = Assert.Single(sink.Writes, m => m.IsMediaUpdate).Media!.Download!;
        Assert.Equal((MediaState.Done, (long?)50_000), (done.State, done.Size));
        Assert.Equal(done.Sha256, Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(done.Path!))));
        Assert.Equal(2L, (await _sandbox.Admin.GetStatsAsync()).RequestsByMethod.GetValueOrDefault("getFile")); // the stalled attempt, then the one that went through
        Assert.Equal(1L, pipeline.Stats.MediaDownloaded);
    }
}
