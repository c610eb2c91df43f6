using Microsoft.Extensions.Logging;
using Tgwatch.Media;
using Tgwatch.Messages;
using Tgwatch.TestKit;

namespace Tgwatch.Core.Tests.Media;

/// <summary>
/// Several files download at once (<see cref="MediaOptions.Parallel"/>), each still once per <c>file_unique_id</c>, each
/// ended download written once, a full disk pausing them all with one line, a stop leaving nothing half-written.
/// </summary>
public sealed class MediaParallelTests : IDisposable
{
    private readonly MediaFixture _f = new();
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public MediaParallelTests() => _f.Source.BeforeDownload = async (_, _, ct) => await _release.Task.WaitAsync(ct); // downloads wait until released

    public void Dispose() => _f.Dispose();

    [Fact]
    public async Task DownloadsRunAsManyAtOnceAsParallelSays_NeverMore_AndEachEndsDoneOnce()
    {
        var messages = Enumerable.Range(1, 7).Select(i => MediaFixture.WithFile(i, _f.Source.Add($"f{i}", 1000 * i))).ToList();
        var connector = ScriptedConnector.Of(messages);
        connector.EndWhenDone = false;
        using var stop = new CancellationTokenSource();
        var pipeline = _f.Pipeline(connector, _f.Options() with { Parallel = 3 });
        var run = pipeline.RunAsync(stop.Token);

        await Eventually.TrueAsync(() => _f.Source.Downloading == 3, "three downloads in flight at once", TimeSpan.FromSeconds(10), run);
        _release.SetResult();
        await Eventually.TrueAsync(() => _f.Updates.Count == 7, "seven media updates", TimeSpan.FromSeconds(30), run);
        await Eventually.TrueAsync(async () => await _f.Store.PendingDownloads.CountAsync(default) == 0, "no pending download left", TimeSpan.FromSeconds(30), run);
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(3, _f.Source.MostDownloading);
        Assert.All(messages, m => Assert.Equal(1, _f.Source.DownloadsOf(m.Media!.File!.Id)));
        Assert.Equal(Enumerable.Range(1, 7), _f.Updates.Select(u => (int)u.MessageId).Order());
        Assert.All(_f.Updates, u => Assert.Equal(MediaState.Done, u.Media!.Download!.State));
        Assert.Equal((7, messages.Sum(m => m.Media!.File!.Size!.Value)), (pipeline.Stats.MediaDownloaded, pipeline.Stats.MediaBytes));
        Assert.Equal(7, Directory.EnumerateFiles(_f.Directory, "*", SearchOption.AllDirectories).Count());
    }

    // Two messages with the same file are due together: the second waits for the first's download and names its file.
    [Fact]
    public async Task TheSameFileInTwoMessagesDueTogether_IsDownloadedOnce_BothRecordsDoneWithOnePathAndSha256()
    {
        var same = _f.Source.Add("same", 4000);
        var connector = ScriptedConnector.Of([MediaFixture.WithFile(1, same), MediaFixture.WithFile(2, same), MediaFixture.WithFile(3, _f.Source.Add("other", 10))]);
        connector.EndWhenDone = false;
        using var stop = new CancellationTokenSource();
        var pipeline = _f.Pipeline(connector, _f.Options() with { Parallel = 3 });
        var run = pipeline.RunAsync(stop.Token);

        // The other file's download started after both entries of the same file were taken (they are due first).
        await Eventually.TrueAsync(() => _f.Source.DownloadsOf("other") == 1, "the other file's download started", TimeSpan.FromSeconds(10), run);
        Assert.Equal(2, _f.Source.Downloading);
        _release.SetResult();
        await Eventually.TrueAsync(() => _f.Updates.Count == 3, "three media updates", TimeSpan.FromSeconds(30), run);
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, _f.Source.DownloadsOf("same"));
        var first = _f.Updates.Single(u => u.MessageId == 1).Media!.Download!;
        var second = _f.Updates.Single(u => u.MessageId == 2).Media!.Download!;
        Assert.Equal(MediaState.Done, first.State);
        Assert.Equal(first, second);
        Assert.Equal((2, 4010), (pipeline.Stats.MediaDownloaded, pipeline.Stats.MediaBytes));
        Assert.Equal(2, Directory.EnumerateFiles(_f.Directory, "*", SearchOption.AllDirectories).Count());
    }

    [LinuxFact]
    public async Task AFullDisk_WhileSeveralDownloadsAreInFlight_PausesThemWithOneLine_AndAllAreDoneWhenThereIsRoom()
    {
        using var disk = SmallDisk.Mount(2 * 1024 * 1024);
        using var f = new MediaFixture(Path.Combine(disk.Directory, "media"));
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        f.Source.BeforeDownload = async (_, _, ct) => await release.Task.WaitAsync(ct);
        // 750 KB in all: once every file is placed the 2 MB disk still has the 1 MB a paused download waits for.
        var files = Enumerable.Range(1, 5).Select(i => f.Source.Add($"f{i}", 150_000)).ToList();
        var connector = ScriptedConnector.Of([.. files.Select((file, i) => MediaFixture.WithFile(i + 1, file)), SomeMessage.New(10)]);
        connector.EndWhenDone = false;
        using var stop = new CancellationTokenSource();
        var pipeline = f.Pipeline(connector, f.Options() with { Parallel = 3 });
        var run = pipeline.RunAsync(stop.Token);

        await Eventually.TrueAsync(() => f.Source.Downloading == 3, "three downloads in flight", TimeSpan.FromSeconds(10), run);
        disk.Fill();
        release.SetResult();
        await Eventually.TrueAsync(() => f.Logs.Entries.Any(e => e.EventId.Id == 3032), "the pause said", TimeSpan.FromSeconds(30), run);
        await Eventually.TrueAsync(() => f.Sink.Writes.Count == 6, "every message written while the disk is full", TimeSpan.FromSeconds(30), run);
        Assert.True(pipeline.MediaPaused);
        Assert.Empty(f.Updates);
        disk.Free();
        await Eventually.TrueAsync(() => f.Updates.Count == 5, "the downloads ended", TimeSpan.FromSeconds(30), run);
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.All(f.Updates, u => Assert.Equal(MediaState.Done, u.Media!.Download!.State));
        Assert.Equal(Enumerable.Range(1, 5), f.Updates.Select(u => (int)u.MessageId).Order());
        var paused = Assert.Single(f.Logs.Entries, e => e.EventId.Id == 3032);
        Assert.Equal(LogLevel.Error, paused.Level);
        Assert.Single(f.Logs.Entries, e => e.EventId.Id == 3033);
        Assert.DoesNotContain(f.Logs.Entries, e => e.EventId.Id is 3030 or 3031 or 3034);
        Assert.False(pipeline.MediaPaused);
        Assert.Equal(5, Directory.EnumerateFiles(f.Directory, "*", SearchOption.AllDirectories).Count());
        Assert.Equal(0, await f.Store.PendingDownloads.CountAsync(default));
    }

    [Fact]
    public async Task AStop_WithSeveralDownloadsInFlight_LeavesNoTemporaryFile_AndEveryEntryPending()
    {
        var messages = Enumerable.Range(1, 4).Select(i => MediaFixture.WithFile(i, _f.Source.Add($"f{i}", 70_000))).ToList();
        // Each download writes half of its file, then hangs until the run stops.
        var partial = new PartialSource(_f.Source);
        var connector = ScriptedConnector.Of(messages);
        connector.EndWhenDone = false;
        using var stop = new CancellationTokenSource();
        var pipeline = new Tgwatch.Pipeline.MessagePipeline(connector, [_f.Sink], _f.Store, Tgwatch.Core.Tests.Pipeline.PipelineFixture.FastOptions(), logger: _f.Logs.CreateLogger("media"))
        {
            Media = new MediaDownloads(partial, _f.Options() with { Parallel = 3 }),
        };
        var run = pipeline.RunAsync(stop.Token);

        await Eventually.TrueAsync(() => partial.Writing == 3, "three files half-written", TimeSpan.FromSeconds(10), run);
        Assert.Equal(3, Directory.EnumerateFiles(_f.Directory, ".*.part", SearchOption.AllDirectories).Count());
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Empty(Directory.EnumerateFiles(_f.Directory, "*", SearchOption.AllDirectories));
        Assert.Equal(4, await _f.Store.PendingDownloads.CountAsync(default));
        Assert.DoesNotContain(_f.Sink.Writes, m => m.IsMediaUpdate);
        Assert.Equal(4, _f.Sink.Writes.Count);
    }

    /// <summary>Writes the first half of each file, then waits for the cancellation.</summary>
    private sealed class PartialSource(ScriptedMediaSource files) : IMediaSource
    {
        private int _writing;

        public int Writing => Volatile.Read(ref _writing);

        public long? MaxFileSize => null;

        public async ValueTask DownloadAsync(MediaFile file, Stream destination, CancellationToken ct)
        {
            var bytes = files.Files[file.Id];
            await destination.WriteAsync(bytes.AsMemory(0, bytes.Length / 2), ct);
            await destination.FlushAsync(ct);
            Interlocked.Increment(ref _writing);
            await Task.Delay(Timeout.Infinite, ct);
        }
    }
}
