using System.Globalization;
using System.Text.Json.Nodes;
using Tgwatch.Tdlib.Updates;
using Tgwatch.TestKit;

namespace Tgwatch.Tdlib.Tests.Connector;

/// <summary>
/// A small Telegram as TDLib 1.8.65 shows it, behind a <see cref="ScriptedTdSession"/>: chats with histories, answering
/// getChat, searchPublicChat, openChat, getChatHistory (TDLib's paging: a negative offset adds newer messages, newest
/// first, and TDLib may return fewer than asked), getChatMessageByDate (the last message no later than the date, 404 "Not
/// Found" when there is none), getMessage and getRepliedMessage; objects shaped as td_api.tl says
/// (null fields left out, message ids = server id &lt;&lt; 20).
/// </summary>
internal sealed class TdWorld
{
    public const long UserId = 5001;

    /// <summary>The date of a chat's first message (Unix seconds); each next one is a second later unless posted with its own date.</summary>
    public const int FirstDate = 1_700_000_000;
    private readonly Lock _sync = new();
    private readonly Dictionary<long, Chat> _chats = [];
    private int _historyPageCap = int.MaxValue;

    public TdWorld()
    {
        Session = new ScriptedTdSession { DefaultTimeout = TimeSpan.FromSeconds(5) };
        Session.On("getChat", r =>
        {
            BeforeGetChat?.Invoke((long)r["chat_id"]!);
            return ChatJson(ChatOf((long)r["chat_id"]!)).ToJsonString();
        });
        Session.On("searchPublicChat", r =>
        {
            var name = (string)r["username"]!;
            lock (_sync)
            {
                var chat = _chats.Values.FirstOrDefault(c => string.Equals(c.Username, name, StringComparison.OrdinalIgnoreCase))
                    ?? throw new TdlibErrorException(400, "USERNAME_NOT_OCCUPIED", "searchPublicChat");
                return ChatJson(chat).ToJsonString();
            }
        });
        Session.On("openChat", _ => """{"@type":"ok"}""");
        Session.On("getChatHistory", r =>
        {
            if (HistoryFault?.Invoke(HistoryLimits.Count + 1) is { } fault) throw fault;
            return History(r);
        });
        Session.On("getChatMessageByDate", r =>
        {
            var date = (int)r["date"]!;
            lock (_sync)
            {
                var m = ChatOf((long)r["chat_id"]!).Messages.LastOrDefault(x => x.Date <= date)
                    ?? throw new TdlibErrorException(404, "Not Found", "getChatMessageByDate");
                return MessageJson(m).ToJsonString();
            }
        });
        Session.On("getMessage", r => MessageJson(Find((long)r["chat_id"]!, (long)r["message_id"]!)).ToJsonString());
        Session.On("getRepliedMessage", r =>
        {
            var m = Find((long)r["chat_id"]!, (long)r["message_id"]!);
            if (m.ReplyTo is not { } to) throw new TdlibErrorException(404, "Not Found", "getRepliedMessage");
            return MessageJson(Find(m.ChatId, TdMessageIds.FromServerId(to))).ToJsonString();
        });
    }

    public ScriptedTdSession Session { get; }

    /// <summary>Runs when getChat is asked, before the answer is made (with the chat's id): what happens in the world meanwhile.</summary>
    public Action<long>? BeforeGetChat { get; set; }

    /// <summary>Asked before each getChatHistory call (with its number, from 1): a failure to answer it with instead (a FLOOD_WAIT), or null.</summary>
    public Func<int, Exception?>? HistoryFault { get; set; }

    /// <summary>getChatHistory calls answered, with their limits.</summary>
    public List<int> HistoryLimits { get; } = [];

    /// <summary>TDLib returns at most this many messages per getChatHistory call (it chooses the number).</summary>
    public int HistoryPageCap
    {
        set => _historyPageCap = value;
    }

    public void AddChat(long id, string title, string type = "channel", string? username = null)
    {
        lock (_sync) _chats[id] = new Chat(id, title, type, username);
    }

    /// <summary>Adds a message to the chat's history (server id = the next one) and, when <paramref name="live"/>, sends its updateNewMessage.</summary>
    public Msg Post(long chatId, string text, bool live = true, long? replyTo = null, int? date = null)
    {
        Msg m;
        lock (_sync)
        {
            var chat = ChatOf(chatId);
            m = new Msg(chatId, chat.Messages.Count == 0 ? 1 : chat.Messages[^1].Id + 1, text, date ?? FirstDate + chat.Messages.Count, replyTo);
            chat.Messages.Add(m);
        }
        if (live) Session.Push(new JsonObject { ["@type"] = "updateNewMessage", ["message"] = MessageJson(m) }.ToJsonString());
        return m;
    }

    public void Edit(long chatId, long id, string text)
    {
        lock (_sync)
        {
            var chat = ChatOf(chatId);
            var i = chat.Messages.FindIndex(x => x.Id == id);
            chat.Messages[i] = chat.Messages[i] with { Text = text, EditDate = chat.Messages[i].Date + 60 };
        }
        Session.Push(new JsonObject { ["@type"] = "updateMessageContent", ["chat_id"] = chatId, ["message_id"] = TdMessageIds.FromServerId(id),
            ["new_content"] = Content(text) }.ToJsonString());
        Session.Push(new JsonObject { ["@type"] = "updateMessageEdited", ["chat_id"] = chatId, ["message_id"] = TdMessageIds.FromServerId(id),
            ["edit_date"] = 1_700_100_000 }.ToJsonString());
    }

    public void Delete(long chatId, long id, bool fromCache = false)
    {
        if (!fromCache) lock (_sync) ChatOf(chatId).Messages.RemoveAll(x => x.Id == id);
        Session.Push(new JsonObject { ["@type"] = "updateDeleteMessages", ["chat_id"] = chatId, ["message_ids"] = new JsonArray(TdMessageIds.FromServerId(id)),
            ["is_permanent"] = !fromCache, ["from_cache"] = fromCache }.ToJsonString());
    }

    public void Connection(string state) =>
        Session.Push(new JsonObject { ["@type"] = "updateConnectionState", ["state"] = new JsonObject { ["@type"] = state } }.ToJsonString());

    public int Count(long chatId)
    {
        lock (_sync) return ChatOf(chatId).Messages.Count;
    }

    private string History(JsonObject r)
    {
        var chat = ChatOf((long)r["chat_id"]!);
        var from = (long)r["from_message_id"]!;
        var offset = (int)r["offset"]!;
        var limit = (int)r["limit"]!;
        if (limit is < 1 or > 100 || offset is > 0 or < -99 || (offset < 0 && limit < -offset)) throw new TdlibErrorException(400, "Parameter limit/offset is invalid", "getChatHistory");
        lock (_sync)
        {
            HistoryLimits.Add(limit);
            var all = chat.Messages.OrderBy(m => m.Id).ToList();
            var fromId = from == 0 ? long.MaxValue : from;
            // -offset messages newer than from (the closest ones), then from and older, newest first.
            var newer = all.Where(m => TdMessageIds.FromServerId(m.Id) > fromId).Take(-offset).ToList();
            var older = all.Where(m => TdMessageIds.FromServerId(m.Id) <= fromId).OrderByDescending(m => m.Id).Take(limit - newer.Count);
            var slice = newer.OrderByDescending(m => m.Id).Concat(older).ToList();
            // TDLib chooses how many it returns: a contiguous slice. Read back from a message (offset 0) it starts there;
            // around a message (negative offset) it is cut here at its newer or its older end by turns.
            var cut = Math.Min(limit, _historyPageCap);
            var keepNewest = offset == 0 || HistoryLimits.Count % 2 == 0;
            var page = (keepNewest ? slice.Take(cut) : slice.Skip(Math.Max(0, slice.Count - cut))).ToList();
            var array = new JsonArray([.. page.Select(m => (JsonNode)MessageJson(m))]);
            return new JsonObject { ["@type"] = "messages", ["total_count"] = page.Count, ["messages"] = array }.ToJsonString();
        }
    }

    private Msg Find(long chatId, long tdId)
    {
        lock (_sync)
            return ChatOf(chatId).Messages.FirstOrDefault(m => TdMessageIds.FromServerId(m.Id) == tdId) ?? throw new TdlibErrorException(404, "Not Found", "getMessage");
    }

    private Chat ChatOf(long id)
    {
        lock (_sync) return _chats.TryGetValue(id, out var c) ? c : throw new TdlibErrorException(400, "Chat not found", "getChat");
    }

    private JsonObject ChatJson(Chat c)
    {
        var type = c.Type switch
        {
            "private" => new JsonObject { ["@type"] = "chatTypePrivate", ["user_id"] = c.Id },
            "group" => new JsonObject { ["@type"] = "chatTypeBasicGroup", ["basic_group_id"] = -c.Id },
            _ => new JsonObject { ["@type"] = "chatTypeSupergroup", ["supergroup_id"] = SupergroupId(c.Id), ["is_channel"] = c.Type == "channel" },
        };
        var chat = new JsonObject { ["@type"] = "chat", ["id"] = c.Id, ["type"] = type, ["title"] = c.Title };
        lock (_sync)
            if (c.Messages.Count > 0) chat["last_message"] = MessageJson(c.Messages[^1]);
        return chat;
    }

    private static long SupergroupId(long chatId) => -chatId - 1_000_000_000_000;

    public static JsonObject MessageJson(Msg m)
    {
        var o = new JsonObject
        {
            ["@type"] = "message",
            ["id"] = TdMessageIds.FromServerId(m.Id),
            ["sender_id"] = new JsonObject { ["@type"] = "messageSenderUser", ["user_id"] = UserId },
            ["chat_id"] = m.ChatId,
            ["is_outgoing"] = false,
            ["is_pinned"] = false,
            ["is_channel_post"] = false,
            ["date"] = m.Date,
            ["edit_date"] = m.EditDate,
            ["content"] = Content(m.Text),
        };
        if (m.ReplyTo is { } to)
            o["reply_to"] = new JsonObject { ["@type"] = "messageReplyToMessage", ["chat_id"] = m.ChatId, ["message_id"] = TdMessageIds.FromServerId(to), ["origin_send_date"] = 0 };
        return o;
    }

    private static JsonObject Content(string text) => new()
    {
        ["@type"] = "messageText",
        ["text"] = new JsonObject { ["@type"] = "formattedText", ["text"] = text, ["entities"] = new JsonArray() },
    };

    private sealed record Chat(long Id, string Title, string Type, string? Username)
    {
        public List<Msg> Messages { get; } = [];
    }

    public sealed record Msg(long ChatId, long Id, string Text, int Date, long? ReplyTo)
    {
        public int EditDate { get; init; }

        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{ChatId}/{Id}");
    }
}
