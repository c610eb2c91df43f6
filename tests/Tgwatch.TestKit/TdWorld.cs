using System.Globalization;
using System.Text.Json.Nodes;
using Tgwatch.Tdlib;
using Tgwatch.Tdlib.Updates;

namespace Tgwatch.TestKit;

/// <summary>
/// A small Telegram as TDLib 1.8.65 shows it, behind a <see cref="ScriptedTdSession"/>: chats with histories, answering
/// getChat, searchPublicChat, openChat, getChatHistory (TDLib's paging: a negative offset adds newer messages, newest
/// first, and TDLib may return fewer than asked), getChatMessageByDate (the last message no later than the date, 404 "Not
/// Found" when there is none), getMessage and getRepliedMessage; objects shaped as td_api.tl says
/// (null fields left out, message ids = server id &lt;&lt; 20).
/// Sending as TDLib does it: sendMessage and forwardMessages answer at once with the message being sent (a local id, its
/// sending_state pending), after an updateNewMessage of it; later the server's outcome comes as updateMessageSendSucceeded
/// (the message under its server id, in the chat's history) or updateMessageSendFailed (<see cref="SendOutcome"/>);
/// deleteMessages of a message still being sent withdraws it. A sender named (<see cref="NameSender"/>) is told of as TDLib
/// does it: an updateUser once, before the first update or answer that shows one of its messages.
/// </summary>
public sealed class TdWorld
{
    public const long UserId = 5001;
    public const long MeId = 5000;

    /// <summary>The date of a chat's first message (Unix seconds); each next one is a second later unless posted with its own date.</summary>
    public const int FirstDate = 1_700_000_000;
    private readonly Lock _sync = new();
    private readonly Dictionary<long, Chat> _chats = [];
    private readonly Dictionary<(long Chat, long TdId), Action> _sending = [];
    private long _localIds;
    private int _historyPageCap = int.MaxValue;
    private JsonObject? _sender; // the user object of the messages' sender, once named
    private bool _senderTold;

    public TdWorld()
    {
        Session = new ScriptedTdSession { DefaultTimeout = TimeSpan.FromSeconds(5) };
        Session.On("getChat", r =>
        {
            BeforeGetChat?.Invoke((long)r["chat_id"]!);
            var chat = ChatOf((long)r["chat_id"]!);
            lock (_sync) Showing(chat.Messages.Count > 0 ? [chat.Messages[^1]] : []);
            return ChatJson(chat).ToJsonString();
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
                Showing([m]);
                return MessageJson(m).ToJsonString();
            }
        });
        Session.On("getMessage", r =>
        {
            var m = Find((long)r["chat_id"]!, (long)r["message_id"]!);
            lock (_sync) Showing([m]);
            return MessageJson(m).ToJsonString();
        });
        Session.On("sendMessage", r => Send((long)r["chat_id"]!, (string)r["input_message_content"]!["text"]!["text"]!, forwardOf: null).ToJsonString());
        Session.On("forwardMessages", r =>
        {
            var from = (long)r["from_chat_id"]!;
            var ids = r["message_ids"]!.AsArray().Select(id => (long)id!).ToList();
            var sent = ids.Select(id =>
            {
                var original = TryFind(from, id);
                return original is null || ProtectedChats.Contains(from) ? null : (JsonNode)Send((long)r["chat_id"]!, original.Text, forwardOf: original);
            });
            return new JsonObject { ["@type"] = "messages", ["total_count"] = ids.Count, ["messages"] = new JsonArray([.. sent]) }.ToJsonString();
        });
        Session.On("deleteMessages", r =>
        {
            var chat = (long)r["chat_id"]!;
            lock (_sync)
                foreach (var id in r["message_ids"]!.AsArray().Select(id => (long)id!))
                    if (!_sending.Remove((chat, id))) ChatOf(chat).Messages.RemoveAll(m => TdMessageIds.FromServerId(m.Id) == id);
            return """{"@type":"ok"}""";
        });
        Session.On("getRepliedMessage", r =>
        {
            var m = Find((long)r["chat_id"]!, (long)r["message_id"]!);
            if (m.ReplyTo is not { } to) throw new TdlibErrorException(404, "Not Found", "getRepliedMessage");
            var replied = Find(m.ChatId, TdMessageIds.FromServerId(to));
            lock (_sync) Showing([replied]);
            return MessageJson(replied).ToJsonString();
        });
    }

    public ScriptedTdSession Session { get; }

    /// <summary>How the server takes a message sent into a chat (its id and text): null, it is sent; else TDLib's error for it.</summary>
    public Func<long, string, (int Code, string Message)?>? SendOutcome { get; set; }

    /// <summary>While true, messages being sent stay so until <see cref="SettleSends"/> (the server is slow or away).</summary>
    public bool HoldSends { get; set; }

    /// <summary>Chats whose messages cannot be forwarded (forwardMessages gives null for them).</summary>
    public HashSet<long> ProtectedChats { get; } = [];

    /// <summary>How many messages are being sent (answered, their outcome not come yet).</summary>
    public int Sending
    {
        get { lock (_sync) return _sending.Count; }
    }

    /// <summary>Gives every message being sent its outcome now.</summary>
    public void SettleSends()
    {
        Action[] due;
        lock (_sync)
        {
            due = [.. _sending.Values];
            _sending.Clear();
        }
        foreach (var settle in due) settle();
    }

    /// <summary>The messages of a chat, oldest first.</summary>
    public IReadOnlyList<Msg> MessagesOf(long chatId)
    {
        lock (_sync) return [.. ChatOf(chatId).Messages];
    }

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

    /// <summary>
    /// Names the sender of the world's messages (<see cref="UserId"/>). From then on the session is told of the user
    /// (<c>updateUser</c>) once, before the first update or answer that shows one of its messages, as TDLib does ("guaranteed
    /// to come before the user identifier is returned to the application"), and never again, whoever read it. Unnamed (the
    /// default), no <c>updateUser</c> comes at all.
    /// </summary>
    public void NameSender(string firstName, string lastName, string username)
    {
        lock (_sync)
            _sender = new JsonObject
            {
                ["@type"] = "user", ["id"] = UserId, ["first_name"] = firstName, ["last_name"] = lastName,
                ["usernames"] = new JsonObject
                {
                    ["@type"] = "usernames", ["active_usernames"] = new JsonArray(username), ["disabled_usernames"] = new JsonArray(),
                    ["editable_username"] = username, ["collectible_usernames"] = new JsonArray(),
                },
                ["phone_number"] = "", ["status"] = new JsonObject { ["@type"] = "userStatusRecently", ["by_my_privacy_settings"] = false },
                ["is_contact"] = false, ["is_mutual_contact"] = false, ["is_close_friend"] = false, ["is_premium"] = false, ["is_support"] = false,
                ["restricts_new_chats"] = false, ["paid_message_star_count"] = 0, ["have_access"] = true,
                ["type"] = new JsonObject { ["@type"] = "userTypeRegular" }, ["language_code"] = "", ["added_to_attachment_menu"] = false,
            };
    }

    /// <summary>Before <paramref name="messages"/> reach the session: the sender's <c>updateUser</c>, if it is named and was not told yet (under the lock).</summary>
    private void Showing(IReadOnlyList<Msg> messages)
    {
        if (_sender is null || _senderTold || messages.All(m => m.Outgoing)) return;
        _senderTold = true;
        Session.Push(new JsonObject { ["@type"] = "updateUser", ["user"] = _sender.DeepClone() }.ToJsonString());
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
            if (live) Showing([m]);
        }
        if (live) Session.Push(new JsonObject { ["@type"] = "updateNewMessage", ["message"] = MessageJson(m) }.ToJsonString());
        return m;
    }

    /// <summary>Adds a message with <paramref name="file"/> as a document, captioned <paramref name="caption"/> (see <see cref="Post"/>).</summary>
    public Msg PostFile(long chatId, WorldFile file, string caption, bool live = true)
    {
        Msg m;
        lock (_sync)
        {
            var chat = ChatOf(chatId);
            m = new Msg(chatId, chat.Messages.Count == 0 ? 1 : chat.Messages[^1].Id + 1, caption, FirstDate + chat.Messages.Count, null) { File = file };
            chat.Messages.Add(m);
            if (live) Showing([m]);
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
            // A chat's messages are kept oldest first (ids only grow): the slice is found by a binary search, so a history of
            // 100,000 messages is paged at the cost of its pages alone.
            var all = chat.Messages;
            var fromId = from == 0 ? long.MaxValue : from;
            var first = FirstNewer(all, fromId);
            // -offset messages newer than from (the closest ones), then from and older, newest first.
            var newerCount = Math.Min(-offset, all.Count - first);
            var olderCount = Math.Min(limit - newerCount, first);
            var slice = new List<Msg>(newerCount + olderCount);
            for (var i = first + newerCount - 1; i >= first - olderCount; i--) slice.Add(all[i]);
            // TDLib chooses how many it returns: a contiguous slice. Read back from a message (offset 0) it starts there;
            // around a message (negative offset) it is cut here at its newer or its older end by turns.
            var cut = Math.Min(limit, _historyPageCap);
            var keepNewest = offset == 0 || HistoryLimits.Count % 2 == 0;
            var page = (keepNewest ? slice.Take(cut) : slice.Skip(Math.Max(0, slice.Count - cut))).ToList();
            Showing(page);
            var array = new JsonArray([.. page.Select(m => (JsonNode)MessageJson(m))]);
            return new JsonObject { ["@type"] = "messages", ["total_count"] = page.Count, ["messages"] = array }.ToJsonString();
        }
    }

    /// <summary>The index of the first message of <paramref name="messages"/> (oldest first) whose TDLib id is above <paramref name="tdId"/>.</summary>
    private static int FirstNewer(List<Msg> messages, long tdId)
    {
        int lo = 0, hi = messages.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (TdMessageIds.FromServerId(messages[mid].Id) > tdId) hi = mid;
            else lo = mid + 1;
        }
        return lo;
    }

    /// <summary>A message being sent into <paramref name="chatId"/>: its updateNewMessage now, its outcome later; the answer.</summary>
    private JsonObject Send(long chatId, string text, Msg? forwardOf)
    {
        long tdId;
        JsonObject pending;
        lock (_sync)
        {
            var chat = ChatOf(chatId);
            var last = chat.Messages.Count == 0 ? 0 : chat.Messages[^1].Id;
            tdId = TdMessageIds.FromServerId(last) + ++_localIds; // a local id: not a multiple of 2^20
            pending = MessageJson(new Msg(chatId, 0, text, FirstDate + chat.Messages.Count, null) { Outgoing = true, ForwardOf = forwardOf });
            pending["id"] = tdId;
            pending["sending_state"] = new JsonObject { ["@type"] = "messageSendingStatePending", ["sending_id"] = 0 };
            _sending[(chatId, tdId)] = () => Settle(chatId, tdId, text, forwardOf);
        }
        Session.Push(new JsonObject { ["@type"] = "updateNewMessage", ["message"] = pending.DeepClone() }.ToJsonString());
        if (!HoldSends) _ = Task.Run(() =>
        {
            Action? settle;
            lock (_sync) _sending.Remove((chatId, tdId), out settle);
            settle?.Invoke();
        });
        return pending;
    }

    private void Settle(long chatId, long tdId, string text, Msg? forwardOf)
    {
        if (SendOutcome?.Invoke(chatId, text) is { } error)
        {
            var failed = MessageJson(new Msg(chatId, 0, text, FirstDate, null) { Outgoing = true, ForwardOf = forwardOf });
            failed["id"] = tdId;
            var retryAfter = error.Code == 429 && Tgwatch.Tdlib.Connector.FloodWait.Of(error.Message) is { } wait ? wait.TotalSeconds : 0;
            var tdError = new JsonObject { ["@type"] = "error", ["code"] = error.Code, ["message"] = error.Message };
            failed["sending_state"] = new JsonObject { ["@type"] = "messageSendingStateFailed", ["error"] = tdError.DeepClone(), ["can_retry"] = error.Code == 429,
                ["need_another_sender"] = false, ["need_another_reply_quote"] = false, ["need_drop_reply"] = false, ["required_paid_message_star_count"] = 0, ["retry_after"] = retryAfter };
            Session.Push(new JsonObject { ["@type"] = "updateMessageSendFailed", ["message"] = failed, ["old_message_id"] = tdId, ["error"] = tdError }.ToJsonString());
            return;
        }
        Msg m;
        lock (_sync)
        {
            var chat = ChatOf(chatId);
            m = new Msg(chatId, chat.Messages.Count == 0 ? 1 : chat.Messages[^1].Id + 1, text, FirstDate + chat.Messages.Count, null) { Outgoing = true, ForwardOf = forwardOf };
            chat.Messages.Add(m);
        }
        Session.Push(new JsonObject { ["@type"] = "updateMessageSendSucceeded", ["message"] = MessageJson(m), ["old_message_id"] = tdId }.ToJsonString());
    }

    private Msg? TryFind(long chatId, long tdId)
    {
        lock (_sync)
            return _chats.TryGetValue(chatId, out var c) ? c.Messages.FirstOrDefault(m => TdMessageIds.FromServerId(m.Id) == tdId) : null;
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

    /// <summary>A file of the world: TDLib's id, its unique id, its bytes and name.</summary>
    public sealed record WorldFile(int Id, string UniqueId, byte[] Bytes, string Name);

    private static long SupergroupId(long chatId) => -chatId - 1_000_000_000_000;

    public static JsonObject MessageJson(Msg m)
    {
        var o = new JsonObject
        {
            ["@type"] = "message",
            ["id"] = TdMessageIds.FromServerId(m.Id),
            ["sender_id"] = new JsonObject { ["@type"] = "messageSenderUser", ["user_id"] = m.Outgoing ? MeId : UserId },
            ["chat_id"] = m.ChatId,
            ["is_outgoing"] = m.Outgoing,
            ["is_pinned"] = false,
            ["is_channel_post"] = false,
            ["date"] = m.Date,
            ["edit_date"] = m.EditDate,
            ["content"] = m.File is { } file ? DocumentContent(file, m.Text) : Content(m.Text),
        };
        if (m.ForwardOf is { } of)
            o["forward_info"] = new JsonObject
            {
                ["@type"] = "messageForwardInfo",
                ["origin"] = new JsonObject { ["@type"] = "messageOriginChannel", ["chat_id"] = of.ChatId, ["message_id"] = TdMessageIds.FromServerId(of.Id), ["author_signature"] = "" },
                ["date"] = of.Date,
                ["public_service_announcement_type"] = "",
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

    /// <summary>A <c>messageDocument</c> as 1.8.65 shapes it: the document's file as TDLib first tells of it (nothing local yet).</summary>
    private static JsonObject DocumentContent(WorldFile file, string caption) => new()
    {
        ["@type"] = "messageDocument",
        ["document"] = new JsonObject
        {
            ["@type"] = "document", ["file_name"] = file.Name, ["mime_type"] = "application/pdf",
            ["document"] = FileJson(file, "", active: false, completed: false, downloaded: 0),
        },
        ["caption"] = new JsonObject { ["@type"] = "formattedText", ["text"] = caption, ["entities"] = new JsonArray() },
    };

    /// <summary>A <c>file</c> object (td_api.tl: id, size, expected_size, local, remote).</summary>
    public static JsonObject FileJson(WorldFile file, string path, bool active, bool completed, long downloaded) => new()
    {
        ["@type"] = "file", ["id"] = file.Id, ["size"] = file.Bytes.Length, ["expected_size"] = file.Bytes.Length,
        ["local"] = new JsonObject
        {
            ["@type"] = "localFile", ["path"] = path, ["can_be_downloaded"] = true, ["can_be_deleted"] = completed, ["is_downloading_active"] = active,
            ["is_downloading_completed"] = completed, ["download_offset"] = 0, ["downloaded_prefix_size"] = downloaded, ["downloaded_size"] = downloaded,
        },
        ["remote"] = new JsonObject
        {
            ["@type"] = "remoteFile", ["id"] = $"BQACAgIAAxkBAAI{file.Id}", ["unique_id"] = file.UniqueId, ["is_uploading_active"] = false,
            ["is_uploading_completed"] = true, ["uploaded_size"] = file.Bytes.Length,
        },
    };

    private sealed record Chat(long Id, string Title, string Type, string? Username)
    {
        public List<Msg> Messages { get; } = [];
    }

    public sealed record Msg(long ChatId, long Id, string Text, int Date, long? ReplyTo)
    {
        public int EditDate { get; init; }

        /// <summary>Sent by the account itself (is_outgoing).</summary>
        public bool Outgoing { get; init; }

        /// <summary>The message this one is a forward of.</summary>
        public Msg? ForwardOf { get; init; }

        /// <summary>The document the message carries (its text is the caption then).</summary>
        public WorldFile? File { get; init; }

        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{ChatId}/{Id}");
    }
}
