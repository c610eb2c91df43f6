using System.Text.Json.Nodes;
using Tgwatch.Media;
using Tgwatch.Messages;
using Tgwatch.Tdlib.Connector;
using Tgwatch.Tdlib.Updates;
using Tgwatch.TestKit;
using static Tgwatch.Tdlib.Tests.Updates.Fixture;

namespace Tgwatch.Tdlib.Tests.Media;

/// <summary>Media through TDLib 1.8.65's shapes: the file of a message, and <c>downloadFile</c> with <c>synchronous</c>.</summary>
public sealed class TdlibMediaTests : IDisposable
{
    private readonly string _dir = Some.TempDirectory("tgwatch-tdlib-media");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void APhotosFile_IsItsLargestSize_WithTdlibsFileId_TheUniqueId_AndItsSize()
    {
        var m = Assert.IsType<TdNewMessage>(ReaderWithDirectory().Read(Load("updateNewMessage.photo_caption.json"))).Message.Message;

        Assert.Equal(new MediaFile("12", "AQAD12", 70331, "jpg"), m.Media!.File);
    }

    private static string FileAnswer(int id, string path, bool completed, long size) => new JsonObject
    {
        ["@type"] = "file", ["id"] = id, ["size"] = size, ["expected_size"] = size,
        ["local"] = new JsonObject
        {
            ["@type"] = "localFile", ["path"] = path, ["can_be_downloaded"] = true, ["can_be_deleted"] = true, ["is_downloading_active"] = false,
            ["is_downloading_completed"] = completed, ["download_offset"] = 0, ["downloaded_prefix_size"] = completed ? size : 0, ["downloaded_size"] = completed ? size : 0,
        },
        ["remote"] = new JsonObject
        {
            ["@type"] = "remoteFile", ["id"] = "AgACAgIAAxkBAAI12", ["unique_id"] = "AQAD12", ["is_uploading_active"] = false, ["is_uploading_completed"] = true, ["uploaded_size"] = 0,
        },
    }.ToJsonString();

    [Fact]
    public async Task DownloadFile_IsAskedSynchronously_AndTheFileTdlibWroteIsCopied()
    {
        var bytes = new byte[70331];
        new Random(12).NextBytes(bytes);
        var inTdlib = Path.Combine(_dir, "photo_12.jpg");
        await File.WriteAllBytesAsync(inTdlib, bytes);
        var session = new ScriptedTdSession().On("downloadFile", r => FileAnswer((int)r["file_id"]!, inTdlib, true, bytes.Length));
        using var copy = new MemoryStream();

        await new TdlibMediaSource(session, TimeSpan.FromSeconds(5)).DownloadAsync(new MediaFile("12", "AQAD12", bytes.Length, "jpg"), copy, default);

        Assert.Equal(bytes, copy.ToArray());
        var request = Assert.Single(session.SentOf("downloadFile"));
        Assert.Equal((12, 1, 0L, 0L, true), ((int)request["file_id"]!, (int)request["priority"]!, (long)request["offset"]!, (long)request["limit"]!, (bool)request["synchronous"]!));
    }

    [Fact]
    public async Task ADownloadTdlibRefuses_IsUnavailable_AndOneEndedIncomplete_IsRetriedLater()
    {
        var refusing = new ScriptedTdSession().Fail("downloadFile", 400, "File not found");
        var incomplete = new ScriptedTdSession().On("downloadFile", r => FileAnswer(12, "", false, 100));

        var refused = await Assert.ThrowsAsync<MediaUnavailableException>(() => new TdlibMediaSource(refusing, TimeSpan.FromSeconds(5)).DownloadAsync(new MediaFile("12", "u"), Stream.Null, default).AsTask());
        await Assert.ThrowsAsync<IOException>(() => new TdlibMediaSource(incomplete, TimeSpan.FromSeconds(5)).DownloadAsync(new MediaFile("12", "u"), Stream.Null, default).AsTask());

        Assert.Contains("File not found", refused.Message);
    }
}
