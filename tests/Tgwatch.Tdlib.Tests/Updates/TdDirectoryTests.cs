using System.Text.Json.Nodes;
using Tgwatch.Messages;
using Tgwatch.Tdlib.Updates;
using static Tgwatch.Tdlib.Tests.Updates.Fixture;

namespace Tgwatch.Tdlib.Tests.Updates;

/// <summary>Chats and senders as the Bot API connector writes them, from what TDLib told.</summary>
public sealed class TdDirectoryTests
{
    private readonly TdDirectory _directory = ReaderWithDirectory().Directory;

    [Fact]
    public void Each_chat_type_has_the_bot_api_type_title_and_username()
    {
        Assert.Equal(new ChatInfo(Ada, "private", "Ada Lovelace", "ada"), _directory.Chat(Ada));
        Assert.Equal(new ChatInfo(Family, "group", "Family"), _directory.Chat(Family));
        Assert.Equal(new ChatInfo(Traders, "supergroup", "Traders", "traders"), _directory.Chat(Traders));
        Assert.Equal(new ChatInfo(News, "channel", "News", "news"), _directory.Chat(News));
        Assert.Equal(new ChatInfo(SecretWithBob, "private", "Bob"), _directory.Chat(SecretWithBob));
    }

    [Fact]
    public void Unknown_users_and_chats_give_only_their_id()
    {
        Assert.Equal(new ChatInfo(-777), _directory.Chat(-777));
        Assert.Equal(new SenderInfo(4242), _directory.User(4242));
        Assert.Equal(new SenderInfo(-777), _directory.ChatAsSender(-777));
    }

    [Fact]
    public void Senders_are_users_by_name_or_chats_by_title()
    {
        Assert.Equal(new SenderInfo(Ada, "Ada Lovelace", "ada"), _directory.User(Ada));
        Assert.Equal(new SenderInfo(Bob, "Bob"), _directory.User(Bob));
        Assert.Equal(new SenderInfo(News, "News", "news"), _directory.ChatAsSender(News));
    }

    [Fact]
    public void A_chat_whose_user_or_supergroup_is_unknown_has_its_own_title_and_no_username()
    {
        var reader = new TdUpdateReader("user777");
        reader.Read(Load("updateNewChat.private.json"));
        reader.Read(Load("updateNewChat.channel.json"));
        Assert.Equal(new ChatInfo(Ada, "private", "Ada Lovelace"), reader.Directory.Chat(Ada));
        Assert.Equal(new ChatInfo(News, "channel", "News"), reader.Directory.Chat(News));
    }

    [Fact]
    public void Later_updates_change_titles_names_and_usernames()
    {
        var reader = ReaderWithDirectory();
        Assert.IsType<TdDirectoryChanged>(reader.Read(Load("updateChatTitle.json")));
        Assert.Equal(new ChatInfo(Traders, "supergroup", "Traders (EU)", "traders"), reader.Directory.Chat(Traders));
        var user = JsonNode.Parse(Text("updateUser.json"))!;
        user["user"]!["last_name"] = "King";
        user["user"]!["usernames"]!["active_usernames"] = new JsonArray("countess", "ada");
        Assert.Equal(new TdDirectoryChanged("updateUser"), reader.Read(Parse(user.ToJsonString())));
        Assert.Equal(new SenderInfo(Ada, "Ada King", "countess"), reader.Directory.User(Ada));
        Assert.Equal(new ChatInfo(Ada, "private", "Ada King", "countess"), reader.Directory.Chat(Ada));
    }

    [Fact]
    public void A_title_for_a_chat_not_seen_yet_is_kept()
    {
        var reader = new TdUpdateReader("user777");
        reader.Read(Load("updateChatTitle.json"));
        Assert.Equal(new ChatInfo(Traders, null, "Traders (EU)"), reader.Directory.Chat(Traders));
        reader.Read(Load("updateNewChat.supergroup.json"));
        Assert.Equal("supergroup", reader.Directory.Chat(Traders).Type);
    }

    [Theory]
    [InlineData("""{"@type":"usernames","active_usernames":[],"disabled_usernames":["old"],"editable_username":"old","collectible_usernames":[]}""")]
    [InlineData("""{"@type":"usernames","active_usernames":[""],"disabled_usernames":[],"editable_username":"","collectible_usernames":[]}""")]
    [InlineData(null)]
    public void Only_an_active_username_is_a_username(string? usernames)
    {
        var user = JsonNode.Parse(Text("updateUser.json"))!["user"]!.AsObject();
        user.Remove("usernames");
        if (usernames is not null) user["usernames"] = JsonNode.Parse(usernames);
        var directory = new TdDirectory();
        Assert.True(directory.TryApplyUser(Parse(user.ToJsonString()), out var why), why);
        Assert.Equal(new SenderInfo(Ada, "Ada Lovelace"), directory.User(Ada));
    }

    [Theory]
    [InlineData("", "", null)]
    [InlineData("", "Lovelace", "Lovelace")]
    [InlineData("Ada", "", "Ada")]
    public void Names_join_first_and_last_like_the_bot_api(string first, string last, string? name)
    {
        var user = JsonNode.Parse(Text("updateUser.json"))!["user"]!;
        user["first_name"] = first;
        user["last_name"] = last;
        var directory = new TdDirectory();
        Assert.True(directory.TryApply(Parse(user.ToJsonString()), out _));
        Assert.Equal(name, directory.User(Ada).Name);
    }

    [Fact]
    public void Answers_of_get_chat_get_user_and_get_supergroup_are_applied_directly()
    {
        var directory = new TdDirectory();
        Assert.True(directory.TryApplyChat(Load("updateNewChat.channel.json").GetProperty("chat"), out var why), why);
        Assert.True(directory.TryApplySupergroup(Load("updateSupergroup.channel.json").GetProperty("supergroup"), out why), why);
        Assert.True(directory.TryApply(Load("updateUser.json").GetProperty("user"), out why), why);
        Assert.True(directory.TryApply(Load("updateNewChat.private.json").GetProperty("chat"), out why), why);
        Assert.Equal(new ChatInfo(News, "channel", "News", "news"), directory.Chat(News));
        Assert.Equal(new ChatInfo(Ada, "private", "Ada Lovelace", "ada"), directory.Chat(Ada));
        Assert.Equal((1, 2), (directory.UserCount, directory.ChatCount));
    }

    [Fact]
    public void Objects_that_are_not_users_chats_or_supergroups_are_refused_with_a_reason()
    {
        var directory = new TdDirectory();
        Assert.False(directory.TryApply(Load("error.json"), out var why));
        Assert.Equal("\"error\" is not a user, chat or supergroup", why);
        Assert.False(directory.TryApplyChat(Load("error.json"), out why));
        Assert.Equal("TDLib error 404: Not Found", why);
        Assert.False(directory.TryApplyChat(Load("updateUser.json").GetProperty("user"), out why));
        Assert.Equal("a chat was expected, not \"user\"", why);
        Assert.False(directory.TryApplyUser(Parse("[1]"), out why));
        Assert.Equal("a user must be a JSON object, not Array", why);
        Assert.False(directory.TryApply(Parse("{}"), out why));
        Assert.False(directory.TryApplySupergroup(Parse("""{"@type":"supergroup","id":"5","is_channel":true}"""), out why));
        Assert.Equal((0, 0), (directory.UserCount, directory.ChatCount));
    }

    [Fact]
    public void The_directory_can_be_read_while_it_is_fed()
    {
        var reader = new TdUpdateReader("user777");
        var user = Load("updateUser.json");
        var chat = Load("updateNewChat.private.json");
        Parallel.For(0, 4, i =>
        {
            for (var n = 0; n < 2000; n++)
            {
                if (i == 0) reader.Read(n % 2 == 0 ? user : chat);
                else
                {
                    var c = reader.Directory.Chat(Ada);
                    Assert.Equal(Ada, c.Id);
                    Assert.True(c.Type is null or "private");
                }
            }
        });
        Assert.Equal(new ChatInfo(Ada, "private", "Ada Lovelace", "ada"), reader.Directory.Chat(Ada));
    }
}
