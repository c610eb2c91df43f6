using Tgwatch.Messages;
using Tgwatch.Sinks.Jsonl;
using Tgwatch.TestKit;

namespace Tgwatch.Sinks.Tests.Jsonl;

public sealed class JsonlMediaUpdateTests : IDisposable
{
    private readonly JsonlFixture _f = new();

    public void Dispose() => _f.Dispose();

    [Fact]
    public async Task PendingThenDone_AreTwoLines_TheLaterEditLikeWithPathSizeAndSha256_AndAgainIsNoThird()
    {
        var message = SomeMessage.New(1) with { Text = null, Media = new MediaInfo("photo") { File = new MediaFile("f", "u", 3, "jpg"), Download = MediaDownload.Pending } };
        var done = new MediaDownload(MediaState.Done, "/m/1-u.jpg", 3, new string('c', 64));
        var update = message with { EditDate = message.Date.AddSeconds(5), IsMediaUpdate = true, Media = message.Media with { Download = done } };

        await using (var sink = await _f.StartAsync())
        {
            await sink.WriteAsync([message], CancellationToken.None);
            await sink.WriteAsync([update], CancellationToken.None);
            await sink.WriteAsync([update], CancellationToken.None);
        }

        var lines = _f.Lines.Select(l => TgMessageJson.Parse(l)).ToList();
        Assert.Equal([MediaState.Pending, MediaState.Done], lines.Select(m => m.Media!.Download!.State));
        Assert.Equal([MessageKind.New, MessageKind.Edit], lines.Select(m => m.Kind));
        Assert.Equal(done, lines[1].Media!.Download);
        Assert.Null(lines[1].Media!.File);
    }

    [Fact]
    public void RepairKeys_OfAMediaUpdateLine_IncludeTheUpdatesKey()
    {
        var message = SomeMessage.New(1) with { Media = new MediaInfo("photo") { Download = MediaDownload.Pending } };
        var update = message with { EditDate = message.Date.AddSeconds(5), IsMediaUpdate = true, Media = message.Media with { Download = new MediaDownload(MediaState.Failed, Error: "gone") } };
        var keys = new List<string>();
        Assert.True(JsonlRepair.TryKeys(TgMessageJson.ToUtf8(update), keys, out _));
        Assert.Contains(update.Key, keys);
    }
}
