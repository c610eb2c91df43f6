using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tgwatch.Sandbox.Admin;
using Tgwatch.Sandbox.Api;
using Tgwatch.Sandbox.Faults;
using Tgwatch.Sandbox.Wire;

namespace Tgwatch.Sandbox.Bots;

internal sealed partial class BotState
{
    private const string Message = "message", EditedMessage = "edited_message", ChannelPost = "channel_post", EditedChannelPost = "edited_channel_post";

    private static readonly HashSet<string> OriginTypes = new(StringComparer.Ordinal) { "user", "hidden_user", "chat", "channel" };

    /// <summary>Who sends an injected group message when the injection names nobody.</summary>
    private static readonly WireUser DefaultSender = new(777000001, false, "Sandbox", "User", "sandbox_user");

    /// <summary>Injects a message (<paramref name="channel"/>: a channel post) and queues its update.</summary>
    public InjectedUpdate Inject(InjectMessage request, bool channel)
    {
        if (request.Text is null && request.Caption is null && !request.Photo && request.Document is null)
            throw new AdminException(400, "a message needs text, or a photo or document (with an optional caption)");
        if (request.Text is not null && (request.Photo || request.Document is not null))
            throw new AdminException(400, "a photo or document takes a caption, not text");
        if (request.TextRepeat is { } repeat && (request.Text is not { Length: > 0 } || repeat < 1 || (long)repeat * request.Text.Length > 1L << 30))
            throw new AdminException(400, "text_repeat: a text and a count of at least 1, at most 1 GiB of text in all");
        var text = request.TextRepeat is { } times ? new System.Text.StringBuilder(request.Text!.Length * times).Insert(0, request.Text, times).ToString() : request.Text;
        var origin = ForwardOrigin(request.ForwardOrigin);
        lock (_sync)
        {
            if (request.ReplyToMessageId is { } target && _chats.Find(request.ChatId) is null)
                throw new AdminException(400, $"reply_to_message_id {target}: no such message in chat {request.ChatId}");
            var chat = _chats.GetOrCreate(request.ChatId, request.Chat, channel);
            if (chat.Chat.IsChannel != channel)
                throw new AdminException(400, channel ? $"chat {chat.Chat.Id} is a {chat.Chat.Type}, not a channel: use /sandbox/messages"
                    : $"chat {chat.Chat.Id} is a channel: use /sandbox/channel-posts");
            WireMessage? replyTo = null;
            if (request.ReplyToMessageId is { } replyId)
                replyTo = chat.ReplyTarget(replyId) ?? throw new AdminException(400, $"reply_to_message_id {replyId}: no such message in chat {chat.Chat.Id}");
            var date = request.Date ?? Now;
            var message = new WireMessage
            {
                MessageId = chat.NextMessageId(),
                From = channel ? null : Sender(request.From, chat.Chat),
                SenderChat = channel ? chat.Chat : null,
                Date = date,
                Chat = chat.Chat,
                ForwardOrigin = origin,
                ReplyToMessage = replyTo,
                Text = text,
                Photo = request.Photo ? Photos() : null,
                Document = request.Document is { } d ? Document(d) : null,
                Caption = request.Caption,
            };
            chat.Store(message, sentByBot: false);
            return Queue(channel ? ChannelPost : Message, message);
        }
    }

    /// <summary>Injects an edit of a message that users sent (the bot gets no updates about its own messages).</summary>
    public InjectedUpdate Edit(InjectEdit request)
    {
        lock (_sync)
        {
            var chat = _chats.Find(request.ChatId) ?? throw new AdminException(404, $"no chat {request.ChatId}");
            var stored = chat.Find(request.MessageId) ?? throw new AdminException(404, $"no message {request.MessageId} in chat {request.ChatId}");
            if (stored.SentByBot) throw new AdminException(400, $"message {request.MessageId} was sent by the bot: Telegram sends no update for its edit");
            var old = stored.Message;
            var hasMedia = old.Photo is not null || old.Document is not null;
            if (hasMedia ? request.Text is not null : request.Caption is not null)
                throw new AdminException(400, hasMedia ? "the message is a photo or document: edit its caption" : "the message is text: edit its text");
            if (request.Text is null && request.Caption is null) throw new AdminException(400, "an edit needs text or a caption");
            var edited = old with
            {
                Text = request.Text ?? old.Text,
                Caption = request.Caption ?? old.Caption,
                EditDate = Math.Max(request.EditDate ?? Now, old.Date),
            };
            chat.Store(edited, sentByBot: false);
            return Queue(chat.Chat.IsChannel ? EditedChannelPost : EditedMessage, edited);
        }
    }

    /// <summary>Injects <see cref="InjectBulk.Count"/> text messages over the given chats, in one go.</summary>
    public BulkResult Bulk(InjectBulk request)
    {
        if (request.Count is < 1 or > 100_000) throw new AdminException(400, "count must be between 1 and 100000");
        if (request.ChatIds.Count == 0) throw new AdminException(400, "chat_ids must name at least one chat");
        var prefix = request.Text ?? "message";
        int queued = 0;
        int? first = null, last = null;
        lock (_sync)
        {
            var chats = request.ChatIds.Select(id => _chats.GetOrCreate(id, null, request.Channel)).ToList();
            if (chats.FirstOrDefault(c => c.Chat.IsChannel != request.Channel) is { } wrong)
                throw new AdminException(400, $"chat {wrong.Chat.Id} is a {wrong.Chat.Type}: channel is {(request.Channel ? "true" : "false")}");
            var date = Now;
            for (var i = 1; i <= request.Count; i++)
            {
                var chat = chats[(i - 1) % chats.Count];
                var message = new WireMessage
                {
                    MessageId = chat.NextMessageId(),
                    From = request.Channel ? null : Sender(null, chat.Chat),
                    SenderChat = request.Channel ? chat.Chat : null,
                    Date = date,
                    Chat = chat.Chat,
                    Text = string.Create(CultureInfo.InvariantCulture, $"{prefix} {i}"),
                };
                chat.Store(message, sentByBot: false);
                if (Queue(request.Channel ? ChannelPost : Message, message).UpdateId is { } id)
                {
                    queued++;
                    first ??= id;
                    last = id;
                }
            }
        }
        return new BulkResult(request.Count, queued, first, last);
    }

    /// <summary>Queues <paramref name="count"/> malformed updates (whatever the allowed_updates filter says: they are faults).</summary>
    public IReadOnlyList<int> InjectMalformed(MalformedShape shape, int count)
    {
        var ids = new List<int>(count);
        lock (_sync)
        {
            for (var i = 0; i < count; i++)
            {
                var date = Now;
                var (kind, body) = MalformedUpdates.Build(shape, date);
                var id = _queue.Enqueue(kind, id => MalformedUpdates.Json(id, kind, body), ignoreFilter: true)!.Value;
                _injected.Add(new InjectedUpdate(id, kind, 0, 0, date, null, null, Malformed: true));
                ids.Add(id);
            }
        }
        return ids;
    }

    public IReadOnlyList<InjectedUpdate> Injected()
    {
        lock (_sync) return [.. _injected];
    }

    public IReadOnlyList<WireMessage> Sent()
    {
        lock (_sync) return [.. _sent];
    }

    /// <summary>sendMessage: stores the bot's message in the chat and returns it (no update: a bot does not receive its own messages).</summary>
    public BotResponse SendMessage(BotParameters p)
    {
        var chatId = p.GetString("chat_id") ?? throw new BadRequestException("chat_id is empty");
        var text = p.GetString("text") ?? throw new BadRequestException("message text is empty");
        if (text.Length > 4096) throw new BadRequestException("message is too long");
        var reply = p.GetObject("reply_parameters");
        int? replyId = reply is { } r && r.TryGetProperty("message_id", out var m) && m.TryGetInt32(out var id) ? id : p.GetInt32("reply_to_message_id");
        var withoutReply = reply is { } r2 && r2.TryGetProperty("allow_sending_without_reply", out var a) && a.ValueKind == System.Text.Json.JsonValueKind.True
            || p.GetBoolean("allow_sending_without_reply");
        lock (_sync)
        {
            var chat = _chats.Find(chatId) ?? throw new BadRequestException("chat not found");
            WireMessage? replyTo = null;
            if (replyId is { } rid)
            {
                replyTo = chat.ReplyTarget(rid);
                if (replyTo is null && !withoutReply) throw new BadRequestException("message to be replied not found");
            }
            var message = new WireMessage
            {
                MessageId = chat.NextMessageId(),
                From = chat.Chat.IsChannel ? null : Me.AsSender(),
                SenderChat = chat.Chat.IsChannel ? chat.Chat : null,
                Date = Now,
                Chat = chat.Chat,
                ReplyToMessage = replyTo,
                Text = text,
            };
            chat.Store(message, sentByBot: true);
            _sent.Add(message);
            return BotResponse.Ok(message);
        }
    }

    /// <summary>
    /// forwardMessage: a copy of a message of <c>from_chat_id</c> in <c>chat_id</c>, sent by the bot, with the Bot API's
    /// <c>forward_origin</c> (the original's sender, or its channel and id); recorded as sent (no update, as for sendMessage).
    /// </summary>
    public BotResponse ForwardMessage(BotParameters p)
    {
        var chatId = p.GetString("chat_id") ?? throw new BadRequestException("chat_id is empty");
        var fromChatId = p.GetString("from_chat_id") ?? throw new BadRequestException("from_chat_id is empty");
        var messageId = p.GetInt32("message_id") ?? throw new BadRequestException("message identifier is not specified");
        lock (_sync)
        {
            var chat = _chats.Find(chatId) ?? throw new BadRequestException("chat not found");
            var from = _chats.Find(fromChatId) ?? throw new BadRequestException("chat not found");
            var original = from.ReplyTarget(messageId) ?? throw new BadRequestException("message to forward not found");
            var origin = original.SenderChat is { IsChannel: true } channel
                ? new JsonObject { ["type"] = "channel", ["date"] = original.Date, ["chat"] = JsonSerializer.SerializeToNode(channel, WireJson.Options), ["message_id"] = original.MessageId }
                : original.From is { } user
                    ? new JsonObject { ["type"] = "user", ["date"] = original.Date, ["sender_user"] = JsonSerializer.SerializeToNode(user, WireJson.Options) }
                    : new JsonObject { ["type"] = "chat", ["date"] = original.Date, ["sender_chat"] = JsonSerializer.SerializeToNode(from.Chat, WireJson.Options) };
            var message = new WireMessage
            {
                MessageId = chat.NextMessageId(),
                From = chat.Chat.IsChannel ? null : Me.AsSender(),
                SenderChat = chat.Chat.IsChannel ? chat.Chat : null,
                Date = Now,
                Chat = chat.Chat,
                ForwardOrigin = original.ForwardOrigin?.DeepClone().AsObject() ?? origin,
                Text = original.Text,
                Photo = original.Photo,
                Document = original.Document,
                Caption = original.Caption,
            };
            chat.Store(message, sentByBot: true);
            _sent.Add(message);
            return BotResponse.Ok(message);
        }
    }

    public BotResponse GetChat(BotParameters p)
    {
        var chatId = p.GetString("chat_id") ?? throw new BadRequestException("chat_id is empty");
        lock (_sync)
        {
            var chat = _chats.Find(chatId) ?? throw new BadRequestException("chat not found");
            return BotResponse.Ok(WireChatFullInfo.Of(chat.Chat));
        }
    }

    /// <summary>Queues the update for <paramref name="message"/> and records the injection (called under the lock).</summary>
    private InjectedUpdate Queue(string kind, WireMessage message)
    {
        var id = _queue.Enqueue(kind, id => UpdateJson.Of(id, kind, message));
        var injected = new InjectedUpdate(id, kind, message.Chat.Id, message.MessageId, message.Date, message.EditDate, message.Text ?? message.Caption);
        _injected.Add(injected);
        return injected;
    }

    private static WireUser Sender(SandboxUser? from, WireChat chat) =>
        from is not null ? new WireUser(from.Id, from.IsBot, from.FirstName, from.LastName, from.Username)
        : chat.Type == WireChat.Private ? new WireUser(chat.Id, false, chat.FirstName ?? $"User {chat.Id}", chat.LastName, chat.Username)
        : DefaultSender;

    private JsonObject? ForwardOrigin(JsonObject? origin)
    {
        if (origin is null) return null;
        var copy = (JsonObject)origin.DeepClone();
        if (copy["type"] is not JsonValue type || !type.TryGetValue<string>(out var name) || !OriginTypes.Contains(name))
            throw new AdminException(400, "forward_origin.type must be user, hidden_user, chat or channel");
        if (!copy.ContainsKey("date")) copy["date"] = Now;
        return copy;
    }

    private List<WirePhotoSize> Photos()
    {
        var (small, large) = (Guid.NewGuid().ToString("N"), Guid.NewGuid().ToString("N"));
        List<WirePhotoSize> sizes = [new("SANDBOX-photo-" + small, "Up" + small[..14], 90, 67, 1_234), new("SANDBOX-photo-" + large, "Up" + large[..14], 1280, 960, 98_765)];
        foreach (var size in sizes) Files.Add(size.FileId, size.FileUniqueId, size.FileSize, "photos", "jpg");
        return sizes;
    }

    private WireDocument Document(SandboxDocument d)
    {
        var file = Guid.NewGuid().ToString("N");
        var name = d.FileName ?? "file.bin";
        var document = new WireDocument("SANDBOX-document-" + file, "Ud" + file[..14], name, d.MimeType ?? "application/octet-stream", d.FileSize ?? 4_096);
        var ext = Path.GetExtension(name).TrimStart('.');
        Files.Add(document.FileId, document.FileUniqueId, document.FileSize, "documents", ext.Length == 0 ? "bin" : ext);
        return document;
    }

    /// <summary>The files of this bot's messages.</summary>
    public FileStore Files { get; } = new();

    /// <summary><c>getFile</c>: the file's path for a download, for files up to 20 MB.</summary>
    public BotResponse GetFile(string? fileId)
    {
        if (string.IsNullOrEmpty(fileId)) return BotResponse.BadRequest("file_id is empty");
        if (Files.ById(fileId) is not { } file) return BotResponse.BadRequest("invalid file_id");
        return file.FileSize > FileStore.MaxDownload ? BotResponse.BadRequest("file is too big") : BotResponse.Ok(file);
    }
}
