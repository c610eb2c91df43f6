using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Tgwatch.Media;
using Tgwatch.Messages;
using Tgwatch.Tdlib.Connector;
using Tgwatch.Tdlib.Updates;
using Tgwatch.TestKit;
using static Tgwatch.Tdlib.Tests.Updates.Fixture;

namespace Tgwatch.Tdlib.Tests.Media;

/// <summary>
/// Media through TDLib 1.8.65's shapes: the file of a message, <c>downloadFile</c> followed by <c>updateFile</c> until the file
/// is complete, a download that stops or stalls, and TDLib's copy deleted once the file is out.
/// </summary>
public sealed class TdlibMediaTests : IDisposable
{
    private static readonly TimeSpan Stall = TimeSpan.FromSeconds(60);
    private readonly string _dir = Some.TempDirectory("tgwatch-tdlib-media");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void APhotosFile_IsItsLargestSize_WithTdlibsFileId_TheUniqueId_AndItsSize()
    {
        var m = Assert.IsType<TdNewMessage>(ReaderWithDirectory().Read(Load("updateNewMessage.photo_caption.json"))).Message.Message;

        Assert.Equal(new MediaFile("12", "AQAD12", 70331, "jpg"), m.Media!.File);
    }

    private static JsonObject FileJson(int id, string path, bool active, bool completed, long downloaded, long size) => new()
    {
        ["@type"] = "file", ["id"] = id, ["size"] = size, ["expected_size"] = size,
        ["local"] = new JsonObject
        {
            ["@type"] = "localFile", ["path"] = path, ["can_be_downloaded"] = true, ["can_be_deleted"] = completed, ["is_downloading_active"] = active,
            ["is_downloading_completed"] = completed, ["download_offset"] = 0, ["downloaded_prefix_size"] = downloaded, ["downloaded_size"] = downloaded,
        },
        ["remote"] = new JsonObject
        {
            ["@type"] = "remoteFile", ["id"] = "AgACAgIAAxkBAAI12", ["unique_id"] = "AQAD12", ["is_uploading_active"] = false, ["is_uploading_completed"] = true, ["uploaded_size"] = 0,
        },
    };

    private static TdFileState State(int id, string path, bool active, bool completed, long downloaded, long size)
    {
        Assert.True(TdFileState.TryRead(ScriptedTdSession.Parse(FileJson(id, path, active, completed, downloaded, size).ToJsonString()), out var state, out var why), why);
        return state;
    }

    [Fact]
    public void UpdateFile_IsReadAsTheFilesState_AndOneWithoutAFile_IsMalformed()
    {
        var reader = new TdUpdateReader("user1");
        var update = new JsonObject { ["@type"] = "updateFile", ["file"] = FileJson(12, "/td/documents/a.pdf", active: true, completed: false, downloaded: 4096, size: 70331) };

        var read = Assert.IsType<TdFileUpdated>(reader.Read(ScriptedTdSession.Parse(update.ToJsonString())));
        var bad = Assert.IsType<TdMalformedUpdate>(reader.Read(ScriptedTdSession.Parse("""{"@type":"updateFile","file":{"@type":"file","size":3}}""")));
        var none = Assert.IsType<TdMalformedUpdate>(reader.Read(ScriptedTdSession.Parse("""{"@type":"updateFile"}""")));

        Assert.Equal(new TdFileState(12, 70331, 70331, "/td/documents/a.pdf", true, false, 4096), read.File);
        Assert.Equal(("updateFile", "updateFile: a file needs a number id"), (bad.Type, bad.Reason));
        Assert.Equal("updateFile without a file", none.Reason);
        Assert.Equal(1, reader.Stats.Count(TdEventKind.FileUpdated));
    }

    // downloadFile answers at once (not synchronous); the bytes come as updateFile says; the file TDLib wrote is copied out and
    // TDLib's copy deleted (the file is kept once, in the media directory). InFlight tells of the download while it goes.
    [Fact]
    public async Task ADownload_IsFollowedByUpdateFile_ThenCopied_AndTdlibsCopyDeleted()
    {
        var bytes = new byte[70331];
        new Random(12).NextBytes(bytes);
        var inTdlib = Path.Combine(_dir, "photo_12.jpg");
        await File.WriteAllBytesAsync(inTdlib, bytes);
        var session = new ScriptedTdSession()
            .On("downloadFile", r => FileJson((int)r["file_id"]!, "", active: true, completed: false, downloaded: 0, size: bytes.Length).ToJsonString())
            .On("deleteFile", _ => """{"@type":"ok"}""");
        var files = new TdFileWatch();
        var source = new TdlibMediaSource(session, files, Stall);
        using var copy = new MemoryStream();

        var download = source.DownloadAsync(new MediaFile("12", "AQAD12", bytes.Length, "jpg"), copy, default).AsTask();
        await Eventually.TrueAsync(() => source.InFlight.Files == 1, "the download under way");
        files.Offer(State(12, inTdlib, active: true, completed: false, downloaded: 30000, size: bytes.Length));
        await Eventually.TrueAsync(() => source.InFlight == new MediaInFlight(1, 30000, bytes.Length), "its progress followed");
        files.Offer(State(12, inTdlib, active: false, completed: true, downloaded: bytes.Length, size: bytes.Length));
        await download.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(bytes, copy.ToArray());
        var request = Assert.Single(session.SentOf("downloadFile"));
        Assert.Equal((12, 1, 0L, 0L, false), ((int)request["file_id"]!, (int)request["priority"]!, (long)request["offset"]!, (long)request["limit"]!, (bool)request["synchronous"]!));
        Assert.Equal(12, (int)Assert.Single(session.SentOf("deleteFile"))["file_id"]!);
        Assert.Empty(session.SentOf("cancelDownloadFile"));
        Assert.Equal(default, source.InFlight);
    }

    // TDLib sends the updates a request causes before its answer, read on another thread: a file complete before downloadFile's
    // answer is seen (a complete state is not undone by an older one).
    [Fact]
    public async Task AFileCompleteBeforeTheAnswer_IsCopied()
    {
        var bytes = new byte[1000];
        new Random(3).NextBytes(bytes);
        var inTdlib = Path.Combine(_dir, "doc.pdf");
        await File.WriteAllBytesAsync(inTdlib, bytes);
        var files = new TdFileWatch();
        var session = new ScriptedTdSession()
            .On("downloadFile", _ =>
            {
                files.Offer(State(7, inTdlib, active: false, completed: true, downloaded: 1000, size: 1000));
                return FileJson(7, inTdlib, active: true, completed: false, downloaded: 500, size: 1000).ToJsonString();
            })
            .On("deleteFile", _ => """{"@type":"ok"}""");
        using var copy = new MemoryStream();

        await new TdlibMediaSource(session, files, Stall).DownloadAsync(new MediaFile("7", "u7", 1000, "pdf"), copy, default).AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(bytes, copy.ToArray());
    }

    // A large file on a slow link: 6 minutes, a part every 50 s, never 60 s without a byte — not given up (the synchronous
    // download with a fixed 10-minute limit failed such a file at every attempt). Then a minute without a byte: given up for
    // now (cancelDownloadFile; TDLib keeps what it has for the next attempt).
    [Fact]
    public async Task ADownloadGoingSlowly_IsFollowedAsLongAsItTakes_AndOneWithoutAByteForTheStallTime_IsCancelled()
    {
        var time = new FakeTimeProvider();
        var size = 7_000_000L;
        var inTdlib = Path.Combine(_dir, "video.mp4");
        await File.WriteAllBytesAsync(inTdlib, new byte[size]);
        var session = new ScriptedTdSession()
            .On("downloadFile", r => FileJson((int)r["file_id"]!, "", active: true, completed: false, downloaded: 0, size: size).ToJsonString())
            .On("cancelDownloadFile", _ => """{"@type":"ok"}""")
            .On("deleteFile", _ => """{"@type":"ok"}""");
        var files = new TdFileWatch();
        var source = new TdlibMediaSource(session, files, Stall, time);

        var slow = source.DownloadAsync(new MediaFile("30", "u30", size, "mp4"), Stream.Null, default).AsTask();
        await Eventually.TrueAsync(() => source.InFlight.Files == 1, "the download under way");
        for (var part = 1; part <= 7; part++)
        {
            time.Advance(TimeSpan.FromSeconds(50));
            files.Offer(State(30, inTdlib, active: part < 7, completed: part == 7, downloaded: part * 1_000_000L, size: size));
            if (part < 7) await Eventually.TrueAsync(() => source.InFlight.Bytes == part * 1_000_000L, $"part {part} followed");
        }
        await slow.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Empty(session.SentOf("cancelDownloadFile"));

        var stalled = source.DownloadAsync(new MediaFile("31", "u31", size, "mp4"), Stream.Null, default).AsTask();
        await Eventually.TrueAsync(() => source.InFlight.Files == 1, "the second download under way");
        files.Offer(State(31, inTdlib, active: true, completed: false, downloaded: 2_000_000, size: size));
        await Eventually.TrueAsync(() => source.InFlight.Bytes == 2_000_000, "its first part followed");
        time.Advance(TimeSpan.FromSeconds(59));
        await Task.Yield();
        Assert.False(stalled.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        var given = await Assert.ThrowsAsync<TimeoutException>(() => stalled.WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.Equal("no byte came for 1m00s (at 1.9 MB of 6.7 MB)", given.Message);
        Assert.Equal(31, (int)Assert.Single(session.SentOf("cancelDownloadFile"))["file_id"]!);
        Assert.Equal(default, source.InFlight);
    }

    [Fact]
    public async Task ADownloadTdlibRefuses_IsUnavailable_AndOneTdlibStops_IsRetriedLater()
    {
        var refusing = new ScriptedTdSession().Fail("downloadFile", 400, "File not found");
        var files = new TdFileWatch();
        var stopping = new ScriptedTdSession()
            .On("downloadFile", _ => FileJson(12, "", active: true, completed: false, downloaded: 0, size: 4096).ToJsonString())
            .On("getFile", _ => FileJson(12, "", active: false, completed: false, downloaded: 100, size: 4096).ToJsonString())
            .On("cancelDownloadFile", _ => """{"@type":"ok"}""");
        var source = new TdlibMediaSource(stopping, files, Stall);

        var refused = await Assert.ThrowsAsync<MediaUnavailableException>(() => new TdlibMediaSource(refusing, new TdFileWatch(), Stall).DownloadAsync(new MediaFile("12", "u"), Stream.Null, default).AsTask());
        var download = source.DownloadAsync(new MediaFile("12", "u"), Stream.Null, default).AsTask();
        await Eventually.TrueAsync(() => source.InFlight.Files == 1, "the download under way");
        files.Offer(State(12, "", active: false, completed: false, downloaded: 100, size: 4096));
        var stopped = await Assert.ThrowsAsync<IOException>(() => download.WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.Contains("File not found", refused.Message);
        Assert.Equal("TDLib stopped the download at 100 bytes of 4 KB", stopped.Message);
    }

    // Two messages with the same file download it at once (one TDLib file id): the first one's download is cancelled (the run
    // stops its download, or gives it up) while the second goes on. The cancel is TDLib's for the file id, not for one
    // download: sent then, it stopped the other's download too, which failed ("TDLib stopped the download").
    [Fact]
    public async Task TwoDownloadsOfOneFile_OneCancelled_TheOtherGoesOn_AndTdlibIsToldOnlyWhenTheLastEnds()
    {
        var bytes = new byte[4096];
        new Random(12).NextBytes(bytes);
        var inTdlib = Path.Combine(_dir, "doc12.pdf");
        await File.WriteAllBytesAsync(inTdlib, bytes);
        var files = new TdFileWatch();
        var session = new ScriptedTdSession()
            .On("downloadFile", _ => FileJson(12, inTdlib, active: true, completed: false, downloaded: 0, size: bytes.Length).ToJsonString())
            .On("cancelDownloadFile", _ =>
            {
                // TDLib stops the file's download, whoever asked for it.
                files.Offer(State(12, inTdlib, active: false, completed: false, downloaded: 100, size: bytes.Length));
                return """{"@type":"ok"}""";
            })
            .On("deleteFile", _ =>
            {
                File.Delete(inTdlib);
                return """{"@type":"ok"}""";
            });
        var source = new TdlibMediaSource(session, files, Stall);
        using var stop = new CancellationTokenSource();
        using var copy = new MemoryStream();

        var first = source.DownloadAsync(new MediaFile("12", "AQAD12", bytes.Length, "pdf"), Stream.Null, stop.Token).AsTask();
        var second = source.DownloadAsync(new MediaFile("12", "AQAD12", bytes.Length, "pdf"), copy, default).AsTask();
        await Eventually.TrueAsync(() => source.InFlight.Files == 2, "both downloads under way");
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Empty(session.SentOf("cancelDownloadFile"));
        files.Offer(State(12, inTdlib, active: false, completed: true, downloaded: bytes.Length, size: bytes.Length));
        await second.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(bytes, copy.ToArray());
        Assert.Empty(session.SentOf("cancelDownloadFile"));
        Assert.Single(session.SentOf("deleteFile"));
        Assert.Equal(default, source.InFlight);
    }

    // Two messages with the same file, its download stalled in TDLib (a dead connection): the first to go a minute without a
    // byte cancels it although the other is still waiting (a stall is the file's, not one message's): the next attempts go
    // on from what TDLib has, over a new connection. Waiting for the last, with the messages' retries overlapping, the
    // stalled download would never be cancelled.
    [Fact]
    public async Task TwoDownloadsOfOneFile_Stalled_TheFirstToGiveUpCancelsTdlibsDownload()
    {
        var time = new FakeTimeProvider();
        var files = new TdFileWatch();
        var session = new ScriptedTdSession()
            .On("downloadFile", _ => FileJson(15, "", active: true, completed: false, downloaded: 0, size: 4096).ToJsonString())
            .On("cancelDownloadFile", _ => """{"@type":"ok"}""");
        var source = new TdlibMediaSource(session, files, Stall, time);

        var first = source.DownloadAsync(new MediaFile("15", "AQAD15", 4096, "pdf"), Stream.Null, default).AsTask();
        await Eventually.TrueAsync(() => source.InFlight.Files == 1, "the first download under way");
        time.Advance(TimeSpan.FromSeconds(30));
        var second = source.DownloadAsync(new MediaFile("15", "AQAD15", 4096, "pdf"), Stream.Null, default).AsTask();
        await Eventually.TrueAsync(() => source.InFlight.Files == 2, "the second download under way");
        time.Advance(TimeSpan.FromSeconds(30));
        await Assert.ThrowsAsync<TimeoutException>(() => first.WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.False(second.IsCompleted);
        Assert.Equal(15, (int)Assert.Single(session.SentOf("cancelDownloadFile"))["file_id"]!);
        time.Advance(TimeSpan.FromSeconds(30));
        await Assert.ThrowsAsync<TimeoutException>(() => second.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    // Two messages with the same file, complete at once: TDLib's copy is deleted only once the last of them has copied it out
    // (deleted by the first, it was gone under the second, which failed and downloaded the whole file again).
    [Fact]
    public async Task TwoDownloadsOfOneFile_TdlibsCopyIsDeletedOnlyAfterTheLastHasCopiedIt()
    {
        var bytes = new byte[4096];
        new Random(13).NextBytes(bytes);
        var inTdlib = Path.Combine(_dir, "doc13.pdf");
        await File.WriteAllBytesAsync(inTdlib, bytes);
        var files = new TdFileWatch();
        var slowCopied = false;
        var deletedBeforeTheSlowCopy = false;
        var session = new ScriptedTdSession()
            .On("downloadFile", _ => FileJson(13, inTdlib, active: true, completed: false, downloaded: 0, size: bytes.Length).ToJsonString())
            .On("deleteFile", _ =>
            {
                deletedBeforeTheSlowCopy |= !Volatile.Read(ref slowCopied);
                File.Delete(inTdlib);
                return """{"@type":"ok"}""";
            });
        var source = new TdlibMediaSource(session, files, Stall);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var fast = new MemoryStream();
        await using var slow = new GatedStream(gate.Task);

        var first = source.DownloadAsync(new MediaFile("13", "AQAD13", bytes.Length, "pdf"), fast, default).AsTask();
        var second = source.DownloadAsync(new MediaFile("13", "AQAD13", bytes.Length, "pdf"), slow, default).AsTask();
        await Eventually.TrueAsync(() => source.InFlight.Files == 2, "both downloads under way");
        files.Offer(State(13, inTdlib, active: false, completed: true, downloaded: bytes.Length, size: bytes.Length));
        await first.WaitAsync(TimeSpan.FromSeconds(10));
        Volatile.Write(ref slowCopied, true);
        gate.SetResult();
        await second.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(bytes, fast.ToArray());
        Assert.Equal(bytes, slow.Written);
        Assert.False(deletedBeforeTheSlowCopy, "TDLib's copy was deleted while another download was copying it");
        Assert.Single(session.SentOf("deleteFile"));
        Assert.False(File.Exists(inTdlib));
    }

    // An updateFile TDLib sent before downloadFile's answer (the previous attempt's cancel: the download no longer active) is
    // read on the update loop's thread, and may reach the download after the answer said it is under way. A download that
    // seems stopped is asked about (getFile, whose answer is newer than any update read before it): this one goes on (it
    // failed as "TDLib stopped the download", the file waiting for the next attempt).
    [Fact]
    public async Task AnOldUpdateSayingTheDownloadStopped_ReadAfterTheAnswer_DoesNotEndIt()
    {
        var bytes = new byte[4096];
        new Random(14).NextBytes(bytes);
        var inTdlib = Path.Combine(_dir, "doc14.pdf");
        await File.WriteAllBytesAsync(inTdlib, bytes);
        var files = new TdFileWatch();
        var session = new ScriptedTdSession()
            .On("downloadFile", _ =>
            {
                files.Offer(State(14, inTdlib, active: false, completed: false, downloaded: 100, size: bytes.Length)); // the old one, read late
                return FileJson(14, inTdlib, active: true, completed: false, downloaded: 100, size: bytes.Length).ToJsonString();
            })
            .On("getFile", _ => FileJson(14, inTdlib, active: true, completed: false, downloaded: 200, size: bytes.Length).ToJsonString())
            .On("cancelDownloadFile", _ => """{"@type":"ok"}""")
            .On("deleteFile", _ => """{"@type":"ok"}""");
        var source = new TdlibMediaSource(session, files, Stall);
        using var copy = new MemoryStream();

        var download = source.DownloadAsync(new MediaFile("14", "AQAD14", bytes.Length, "pdf"), copy, default).AsTask();
        await Eventually.TrueAsync(() => download.IsCompleted || source.InFlight.Bytes == 200, "the download going on from getFile's answer");
        files.Offer(State(14, inTdlib, active: false, completed: true, downloaded: bytes.Length, size: bytes.Length));
        await download.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(bytes, copy.ToArray());
        Assert.Equal(14, (int)Assert.Single(session.SentOf("getFile"))["file_id"]!);
        Assert.Empty(session.SentOf("cancelDownloadFile"));
    }

    /// <summary>A destination whose writes wait for <c>gate</c>: a copy under way.</summary>
    private sealed class GatedStream(Task gate) : MemoryStream
    {
        public byte[] Written => ToArray();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await gate.WaitAsync(cancellationToken);
            await base.WriteAsync(buffer, cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }
}
