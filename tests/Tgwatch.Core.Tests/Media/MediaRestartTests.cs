using Microsoft.Extensions.Logging;
using Tgwatch.Media;
using Tgwatch.Messages;
using Tgwatch.TestKit;

namespace Tgwatch.Core.Tests.Media;

public sealed class MediaRestartTests : IDisposable
{
    private readonly MediaFixture _f = new();

    public void Dispose() => _f.Dispose();

    [Fact]
    public async Task ARunStoppedMidDownload_LeavesItPendingInTheStore_AndTheNextRunEndsIt_FileOnceRecordDoneOnce()
    {
        var file = _f.Source.Add("f", 4096);
        var message = MediaFixture.WithFile(3, file);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _f.Source.BeforeDownload = async (_, n, ct) =>
        {
            if (n > 1) return;
            started.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct); // the first download hangs until the run stops
        };
        var first = ScriptedConnector.Of([message]);
        first.EndWhenDone = false;
        using (var stop = new CancellationTokenSource())
        {
            var run = _f.Pipeline(first).RunAsync(stop.Token);
            await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
            // A temporary file as a kill leaves one.
            await File.WriteAllBytesAsync(Path.Combine(_f.Directory, "-1001234567890", ".9-u-x.jpg.part"), new byte[10]);
            await stop.CancelAsync();
            await run.WaitAsync(TimeSpan.FromSeconds(30));
        }
        Assert.Equal(1, await _f.Store.PendingDownloads.CountAsync(default));
        Assert.Equal([MediaState.Pending], _f.Sink.Writes.Select(m => m.Media!.Download!.State));

        // The same message is delivered again (at-least-once): it is no second record, and the pending download ends.
        var second = ScriptedConnector.Of([message]);
        second.EndWhenDone = false;
        using (var stop = new CancellationTokenSource())
        {
            var run = _f.Pipeline(second).RunAsync(stop.Token);
            await Eventually.TrueAsync(() => _f.Updates.Count == 1, "the media update", TimeSpan.FromSeconds(30));
            await Eventually.TrueAsync(async () => await _f.Store.PendingDownloads.CountAsync(default) == 0, "no pending download left", TimeSpan.FromSeconds(30));
            await stop.CancelAsync();
            await run.WaitAsync(TimeSpan.FromSeconds(30));
        }

        Assert.Equal(2, _f.Sink.Writes.Count);
        Assert.Equal(MediaState.Done, _f.Updates.Single().Media!.Download!.State);
        Assert.Equal(["3-u-f.jpg"], Directory.EnumerateFiles(_f.Directory, "*", SearchOption.AllDirectories).Select(Path.GetFileName));
    }

    // A file downloaded by an earlier run (its own directory scanned once) is not downloaded again for another message of
    // a later run: the update names the file there, with its size and SHA-256, and counts no download.
    [Fact]
    public async Task AFileDownloadedByAnEarlierRun_IsNotDownloadedAgain_ForAnotherMessageOfTheNextRun()
    {
        var file = _f.Source.Add("shared", 2500, "pdf");
        await RunUntilUpdatesAsync(_f.Pipeline(Live("updates", MediaFixture.WithFile(5, file, "document"))), 1);
        var first = _f.Updates.Single().Media!.Download!;

        var later = _f.Pipeline(Live("later", MediaFixture.WithFile(9, file, "document", chatId: -1009), MediaFixture.WithFile(10, _f.Source.Add("other", 10), "document", chatId: -1009)));
        await RunUntilUpdatesAsync(later, 3);

        Assert.Equal((1, 1), (_f.Source.DownloadsOf("shared"), _f.Source.DownloadsOf("other")));
        var linked = _f.Updates.Single(u => u.MessageId == 9).Media!.Download!;
        Assert.Equal(first, linked);
        Assert.Equal((1, 10), (later.Stats.MediaDownloaded, later.Stats.MediaBytes));
    }

    private static ScriptedConnector Live(string stream, params TgMessage[] messages)
    {
        var connector = ScriptedConnector.Of(messages, stream);
        connector.EndWhenDone = false;
        return connector;
    }

    private async Task RunUntilUpdatesAsync(Tgwatch.Pipeline.MessagePipeline pipeline, int updates)
    {
        using var stop = new CancellationTokenSource();
        var run = pipeline.RunAsync(stop.Token);
        await Eventually.TrueAsync(() => _f.Updates.Count == updates, $"{updates} media updates", TimeSpan.FromSeconds(30));
        await Eventually.TrueAsync(async () => await _f.Store.PendingDownloads.CountAsync(default) == 0, "no pending download left", TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task AnUpdateWrittenButNotCommitted_IsWrittenAgainUnderTheSameKey_WithoutASecondDownload_NorASecondCount()
    {
        var file = _f.Source.Add("f", 100);
        var message = MediaFixture.WithFile(4, file);
        _f.Sink.BeforeWrite = async (batch, ct) =>
        {
            if (!batch.Any(m => m.IsMediaUpdate)) return;
            _f.Sink.Store(batch);
            await Task.Delay(Timeout.Infinite, ct); // the process "dies" between the write and its commit
        };
        var first = ScriptedConnector.Of([message]);
        first.EndWhenDone = false;
        var firstRun = _f.Pipeline(first);
        using (var stop = new CancellationTokenSource())
        {
            var run = firstRun.RunAsync(stop.Token);
            await Eventually.TrueAsync(() => _f.Updates.Count == 1, "the media update at the sink", TimeSpan.FromSeconds(30));
            await stop.CancelAsync();
            await run.WaitAsync(TimeSpan.FromSeconds(30));
        }
        _f.Sink.BeforeWrite = null;
        var second = ScriptedConnector.Of([message]);
        second.EndWhenDone = false;
        var secondRun = _f.Pipeline(second);
        using (var stop = new CancellationTokenSource())
        {
            var run = secondRun.RunAsync(stop.Token);
            await Eventually.TrueAsync(async () => await _f.Store.PendingDownloads.CountAsync(default) == 0, "no pending download left", TimeSpan.FromSeconds(30));
            await stop.CancelAsync();
            await run.WaitAsync(TimeSpan.FromSeconds(30));
        }

        Assert.Equal(2, _f.Updates.Count);
        Assert.Equal(TgMessageJson.ToJson(_f.Updates[0]), TgMessageJson.ToJson(_f.Updates[1]));
        Assert.Equal(1, _f.Source.DownloadsOf("f"));
        Assert.Equal((1, 100), (firstRun.Stats.MediaDownloaded, firstRun.Stats.MediaBytes));
        Assert.Equal((0, 0), (secondRun.Stats.MediaDownloaded, secondRun.Stats.MediaBytes));
    }

    [LinuxFact]
    public async Task AFullDisk_PausesDownloadsWithOneLoudLine_MessagesKeepFlowing_AndTheyResumeWhenThereIsRoom()
    {
        using var disk = SmallDisk.Mount(2 * 1024 * 1024);
        using var f = new MediaFixture(Path.Combine(disk.Directory, "media"));
        var files = Enumerable.Range(1, 3).Select(i => f.Source.Add($"f{i}", 200_000)).ToList();
        Directory.CreateDirectory(f.Directory);
        disk.Fill();
        var connector = ScriptedConnector.Of([.. files.Select((file, i) => MediaFixture.WithFile(i + 1, file)), SomeMessage.New(10), SomeMessage.New(11)]);
        connector.EndWhenDone = false;
        using var stop = new CancellationTokenSource();
        var run = f.Pipeline(connector).RunAsync(stop.Token);

        await Eventually.TrueAsync(() => f.Sink.Writes.Count == 5, "every message written while the disk is full", TimeSpan.FromSeconds(30));
        await Eventually.TrueAsync(() => f.Logs.Entries.Any(e => e.EventId.Id == 3032), "the pause said", TimeSpan.FromSeconds(30));
        Assert.Empty(f.Updates);
        disk.Free();
        await Eventually.TrueAsync(() => f.Updates.Count == 3, "the downloads ended", TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.All(f.Updates, u => Assert.Equal(MediaState.Done, u.Media!.Download!.State));
        var paused = Assert.Single(f.Logs.Entries, e => e.EventId.Id == 3032);
        Assert.Equal(LogLevel.Error, paused.Level);
        Assert.Single(f.Logs.Entries, e => e.EventId.Id == 3033);
        Assert.DoesNotContain(f.Logs.Entries, e => e.EventId.Id is 3030 or 3031);
        Assert.Equal(3, Directory.EnumerateFiles(f.Directory, "*", SearchOption.AllDirectories).Count());
    }
}
