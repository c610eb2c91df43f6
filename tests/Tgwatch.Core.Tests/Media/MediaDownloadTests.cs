using System.Net.Sockets;
using System.Security.Cryptography;
using Tgwatch.Media;
using Tgwatch.Messages;
using Tgwatch.TestKit;

namespace Tgwatch.Core.Tests.Media;

public sealed class MediaDownloadTests : IDisposable
{
    private readonly MediaFixture _f = new();

    public void Dispose() => _f.Dispose();

    [UnixFact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task AMessageWithAFile_IsWrittenPendingAtOnce_ThenAMediaUpdateSaysDone_WithPathSizeAndSha256()
    {
        var file = _f.Source.Add("f1", 3000);
        var message = MediaFixture.WithFile(7, file);
        var connector = ScriptedConnector.Of([message]);
        connector.EndWhenDone = false;
        using var stop = new CancellationTokenSource();
        var run = _f.Pipeline(connector).RunAsync(stop.Token);

        await Eventually.TrueAsync(() => _f.Updates.Count == 1, "the media update", TimeSpan.FromSeconds(30));
        await Eventually.TrueAsync(async () => await _f.Store.PendingDownloads.CountAsync(default) == 0, "no pending download left", TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30));

        var first = _f.Sink.Writes[0];
        Assert.Equal(MediaDownload.Pending, first.Media!.Download);
        var done = _f.Updates.Single().Media!.Download!;
        var path = Path.Combine(_f.Directory, "-1001234567890", "7-u-f1.jpg");
        Assert.Equal(new MediaDownload(MediaState.Done, path, 3000, Convert.ToHexStringLower(SHA256.HashData(_f.Source.Files["f1"]))), done);
        Assert.Equal(_f.Source.Files["f1"], await File.ReadAllBytesAsync(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(PrivateMode, File.GetUnixFileMode(Path.GetDirectoryName(path)!));
        Assert.Empty(Directory.EnumerateFiles(_f.Directory, "*.part", SearchOption.AllDirectories));
    }

    // An export's stream ends with its last page: with FinishesDownloads, the run ends only when every file is downloaded
    // (its media update written and committed); without it, what is still downloading is left pending to the next run.
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task WhenTheStreamEnds_ARunThatFinishesDownloads_EndsWithEveryFileDone(bool finishes)
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _f.Source.BeforeDownload = async (_, _, ct) => await release.Task.WaitAsync(ct);
        var messages = Enumerable.Range(1, 5).Select(i => MediaFixture.WithFile(i, _f.Source.Add($"f{i}", 100 * i))).ToList();
        var connector = ScriptedConnector.Of(messages);
        var pipeline = new Tgwatch.Pipeline.MessagePipeline(connector, [_f.Sink], _f.Store, Tgwatch.Core.Tests.Pipeline.PipelineFixture.FastOptions(), logger: _f.Logs.CreateLogger("media"))
        {
            Media = new MediaDownloads(_f.Source, _f.Options()),
            FinishesDownloads = finishes,
        };
        var run = pipeline.RunAsync(CancellationToken.None);

        await Eventually.TrueAsync(() => _f.Sink.Writes.Count == 5, "the five messages written, their files pending", TimeSpan.FromSeconds(30));
        if (finishes)
        {
            // A real wait: the run must still be going while the files are held back (its check runs every 250 ms).
            await Task.Delay(TimeSpan.FromSeconds(1));
            Assert.False(run.IsCompleted);
            release.SetResult();
        }
        await run.WaitAsync(TimeSpan.FromSeconds(30));

        if (finishes)
        {
            Assert.Equal(5, _f.Updates.Count(u => u.Media!.Download!.State == MediaState.Done));
            Assert.Equal(0, await _f.Store.PendingDownloads.CountAsync(default));
            Assert.Equal(5, pipeline.Stats.MediaDownloaded);
        }
        else
        {
            Assert.Equal(5, await _f.Store.PendingDownloads.CountAsync(default));
        }
    }

    // An export's update loop may fail once its range is read (TDLib closed): a run whose every download has ended by then
    // has nothing left to wait for and ends as it should; one with a download left ends with that failure, the file pending.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AConnectorThatFailedAfterItsStream_EndsARunWaitingForDownloads_OnlyWhenOneIsLeft(bool oneLeft)
    {
        List<TgMessage> messages = [.. Enumerable.Range(1, 3).Select(i => MediaFixture.WithFile(i, _f.Source.Add($"f{i}", 100 * i))), SomeMessage.New(4, "the last")];
        var connector = ScriptedConnector.Of(messages);
        connector.Failure = new InvalidOperationException("TDLib closed the client");
        if (oneLeft) _f.Source.BeforeDownload = async (file, _, ct) => { if (file.Id == "f2") await Task.Delay(Timeout.Infinite, ct); };
        // The stream ends only once every file that can be is downloaded and its end committed: then nothing is left to wait
        // for, or only the one held.
        var (done, left) = oneLeft ? (2, 1) : (3, 0);
        connector.BeforeDelivery = async (d, ct) =>
        {
            if (d.Message?.MessageId == 4)
                await Eventually.TrueAsync(async () => _f.Updates.Count == done && await _f.Store.PendingDownloads.CountAsync(ct) == left, "the files downloaded before the stream's end");
        };
        var pipeline = new Tgwatch.Pipeline.MessagePipeline(connector, [_f.Sink], _f.Store, Tgwatch.Core.Tests.Pipeline.PipelineFixture.FastOptions(), logger: _f.Logs.CreateLogger("media"))
        {
            Media = new MediaDownloads(_f.Source, _f.Options()),
            FinishesDownloads = true,
        };

        var run = pipeline.RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        if (oneLeft)
        {
            var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => run);
            Assert.Equal("TDLib closed the client", failure.Message);
            Assert.Equal(1, await _f.Store.PendingDownloads.CountAsync(default));
        }
        else
        {
            await run;
            Assert.Equal(3, _f.Updates.Count(u => u.Media!.Download!.State == MediaState.Done));
            Assert.Equal(0, await _f.Store.PendingDownloads.CountAsync(default));
        }
        Assert.Equal(4, _f.Sink.Writes.Count(w => !w.IsMediaUpdate));
    }

    private const UnixFileMode PrivateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    [Fact]
    public async Task TheSameFileInTenMessages_IsDownloadedOnce_CountedOnceWithItsBytes_AndEveryUpdateNamesThatPath()
    {
        var file = _f.Source.Add("same", 500);
        var messages = Enumerable.Range(1, 10).Select(i => MediaFixture.WithFile(i, file with { Id = "same" }, chatId: -100 - i % 3)).ToList();
        var connector = ScriptedConnector.Of(messages);
        connector.EndWhenDone = false;
        using var stop = new CancellationTokenSource();
        var pipeline = _f.Pipeline(connector);
        var run = pipeline.RunAsync(stop.Token);

        await Eventually.TrueAsync(() => _f.Updates.Count == 10, "ten media updates", TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, _f.Source.DownloadsOf("same"));
        Assert.Equal((1, 500, 0), (pipeline.Stats.MediaDownloaded, pipeline.Stats.MediaBytes, pipeline.Stats.MediaFailed));
        Assert.Single(_f.Updates.Select(u => u.Media!.Download!.Path).Distinct());
        Assert.Single(Directory.EnumerateFiles(_f.Directory, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task AFileOverTheSourcesLimit_IsWrittenFailedTooBig_WithoutATry_CountedFailed_AndNoUpdateFollows()
    {
        var source = new ScriptedMediaSource(maxFileSize: 20L << 20);
        using var f = new MediaFixture { Source = source };
        var big = new MediaFile("big", "u-big", 30L << 20, "mp4");
        var overOption = new MediaFile("mid", "u-mid", 2L << 20, "pdf");
        var connector = ScriptedConnector.Of([MediaFixture.WithFile(1, big, "video"), MediaFixture.WithFile(2, overOption, "document")]);

        var pipeline = f.Pipeline(connector, f.Options() with { MaxSize = 1L << 20 });
        await pipeline.RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0, source.Downloads);
        Assert.Equal((0, 0, 2), (pipeline.Stats.MediaDownloaded, pipeline.Stats.MediaBytes, pipeline.Stats.MediaFailed));
        Assert.Equal(2, f.Sink.Writes.Count);
        Assert.All(f.Sink.Writes, m => Assert.Equal(MediaState.Failed, m.Media!.Download!.State));
        Assert.StartsWith("too big: 30 MB, this connector downloads files up to 20 MB", f.Sink.Writes[0].Media!.Download!.Error);
        Assert.StartsWith("too big: 2 MB, over the media size limit of 1 MB", f.Sink.Writes[1].Media!.Download!.Error);
        Assert.Equal(0, await f.Store.PendingDownloads.CountAsync(default));
    }

    [Fact]
    public async Task TypesNotChosen_AndMessagesWithoutAFile_AreWrittenAsBefore()
    {
        var file = _f.Source.Add("v", 10, "mp4");
        var connector = ScriptedConnector.Of([MediaFixture.WithFile(1, file, "video"), SomeMessage.New(2)]);

        await _f.Pipeline(connector, _f.Options() with { Types = ["photo"] }).RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.All(_f.Sink.Writes, m => Assert.Null(m.Media?.Download));
        Assert.Equal(0, _f.Source.Downloads);
    }

    [Fact]
    public async Task FailedDownloads_AreRetried_ThenDone_AndAGoneFileIsFailedAtOnce_EachCountedOnceAsItEnded()
    {
        var flaky = _f.Source.Add("flaky", 100);
        var gone = new MediaFile("gone", "u-gone", 10, "jpg");
        _f.Source.BeforeDownload = (file, n, _) => file.Id == "flaky" && n <= 2 ? throw new SocketException((int)SocketError.ConnectionReset) : ValueTask.CompletedTask;
        var connector = ScriptedConnector.Of([MediaFixture.WithFile(1, flaky), MediaFixture.WithFile(2, gone)]);
        connector.EndWhenDone = false;
        using var stop = new CancellationTokenSource();
        var pipeline = _f.Pipeline(connector);
        var run = pipeline.RunAsync(stop.Token);

        await Eventually.TrueAsync(() => _f.Updates.Count == 2, "both media updates", TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(3, _f.Source.DownloadsOf("flaky"));
        Assert.Equal(1, _f.Source.DownloadsOf("gone"));
        // The two attempts that failed before the third one did are retries, not failed downloads.
        Assert.Equal((1, 100, 1), (pipeline.Stats.MediaDownloaded, pipeline.Stats.MediaBytes, pipeline.Stats.MediaFailed));
        var byId = _f.Updates.ToDictionary(u => u.MessageId, u => u.Media!.Download!);
        Assert.Equal(MediaState.Done, byId[1].State);
        Assert.Equal(new MediaDownload(MediaState.Failed, Error: "not found: the file is gone"), byId[2]);
    }

    [Fact]
    public async Task AShortDownload_IsRetried_AndNothingIsPlacedUnderTheFilesName()
    {
        var file = _f.Source.Add("short", 100) with { Size = 200 };
        var connector = ScriptedConnector.Of([MediaFixture.WithFile(1, file)]);
        connector.EndWhenDone = false;
        using var stop = new CancellationTokenSource();
        var run = _f.Pipeline(connector, _f.Options() with { Attempts = 2 }).RunAsync(stop.Token);

        await Eventually.TrueAsync(() => _f.Updates.Count == 1, "the media update", TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(2, _f.Source.DownloadsOf("short"));
        Assert.Equal("2 attempts failed, the last: got 100 of 200 bytes", _f.Updates.Single().Media!.Download!.Error);
        Assert.Empty(Directory.EnumerateFiles(_f.Directory, "*", SearchOption.AllDirectories));
    }
}
