using System.Text.Json;
using CsCheck;
using Tgwatch.Messages;
using Tgwatch.TestKit;

namespace Tgwatch.Core.Tests.Messages;

public sealed class TgMessageJsonTests
{
    [Fact]
    public void ContractForm_IsTheJsonlRecordOfTheDesign_FieldForFieldInOrder()
    {
        var m = new TgMessage
        {
            Account = "bot42",
            Connector = "botapi",
            Chat = new ChatInfo(-1001234567890, "channel", "News «Ru»", "news"),
            MessageId = 77,
            Kind = MessageKind.Edit,
            Date = new DateTimeOffset(2026, 11, 25, 10, 0, 1, TimeSpan.Zero),
            EditDate = new DateTimeOffset(2026, 11, 25, 10, 5, 0, TimeSpan.FromHours(3)),
            Sender = new SenderInfo(-1001234567890, "News", null),
            Text = null,
            Media = new MediaInfo("photo", "a \"quoted\" caption\nline 2"),
            ReplyTo = new ReplyRef(-1001234567890, 70, ReplyState.Resolved, "earlier"),
            Forward = new ForwardInfo("channel", -100999, "Other"),
        };
        const string expected =
            """{"account":"bot42","connector":"botapi","chat_id":-1001234567890,"message_id":77,"kind":"edit","date":"2026-11-25T10:00:01Z","edit_date":"2026-11-25T07:05:00Z","sender":{"id":-1001234567890,"name":"News","username":null},"chat":{"title":"News «Ru»","username":"news","type":"channel"},"text":null,"media":{"type":"photo","caption":"a \"quoted\" caption\nline 2"},"reply_to":{"chat_id":-1001234567890,"message_id":70,"state":"resolved","text":"earlier"}}""";
        Assert.Equal(expected, TgMessageJson.ToJson(m));
    }

    [Theory]
    [InlineData(0L, "2026-11-25T10:00:01Z")]
    [InlineData(1_230_000L, "2026-11-25T10:00:01.123Z")]
    [InlineData(1L, "2026-11-25T10:00:01.0000001Z")]
    [InlineData(5_000_000L, "2026-11-25T10:00:01.5Z")]
    public void Dates_AreUtc_WithTheFractionOfASecondOnlyWhenThereIsOne(long ticks, string expected)
    {
        var m = new TgMessage
        {
            Account = "bot42",
            Connector = "botapi",
            Chat = new ChatInfo(1, "private", null, null),
            MessageId = 1,
            Date = new DateTimeOffset(2026, 11, 25, 13, 0, 1, TimeSpan.FromHours(3)).AddTicks(ticks),
            EditDate = DateTimeOffset.MaxValue,
        };
        using var record = JsonDocument.Parse(TgMessageJson.ToJson(m));
        Assert.Equal(expected, record.RootElement.GetProperty("date").GetString());
        Assert.Equal("9999-12-31T23:59:59.9999999Z", record.RootElement.GetProperty("edit_date").GetString());
        Assert.Equal(m.Date, TgMessageJson.Parse(TgMessageJson.ToJson(m)).Date);
    }

    [Fact]
    public void ContractForm_WithDownloadsOn_AddsStatePathSizeSha256AndError()
    {
        var m = SomeMessage.New(77) with
        {
            Text = null,
            Media = new MediaInfo("document", "report")
            {
                File = new MediaFile("BQACAgI", "AgADBQ", 12, "pdf"),
                Download = new MediaDownload(MediaState.Done, "/srv/media/-1001234567890/77-AgADBQ.pdf", 12, new string('a', 64)),
            },
        };
        using var doc = JsonDocument.Parse(TgMessageJson.ToJson(m));
        Assert.Equal(
            """{"type":"document","caption":"report","state":"done","path":"/srv/media/-1001234567890/77-AgADBQ.pdf","size":12,"sha256":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","error":null}""",
            doc.RootElement.GetProperty("media").GetRawText());
        var pending = m with { Media = m.Media with { Download = MediaDownload.Pending } };
        using var pendingDoc = JsonDocument.Parse(TgMessageJson.ToJson(pending));
        Assert.Equal("""{"type":"document","caption":"report","state":"pending","path":null,"size":null,"sha256":null,"error":null}""",
            pendingDoc.RootElement.GetProperty("media").GetRawText());
        var failed = m with { Media = m.Media with { Download = new MediaDownload(MediaState.Failed, Error: "too big: 30 MB, the Bot API serves up to 20 MB") } };
        Assert.Contains("\"state\":\"failed\"", TgMessageJson.ToJson(failed));
    }

    [Fact]
    public void MediaUpdate_IsEditLikeInTheContract_KeyedWithMedia_AndFullFormKeepsTheFile()
    {
        var m = SomeMessage.New(5) with
        {
            Media = new MediaInfo("photo") { File = new MediaFile("id1", "u1", 3, "jpg"), Download = new MediaDownload(MediaState.Done, "p", 3, "s") },
            IsMediaUpdate = true,
        };
        Assert.Equal("bot42:-1001234567890:5:new::media", m.Key);
        using var doc = JsonDocument.Parse(TgMessageJson.ToJson(m));
        Assert.Equal("edit", doc.RootElement.GetProperty("kind").GetString());
        Assert.False(doc.RootElement.GetProperty("media").TryGetProperty("file", out _));
        Assert.Equal(m, TgMessageJson.Parse(TgMessageJson.ToJson(m, full: true)));
    }

    [Fact]
    public void ContractForm_HasExactlyTheContractKeys()
    {
        using var doc = JsonDocument.Parse(TgMessageJson.ToJson(SomeMessage.New(1) with { Forward = new ForwardInfo("user", 5), IsReplyUpdate = true }));
        Assert.Equal(
            ["account", "connector", "chat_id", "message_id", "kind", "date", "edit_date", "sender", "chat", "text", "media", "reply_to"],
            doc.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal("edit", doc.RootElement.GetProperty("kind").GetString()); // a reply update is edit-like
    }

    [Fact]
    public void FullForm_RoundTripsEveryField() =>
        Gen.Select(Gens.Message, Gen.Bool).Sample((m, full) =>
        {
            var back = TgMessageJson.Parse(TgMessageJson.ToUtf8(m, full: true));
            Assert.Equal(m, back);
            var contract = TgMessageJson.Parse(TgMessageJson.ToUtf8(m, full: false));
            Assert.Equal(m with
            {
                Forward = null, IsReplyUpdate = false, IsMediaUpdate = false, Kind = m.IsUpdate ? MessageKind.Edit : m.Kind,
                Media = m.Media is { } media ? media with { File = null } : null,
            }, contract);
        }, iter: 2000);

    [Theory]
    [InlineData("not json", "not a JSON record")]
    [InlineData("[]", "must be a JSON object")]
    [InlineData("""{"connector":"x"}""", "\"account\" is missing")]
    [InlineData("""{"account":"a","connector":"x","chat_id":"12","message_id":1,"kind":"new","date":"2020-01-01T00:00:00Z"}""", "\"chat_id\" must be an integer")]
    [InlineData("""{"account":"a","connector":"x","chat_id":12,"message_id":1,"kind":"old","date":"2020-01-01T00:00:00Z"}""", "\"kind\" must be new, edit or delete")]
    [InlineData("""{"account":"a","connector":"x","chat_id":12,"message_id":1,"kind":"new","date":"yesterday"}""", "\"date\" is not an ISO-8601 date")]
    [InlineData("""{"account":"a","connector":"x","chat_id":12,"message_id":1,"kind":"new","date":"2020-01-01T00:00:00Z","reply_to":{"chat_id":1,"message_id":2,"state":"maybe"}}""", "reply_to.state")]
    [InlineData("""{"account":"a","connector":"x","chat_id":12,"message_id":1,"kind":"new","date":"2020-01-01T00:00:00Z","media":{"type":"photo","state":"lost"}}""", "media.state")]
    public void BadRecords_GiveOneLineErrorsNamingTheField(string json, string expected)
    {
        var e = Assert.Throws<FormatException>(() => TgMessageJson.Parse(json));
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Key_IsAccountChatMessageKindEditDate_AndAnEditsContentHash()
    {
        var edit = SomeMessage.Edit(5);
        Assert.Matches($"^bot42:-1001234567890:5:edit:{edit.EditDate!.Value.ToUnixTimeSeconds()}:[0-9a-f]{{8}}$", edit.Key);
        Assert.Equal("bot42:-1001234567890:5:new:", SomeMessage.New(5).Key);
        Assert.Equal("bot42:-1001234567890:5:new::reply", (SomeMessage.New(5) with { IsReplyUpdate = true }).Key);
    }

    [Fact]
    public void Records_WrittenOneAfterTheOther_EachAreTheirOwnBytes_AfterAVeryLongOne()
    {
        // The writer's buffer is kept from record to record (and a thread's for ToUtf8/ToJson): a short record after a
        // long one is its own bytes, nothing of the long one left behind it.
        var longOne = SomeMessage.New(1) with { Text = new string('ж', 100_000) + "😀" };
        var shortOne = SomeMessage.New(2) with { Text = "é" };
        using var writer = new TgMessageJsonWriter();
        var expectedLong = JsonSerializer.Serialize(JsonDocument.Parse(TgMessageJson.ToUtf8(longOne)).RootElement);
        foreach (var m in new[] { shortOne, longOne, shortOne, longOne, shortOne })
        {
            var bytes = writer.Write(m).ToArray();
            Assert.Equal(m, TgMessageJson.Parse(bytes));
            Assert.Equal(bytes, TgMessageJson.ToUtf8(m));
            Assert.Equal(System.Text.Encoding.UTF8.GetString(bytes), TgMessageJson.ToJson(m));
        }
        Assert.Equal(expectedLong, JsonSerializer.Serialize(JsonDocument.Parse(writer.Write(longOne)).RootElement));
    }

    [Fact]
    public void ARecord_CostsItsBytesAlone_OnceTheBufferIsGrown()
    {
        // A sink writes a record a message: ToUtf8 allocated 6.7 KB for a record of 450 bytes (a new growing buffer and
        // writer each time), which kept the postgres and nats sinks' heaps churning.
        var m = SomeMessage.New(3);
        var size = TgMessageJson.ToUtf8(m).Length;
        using var writer = new TgMessageJsonWriter();
        writer.Write(m);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++) writer.Write(m);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++) TgMessageJson.ToUtf8(m);
        Assert.InRange((GC.GetAllocatedBytesForCurrentThread() - before) / 100, size, size + 64);
    }
}

/// <summary>Generators of model values.</summary>
internal static class Gens
{
    private static readonly Gen<string?> Text = Gen.OneOf<string?>(Gen.String.Select(s => (string?)s), Gen.OneOf<string?>(null, "привет 👋\n\"q\" \\ \u0001"));
    private static readonly Gen<DateTimeOffset> Date = Gen.Long[0, 4_000_000_000].Select(s => DateTimeOffset.FromUnixTimeSeconds(s));

    public static readonly Gen<TgMessage> Message =
        from ids in Gen.Select(Gen.Long, Gen.Long[1, long.MaxValue], Gen.Long)
        from kind in Gen.Enum<MessageKind>()
        from dates in Gen.Select(Date, Date.Nullable())
        from chat in Gen.Select(Text, Text, Gen.OneOf<string?>(null, "private", "group", "supergroup", "channel"))
        from sender in Gen.Select(Gen.Long, Text, Text).Select(t => new SenderInfo(t.Item1, t.Item2, t.Item3)).Null()
        from text in Text
        from download in Gen.Select(Gen.Enum<MediaState>(), Text, Gen.Long.Nullable(), Text).Select(t => new MediaDownload(t.Item1, t.Item2, t.Item3, t.Item4, t.Item2)).Null()
        from file in Gen.Select(Gen.String, Gen.String, Gen.Long.Nullable(), Text).Select(t => new MediaFile(t.Item1, t.Item2, t.Item3, t.Item4)).Null()
        from media in Gen.Select(Gen.OneOf("photo", "video", "document"), Text).Select(t => new MediaInfo(t.Item1, t.Item2) { Download = download, File = file }).Null()
        from reply in Gen.Select(Gen.Long, Gen.Long, Gen.Enum<ReplyState>(), Text).Select(t => new ReplyRef(t.Item1, t.Item2, t.Item3, t.Item4)).Null()
        from forward in Gen.Select(Gen.OneOf("user", "channel"), Gen.Long.Nullable(), Text, Date.Nullable()).Select(t => new ForwardInfo(t.Item1, t.Item2, t.Item3, t.Item4, t.Item2)).Null()
        from replyUpdate in Gen.Bool
        from mediaUpdate in Gen.Bool
        select new TgMessage
        {
            Account = "acc" + (ids.Item1 & 0xff),
            Connector = "botapi",
            Chat = new ChatInfo(ids.Item1, chat.Item3, chat.Item1, chat.Item2),
            MessageId = ids.Item2,
            Kind = kind,
            Date = dates.Item1,
            EditDate = dates.Item2,
            Sender = sender,
            Text = text,
            Media = media,
            ReplyTo = reply,
            Forward = forward,
            IsReplyUpdate = replyUpdate,
            IsMediaUpdate = mediaUpdate && !replyUpdate,
        };
}
