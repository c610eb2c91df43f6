using System.Text.Json;
using System.Text.Json.Nodes;
using Tgwatch.Messages;
using Tgwatch.Tdlib.Updates;
using static Tgwatch.Tdlib.Tests.Updates.Fixture;

namespace Tgwatch.Tdlib.Tests.Updates;

/// <summary>How the reader tells a malformed update (one-line reason, counted) from a well-formed one it reads anyway.</summary>
public sealed class TdMalformedUpdateTests
{
    private readonly TdUpdateReader _reader = ReaderWithDirectory();

    public static TheoryData<string, string> RequiredFields()
    {
        var data = new TheoryData<string, string>();
        foreach (var (fixture, path) in Fixture.RequiredFields) data.Add(fixture, path);
        return data;
    }

    private TdMalformedUpdate Malformed(string json)
    {
        var before = _reader.Stats.Malformed;
        var e = Assert.IsType<TdMalformedUpdate>(_reader.Read(Parse(json)));
        Assert.Equal(before + 1, _reader.Stats.Malformed);
        Assert.DoesNotContain('\n', e.Reason);
        Assert.NotEmpty(e.Reason);
        return e;
    }

    [Theory]
    [InlineData("[]", "Array")]
    [InlineData("42", "Number")]
    [InlineData("\"updateNewMessage\"", "String")]
    [InlineData("null", "Null")]
    [InlineData("true", "True")]
    public void A_value_that_is_not_an_object_is_malformed(string json, string kind)
    {
        var e = Malformed(json);
        Assert.Null(e.Type);
        Assert.Contains(kind, e.Reason);
    }

    // a null among the active usernames (found by the property test) is no username, not a crash.
    [Fact]
    public void A_null_active_username_is_no_username()
    {
        var update = JsonDocument.Parse("""{"@type":"updateUser","user":{"@type":"user","id":42,"first_name":"Ann","last_name":"","usernames":{"@type":"usernames","active_usernames":[null,"ann"],"disabled_usernames":[],"editable_username":"ann"},"type":{"@type":"userTypeRegular"}}}""").RootElement;
        Assert.IsNotType<TdMalformedUpdate>(_reader.Read(update));
        Assert.Null(_reader.Directory.User(42).Username);
        Assert.Equal("Ann", _reader.Directory.User(42).Name);
    }

    [Fact]
    public void The_default_element_is_malformed()
    {
        var e = Assert.IsType<TdMalformedUpdate>(_reader.Read(default));
        Assert.Contains("Undefined", e.Reason);
    }

    [Fact]
    public void An_element_of_a_disposed_document_is_malformed_not_thrown()
    {
        var doc = JsonDocument.Parse(Text("updateNewMessage.text.json"));
        var element = doc.RootElement;
        doc.Dispose();
        Assert.IsType<TdMalformedUpdate>(_reader.Read(element));
    }

    [Theory]
    [InlineData("""{"message":{}}""", "without @type")]
    [InlineData("""{"@type":7}""", "must be a string")]
    [InlineData("""{"@type":null}""", "must be a string")]
    public void An_update_without_a_string_type_is_malformed(string json, string reason) =>
        Assert.Contains(reason, Malformed(json).Reason);

    [Theory]
    [MemberData(nameof(RequiredFields))]
    public void An_update_without_a_field_tgwatch_needs_is_malformed(string fixture, string path)
    {
        var e = Malformed(Mutate(fixture, path, null));
        Assert.Equal(Parse(Text(fixture)).GetProperty("@type").GetString(), e.Type);
    }

    [Theory]
    [InlineData("updateNewMessage.text.json", "message.id", "\"80740352\"")]
    [InlineData("updateNewMessage.text.json", "message.id", "1.5")]
    [InlineData("updateNewMessage.text.json", "message.id", "1e300")]
    [InlineData("updateNewMessage.text.json", "message.id", "123456789012345678901234567890")]
    [InlineData("updateNewMessage.text.json", "message.date", "4294967296")]
    [InlineData("updateNewMessage.text.json", "message.date", "null")]
    [InlineData("updateNewMessage.text.json", "message.is_outgoing", "\"true\"")]
    [InlineData("updateNewMessage.text.json", "message.media_album_id", "\"abc\"")]
    [InlineData("updateNewMessage.text.json", "message.media_album_id", "\"99999999999999999999\"")]
    [InlineData("updateNewMessage.text.json", "message.content", "[]")]
    [InlineData("updateNewMessage.text.json", "message.content", "\"messageText\"")]
    [InlineData("updateNewMessage.text.json", "message.content.text", "\"hello\"")]
    [InlineData("updateNewMessage.text.json", "message.content.text.text", "7")]
    [InlineData("updateNewMessage.text.json", "message.sender_id", "1001")]
    [InlineData("updateNewMessage.text.json", "message.sender_id.@type", "{}")]
    [InlineData("updateNewMessage.text.json", "message", "null")]
    [InlineData("updateNewMessage.photo_caption.json", "message.content.caption", "\"chart\"")]
    [InlineData("updateNewMessage.photo_caption.json", "message.content.caption.text", "null")]
    [InlineData("updateDeleteMessages.permanent.json", "message_ids", "[\"1\"]")]
    [InlineData("updateDeleteMessages.permanent.json", "message_ids", "{}")]
    [InlineData("updateConnectionState.all.json", "state.@type", "\"connectionStateSomethingNew\"")]
    [InlineData("updateConnectionState.all.json", "state", "\"connectionStateReady\"")]
    [InlineData("updateUser.json", "user.usernames.active_usernames", "\"ada\"")]
    [InlineData("updateNewChat.private.json", "chat.type", "{\"user_id\":1001}")]
    public void An_update_with_a_value_of_the_wrong_kind_is_malformed(string fixture, string path, string value) =>
        Malformed(Mutate(fixture, path, value));

    [Fact]
    public void The_reason_names_the_update_the_field_and_where_it_is()
    {
        Assert.Equal("updateNewMessage: missing 'id' at $.message", Malformed(Mutate("updateNewMessage.text.json", "message.id", null)).Reason);
        Assert.Equal("updateNewMessage: a value of the wrong JSON kind or range at $.message.date",
            Malformed(Mutate("updateNewMessage.text.json", "message.date", "\"1\"")).Reason);
        Assert.Equal("updateNewMessage: a MessageSender has no @type at $.message.sender_id",
            Malformed(Mutate("updateNewMessage.text.json", "message.sender_id.@type", null)).Reason);
        Assert.Equal("updateConnectionState: unknown ConnectionState \"x\" at $.state",
            Malformed(Mutate("updateConnectionState.all.json", "state.@type", "\"x\"")).Reason);
    }

    [Fact]
    public void A_malformed_directory_update_changes_nothing()
    {
        var reader = new TdUpdateReader("user777");
        Assert.IsType<TdMalformedUpdate>(reader.Read(Parse(Mutate("updateUser.json", "user.first_name", "5"))));
        Assert.Equal(0, reader.Directory.UserCount);
        Assert.Equal(new SenderInfo(Ada), reader.Directory.User(Ada));
    }

    [Fact]
    public void The_type_may_stand_anywhere_in_an_object()
    {
        var json = """
            {"message":{"content":{"text":{"text":"late types","entities":[],"@type":"formattedText"},"@type":"messageText"},
              "sender_id":{"user_id":1001,"@type":"messageSenderUser"},"chat_id":1001,"id":1048576,"date":1764064801,
              "forward_info":{"date":1764060000,"origin":{"sender_name":"Carol C","@type":"messageOriginHiddenUser"}},
              "@type":"message"},
             "@type":"updateNewMessage"}
            """;
        var m = Assert.IsType<TdNewMessage>(_reader.Read(Parse(json))).Message.Message;
        Assert.Equal(("late types", 1L, "Ada Lovelace"), (m.Text, m.MessageId, m.Sender!.Name));
        Assert.Equal("hidden_user", m.Forward!.Type);
    }

    [Fact]
    public void An_escaped_type_name_is_the_same_name()
    {
        var json = Text("updateMessageContent.json").Replace("\"updateMessageContent\"", "\"update\\u004DessageContent\"")
            .Replace("\"messageText\"", "\"message\\u0054ext\"");
        Assert.IsType<TdMessageContentChanged>(_reader.Read(Parse(json)));
    }

    [Fact]
    public void Unknown_constructors_inside_a_message_are_read_as_other_not_malformed()
    {
        var json = Mutate("updateNewMessage.forward_user.json", "message.forward_info.origin", """{"@type":"messageOriginNew","x":[1,{"y":2}]}""");
        json = MutateText(json, "message.sender_id", """{"@type":"messageSenderNew"}""");
        json = MutateText(json, "message.content", """{"@type":"messageChatAddMembers","member_user_ids":[1002]}""");
        var m = Assert.IsType<TdNewMessage>(_reader.Read(Parse(json))).Message.Message;
        Assert.Null(m.Forward);
        Assert.Null(m.Sender);
        Assert.Equal(new MediaInfo("other"), m.Media);
        Assert.Null(m.Text);
    }

    [Fact]
    public void An_int64_may_come_as_a_string_or_a_number()
    {
        Assert.IsType<TdNewMessage>(_reader.Read(Parse(Mutate("updateNewMessage.text.json", "message.media_album_id", "\"-9223372036854775808\""))));
        Assert.IsType<TdNewMessage>(_reader.Read(Parse(Mutate("updateNewMessage.text.json", "message.media_album_id", "12"))));
    }

    [Fact]
    public void Optional_fields_may_be_missing_or_null()
    {
        var json = Mutate("updateNewMessage.photo_caption.json", "message.content.caption", null);
        json = MutateText(json, "message.is_channel_post", null);
        json = MutateText(json, "message.author_signature", "null");
        var m = Assert.IsType<TdNewMessage>(_reader.Read(Parse(json))).Message.Message;
        Assert.Equal(new MediaInfo("photo") { File = new MediaFile("12", "AQAD12", 70331, "jpg") }, m.Media);
    }

    [Fact]
    public void Deep_nesting_inside_a_skipped_field_is_malformed_beyond_the_depth_limit_and_fine_below_it()
    {
        static string Nest(int depth) => string.Concat(Enumerable.Repeat("[", depth)) + string.Concat(Enumerable.Repeat("]", depth));
        var options = new JsonDocumentOptions { MaxDepth = 10_000 };
        var template = Mutate("updateNewMessage.text.json", "message.interaction_info", "\"nest\"");
        var shallow = template.Replace("\"nest\"", Nest(50));
        Assert.IsType<TdNewMessage>(_reader.Read(JsonDocument.Parse(shallow, options).RootElement));
        var deep = template.Replace("\"nest\"", Nest(5000));
        var e = Assert.IsType<TdMalformedUpdate>(_reader.Read(JsonDocument.Parse(deep, options).RootElement));
        Assert.Equal("updateNewMessage", e.Type);
    }

    /// <summary>The fixture (the first element of an array fixture) with the value at a dotted path replaced, or removed when null.</summary>
    internal static string Mutate(string fixture, string path, string? value) => MutateText(Text(fixture), path, value);

    internal static string MutateText(string json, string path, string? value)
    {
        var root = JsonNode.Parse(json)!;
        if (root is JsonArray array) root = array[0]!.DeepClone();
        var parts = path.Split('.');
        var node = root.AsObject();
        foreach (var part in parts[..^1]) node = node[part]!.AsObject();
        if (value is null) Assert.True(node.Remove(parts[^1]), $"no {path} in the fixture");
        else node[parts[^1]] = JsonNode.Parse(value);
        return root.ToJsonString();
    }
}
