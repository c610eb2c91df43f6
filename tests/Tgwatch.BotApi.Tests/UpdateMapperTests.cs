using System.Text.Json;
using Tgwatch.BotApi;
using Tgwatch.Messages;

namespace Tgwatch.BotApi.Tests;

/// <summary>Updates as the Bot API documents them (core.telegram.org/bots/api#update), mapped to records.</summary>
public sealed class UpdateMapperTests
{
    private static readonly UpdateMapper Mapper = new("bot42");

    private static UpdateMapper.Mapped Map(string json) => Mapper.Map(UpdateMapper.Read(json));

    [Fact]
    public void TheWarmUpUpdate_IsReadWhole()
    {
        var mapped = UpdateMapper.WarmUp();

        Assert.Null(mapped.Malformed);
        var message = Assert.IsType<TgMessage>(mapped.Message);
        Assert.Equal((-1004L, 2L, "photo", "hi https://t.me", "channel"), (message.Chat.Id, message.MessageId, message.Media?.Type, message.ReplyTo?.Text, message.Forward?.Type));
        Assert.NotNull(message.Media?.File);
    }

    [Fact]
    public void AGroupMessageWithAReply()
    {
        var m = Map("""
            {"update_id": 1000,
             "message": {"message_id": 77, "date": 1764064801,
               "chat": {"id": -1001234567890, "type": "supergroup", "title": "Traders", "username": "traders"},
               "from": {"id": 1001, "is_bot": false, "first_name": "Ada", "last_name": "Lovelace", "username": "ada"},
               "text": "sell?",
               "reply_to_message": {"message_id": 70, "date": 1764064700,
                 "chat": {"id": -1001234567890, "type": "supergroup", "title": "Traders"},
                 "from": {"id": 1002, "is_bot": false, "first_name": "Bob"}, "text": "buy now"}}}
            """);
        Assert.Equal(1000, m.UpdateId);
        var r = m.Message!;
        Assert.Equal(("bot42", "botapi", 77L, MessageKind.New), (r.Account, r.Connector, r.MessageId, r.Kind));
        Assert.Equal(new ChatInfo(-1001234567890, "supergroup", "Traders", "traders"), r.Chat);
        Assert.Equal(new SenderInfo(1001, "Ada Lovelace", "ada"), r.Sender);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1764064801), r.Date);
        Assert.Equal("sell?", r.Text);
        Assert.Null(r.Media);
        Assert.Equal(new ReplyRef(-1001234567890, 70, ReplyState.Resolved, "buy now"), r.ReplyTo);
    }

    [Fact]
    public void AChannelPostWithAPhoto_IsSentByTheChannel()
    {
        var m = Map("""
            {"update_id": 1001,
             "channel_post": {"message_id": 5, "date": 1764064802,
               "chat": {"id": -1009876543210, "type": "channel", "title": "News", "username": "news"},
               "sender_chat": {"id": -1009876543210, "type": "channel", "title": "News", "username": "news"},
               "photo": [{"file_id": "AgAD", "file_unique_id": "AQAD", "width": 90, "height": 90}],
               "caption": "chart"}}
            """).Message!;
        Assert.Equal(new SenderInfo(-1009876543210, "News", "news"), m.Sender);
        Assert.Equal(new MediaInfo("photo", "chart") { File = new MediaFile("AgAD", "AQAD", null, "jpg") }, m.Media);
        Assert.Null(m.Text);
        Assert.Equal("chart", m.TextOrCaption);
    }

    [Fact]
    public void Edits_CarryTheirEditDate()
    {
        var m = Map("""
            {"update_id": 1002,
             "edited_channel_post": {"message_id": 5, "date": 1764064802, "edit_date": 1764064900,
               "chat": {"id": -1009876543210, "type": "channel", "title": "News"}, "text": "fixed"}}
            """).Message!;
        Assert.Equal(MessageKind.Edit, m.Kind);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1764064900), m.EditDate);
        var e = Map("""
            {"update_id": 1003,
             "edited_message": {"message_id": 9, "date": 1764064802, "edit_date": 1764064950,
               "chat": {"id": 1001, "type": "private", "first_name": "Ada", "last_name": "L"}, "text": "typo"}}
            """).Message!;
        Assert.Equal((MessageKind.Edit, "private", "Ada L"), (e.Kind, e.Chat.Type, e.Chat.Title));
    }

    [Fact]
    public void AForwardFromAChannel()
    {
        var m = Map("""
            {"update_id": 1004,
             "message": {"message_id": 8, "date": 1764064802, "chat": {"id": 1001, "type": "private", "first_name": "Ada"},
               "from": {"id": 1001, "is_bot": false, "first_name": "Ada"}, "text": "look",
               "forward_origin": {"type": "channel", "date": 1764060000, "message_id": 321,
                 "chat": {"id": -1005555, "type": "channel", "title": "Source"}}}}
            """).Message!;
        Assert.Equal(new ForwardInfo("channel", -1005555, "Source", DateTimeOffset.FromUnixTimeSeconds(1764060000), 321), m.Forward);
    }

    [Fact]
    public void AKindNotMonitored_IsSkippedByName()
    {
        var m = Map("""{"update_id": 1005, "message_reaction": {"chat": {"id": 1, "type": "private"}, "message_id": 1, "date": 1, "old_reaction": [], "new_reaction": []}}""");
        Assert.Equal((1005L, (TgMessage?)null, "message_reaction", (string?)null), (m.UpdateId, m.Message, m.Skipped, m.Malformed));
    }

    [Theory]
    [InlineData("""{"update_id": 1006, "message": "not an object"}""", 1006)]
    [InlineData("""{"update_id": 1007, "message": {"message_id": "x", "date": 1, "chat": {"id": 1, "type": "private"}}}""", 1007)]
    [InlineData("""{"update_id": 1008, "message": {"message_id": 1, "date": 99999999999999, "chat": {"id": 1, "type": "private"}, "text": "x"}}""", 1008)]
    [InlineData("""{"update_id": 1009, "edited_message": {"message_id": 1, "date": 1, "edit_date": 99999999999999, "chat": {"id": 1, "type": "private"}, "text": "x"}}""", 1009)]
    [InlineData("""{"update_id": 1010, "message": {"message_id": 1, "date": 1, "chat": {"id": 1, "type": "private"}, "text": "x", "forward_origin": {"type": "user", "date": 99999999999999, "sender_user": {"id": 2, "is_bot": false, "first_name": "B"}}}}""", 1010)]
    [InlineData("""{"message": {"message_id": 1}}""", -1)]
    [InlineData("""[1, 2]""", -1)]
    public void AMalformedUpdate_IsReportedWithItsPosition_NotThrown(string json, long updateId)
    {
        var m = Map(json);
        Assert.Equal(updateId, m.UpdateId);
        Assert.Null(m.Message);
        Assert.NotNull(m.Malformed);
    }

    [Theory]
    [InlineData("user")]
    [InlineData("chat")]
    [InlineData("channel")]
    public void AForwardWhoseOriginLacksItsSender_IsDeliveredWithWhatIsKnown_AndCountedAsMalformed(string type)
    {
        var m = Map("""
            {"update_id": 1011,
             "message": {"message_id": 8, "date": 1764064802, "chat": {"id": 1001, "type": "private", "first_name": "Ada"},
               "from": {"id": 1001, "is_bot": false, "first_name": "Ada"}, "text": "look",
               "forward_origin": {"type": "TYPE", "date": 1764060000}}}
            """.Replace("TYPE", type, StringComparison.Ordinal));
        Assert.Equal(1011, m.UpdateId);
        Assert.NotNull(m.Malformed);
        Assert.Equal("look", m.Message!.Text);
        Assert.Equal(new ForwardInfo(type, Date: DateTimeOffset.FromUnixTimeSeconds(1764060000)), m.Message.Forward);
    }

    [Fact]
    public void ALinkedChannelsAutomaticForward_IsSentByTheChannel_NotByTheFakeUser()
    {
        var m = Map("""
            {"update_id": 1012,
             "message": {"message_id": 40, "date": 1764064802, "is_automatic_forward": true,
               "chat": {"id": -1001234567890, "type": "supergroup", "title": "Traders"},
               "from": {"id": 777000, "is_bot": false, "first_name": "Telegram"},
               "sender_chat": {"id": -1009876543210, "type": "channel", "title": "News", "username": "news"},
               "forward_origin": {"type": "channel", "date": 1764064800, "message_id": 5, "chat": {"id": -1009876543210, "type": "channel", "title": "News"}},
               "text": "news"}}
            """).Message!;
        Assert.Equal(new SenderInfo(-1009876543210, "News", "news"), m.Sender);
    }

    [Fact]
    public void AnAnswer_IsReadUpdateByUpdate_AndOneThatCannotBeRead_CostsOnlyItself()
    {
        const string Good = """{"update_id": ID, "message": {"message_id": ID, "date": 1764064802, "chat": {"id": -1001, "type": "supergroup", "title": "G"}, "text": "t ID"}}""";
        string[] updates =
        [
            Good.Replace("ID", "1", StringComparison.Ordinal),
            """{"update_id": 2, "message": {"message_id": {"nested": [1, {"deep": "x"}]}, "date": 1, "chat": {"id": 1, "type": "private"}}}""",
            "\"not an update\"",
            """{"message": {"message_id": 1}, "update_id": "3"}""",
            """{"callback_query": {"id": "q", "from": {"id": 1, "is_bot": false, "first_name": "A"}, "chat_instance": "c"}, "update_id": 4, "update_id": 5}""",
            Good.Replace("ID", "6", StringComparison.Ordinal),
            """{"update_id": 7, "message": {"message_id": 7, "date": 99999999999999, "chat": {"id": 1, "type": "private"}}}""",
            Good.Replace("ID", "8", StringComparison.Ordinal),
        ];
        var answer = "{\"ok\": true, \"result\": [" + string.Join(",\n", updates) + "]}";

        var batch = JsonSerializer.Deserialize<Telegram.Bot.Types.ApiResponse<UpdateBatch>>(answer, Telegram.Bot.JsonBotAPI.Options)!.Result!.Updates;
        var mapped = batch.Select(Mapper.Map).ToArray();

        // A quoted id is read as Telegram.Bot reads numbers (its update, 3, has a message without a chat: malformed).
        Assert.Equal([1L, 2L, -1L, 3L, 5L, 6L, 7L, 8L], mapped.Select(m => m.UpdateId));
        Assert.Equal(["t 1", null, null, null, null, "t 6", null, "t 8"], mapped.Select(m => m.Message?.Text));
        Assert.Equal([false, true, true, true, false, false, true, false], mapped.Select(m => m.Malformed is not null));
        Assert.Equal("callback_query", mapped[4].Skipped);
        Assert.StartsWith("update 2 is not a valid update: ", mapped[1].Malformed, StringComparison.Ordinal);
    }
}
