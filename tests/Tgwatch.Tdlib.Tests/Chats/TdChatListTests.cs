using System.Text.Json.Nodes;
using Tgwatch.Tdlib.Chats;
using Tgwatch.TestKit;

namespace Tgwatch.Tdlib.Tests.Chats;

/// <summary>The chat listing of <c>tgwatch chats</c> against a scripted account.</summary>
public sealed class TdChatListTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    private readonly ScriptedTdSession _session = new();
    private readonly Dictionary<string, int> _batchesLeft = new() { ["chatListMain"] = 3, ["chatListArchive"] = 1 };

    public TdChatListTests()
    {
        _session.OnAsync("loadChats", (request, _) =>
        {
            var list = (string)request["chat_list"]!["@type"]!;
            return --_batchesLeft[list] >= 0
                ? Task.FromResult(ScriptedTdSession.Parse("""{"@type":"ok"}"""))
                : Task.FromException<System.Text.Json.JsonElement>(new TdlibErrorException(404, "Not Found", "loadChats"));
        });
        _session.On("getChats", request => (string)request["chat_list"]!["@type"]! == "chatListMain"
            ? """{"@type":"chats","total_count":4,"chat_ids":[-1001000000001,42,-5001,-1001000000002]}"""
            : """{"@type":"chats","total_count":2,"chat_ids":[77,42]}""");
        _session.On("getChat", request => (long)request["chat_id"]! switch
        {
            -1001000000001 => Chat(-1001000000001, """{"@type":"chatTypeSupergroup","supergroup_id":1000000001,"is_channel":true}""", "News\tand\nviews"),
            -1001000000002 => Chat(-1001000000002, """{"@type":"chatTypeSupergroup","supergroup_id":1000000002,"is_channel":false}""", "Makers"),
            42 => Chat(42, """{"@type":"chatTypePrivate","user_id":42}""", "Ada Lovelace"),
            77 => Chat(77, """{"@type":"chatTypePrivate","user_id":77}""", "Archived Bob"),
            -5001 => Chat(-5001, """{"@type":"chatTypeBasicGroup","basic_group_id":5001}""", "Family"),
            var id => throw new TdlibErrorException(400, "Chat not found", "getChat"),
        });
        _session.On("getSupergroup", request => (long)request["supergroup_id"]! == 1000000001
            ? """{"@type":"supergroup","id":1000000001,"usernames":{"@type":"usernames","active_usernames":["news","news_alt"],"disabled_usernames":[],"editable_username":"news","collectible_usernames":[]}}"""
            : """{"@type":"supergroup","id":1000000002,"usernames":null}""");
        _session.OnAsync("getUser", (request, _) => (long)request["user_id"]! == 42
            ? Task.FromResult(ScriptedTdSession.Parse("""{"@type":"user","id":42,"first_name":"Ada","usernames":{"@type":"usernames","active_usernames":["ada"],"disabled_usernames":[],"editable_username":"ada","collectible_usernames":[]}}"""))
            : Task.FromException<System.Text.Json.JsonElement>(new TdlibErrorException(404, "User not found", "getUser")));
    }

    [Fact]
    public async Task Chats_are_loaded_until_TDLib_says_there_are_no_more_then_listed_once_each_in_list_order()
    {
        var chats = await TdChatList.ListAsync(_session, null, Timeout);

        Assert.Equal(4, _session.SentOf("loadChats").Count(r => (string?)r["chat_list"]!["@type"] == "chatListMain"));
        Assert.Equal(2, _session.SentOf("loadChats").Count(r => (string?)r["chat_list"]!["@type"] == "chatListArchive"));
        Assert.All(_session.SentOf("loadChats"), r => Assert.Equal(TdChatList.LoadBatch, (int?)r["limit"]));
        Assert.Equal(
        [
            "-1001000000001\tchannel\tNews and views\t@news",
            "42\tprivate\tAda Lovelace\t@ada",
            "-5001\tgroup\tFamily\t",
            "-1001000000002\tsupergroup\tMakers\t",
            "77\tprivate\tArchived Bob\t",
        ], chats.Select(c => c.ToLine()));
        Assert.Equal(5, _session.SentOf("getChat").Count);
    }

    [Fact]
    public async Task Search_looks_in_known_chats_and_resolves_an_at_username()
    {
        _session.On("searchChats", _ => """{"@type":"chats","total_count":1,"chat_ids":[42]}""");
        _session.On("searchPublicChat", request => (string?)request["username"] == "news"
            ? """{"@type":"chat","id":-1001000000001}"""
            : throw new TdlibErrorException(400, "USERNAME_NOT_OCCUPIED", "searchPublicChat"));

        var chats = await TdChatList.ListAsync(_session, "@news", Timeout);

        Assert.Equal("news", (string?)Assert.Single(_session.SentOf("searchChats"))["query"]);
        Assert.Equal([42, -1001000000001], chats.Select(c => c.Id));
        Assert.Empty(_session.SentOf("getChats"));

        var none = await TdChatList.ListAsync(_session, "@nobody_here", Timeout);
        Assert.Equal([42], none.Select(c => c.Id));
    }

    [Fact]
    public async Task Search_without_at_does_not_ask_the_server_for_a_username()
    {
        _session.On("searchChats", _ => """{"@type":"chats","total_count":0,"chat_ids":[]}""");

        var chats = await TdChatList.ListAsync(_session, "news", Timeout);

        Assert.Empty(chats);
        Assert.Empty(_session.SentOf("searchPublicChat"));
    }

    private static string Chat(long id, string type, string title) =>
        new JsonObject { ["@type"] = "chat", ["id"] = id, ["type"] = JsonNode.Parse(type), ["title"] = title }.ToJsonString();
}
