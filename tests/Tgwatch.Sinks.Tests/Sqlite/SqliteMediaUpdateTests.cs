using Tgwatch.Messages;

namespace Tgwatch.Sinks.Tests.Sqlite;

public sealed class SqliteMediaUpdateTests
{
    private static TgMessage WithPendingPhoto(TgMessage m) =>
        m with { Media = new MediaInfo("photo", "a cat") { File = new MediaFile("f1", "u1", 3, "jpg"), Download = MediaDownload.Pending } };

    [Fact]
    public async Task MediaUpdate_EndsThePendingDownloadOfThatMessage_AndAddsNoRow()
    {
        await using var t = new TempSink();
        var original = WithPendingPhoto(Msg.New(-1001, 42, ""));
        var other = WithPendingPhoto(Msg.New(-1001, 43, ""));
        await t.WriteAsync(original, other);
        var done = new MediaDownload(MediaState.Done, "/m/-1001/42-u1.jpg", 3, new string('b', 64));

        await t.WriteAsync(original with { IsMediaUpdate = true, Kind = MessageKind.New, Media = original.Media! with { Download = done } });

        var rows = t.Rows().ToDictionary(r => (string)r["key"]!);
        Assert.Equal(2, rows.Count);
        Assert.Equal(done, TgMessageJson.Parse((string)rows[original.Key]["json"]!).Media!.Download);
        Assert.Equal(MediaState.Pending, TgMessageJson.Parse((string)rows[other.Key]["json"]!).Media!.Download!.State);
    }

    [Fact]
    public async Task MediaUpdate_NeverUndoesADownloadThatEnded()
    {
        await using var t = new TempSink();
        var original = WithPendingPhoto(Msg.New(-1001, 42, ""));
        await t.WriteAsync(original);
        var done = new MediaDownload(MediaState.Done, "/m/-1001/42-u1.jpg", 3, new string('b', 64));
        await t.WriteAsync(original with { IsMediaUpdate = true, Media = original.Media! with { Download = done } });
        await t.WriteAsync(original with { IsMediaUpdate = true, Media = original.Media! with { Download = new MediaDownload(MediaState.Failed, Error: "x") } });
        Assert.Equal(done, TgMessageJson.Parse((string)t.Rows().Single()["json"]!).Media!.Download);
    }
}
