using Tgwatch.Sandbox.Admin;
using Tgwatch.Sandbox.Wire;

namespace Tgwatch.Sandbox.Bots;

/// <summary>A bot's chats and their messages (not thread-safe: its <see cref="BotState"/> holds the lock).</summary>
internal sealed class ChatBook
{
    private readonly Dictionary<long, ChatEntry> _chats = [];

    public ChatEntry? Find(long id) => _chats.GetValueOrDefault(id);

    /// <summary>A chat by <c>@username</c> or by id written as text (a sendMessage chat_id).</summary>
    public ChatEntry? Find(string chatId) =>
        chatId.StartsWith('@')
            ? _chats.Values.FirstOrDefault(c => string.Equals(c.Chat.Username, chatId[1..], StringComparison.OrdinalIgnoreCase))
            : long.TryParse(chatId, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var id) ? Find(id) : null;

    /// <summary>The chat <paramref name="id"/>, created on first use; <paramref name="look"/> updates its title and names.</summary>
    public ChatEntry GetOrCreate(long id, SandboxChat? look, bool channel)
    {
        if (id == 0) throw new AdminException(400, "chat_id must not be 0");
        var type = look?.Type ?? _chats.GetValueOrDefault(id)?.Chat.Type ?? WireChat.TypeFor(id, channel);
        if (!WireChat.IsKnownType(type)) throw new AdminException(400, $"chat type '{type}' is not one of private, group, supergroup, channel");
        if ((type == WireChat.Private) != (id > 0)) throw new AdminException(400, $"chat {id}: private chats have positive ids, groups and channels negative ones");
        if (_chats.TryGetValue(id, out var entry))
        {
            if (entry.Chat.Type != type) throw new AdminException(400, $"chat {id} is a {entry.Chat.Type}, not a {type}");
            if (look is not null)
            {
                entry.Chat = entry.Chat with
                {
                    Title = look.Title ?? entry.Chat.Title,
                    Username = look.Username ?? entry.Chat.Username,
                    FirstName = look.FirstName ?? entry.Chat.FirstName,
                    LastName = look.LastName ?? entry.Chat.LastName,
                };
            }
        }
        else
        {
            var chat = type == WireChat.Private
                ? new WireChat(id, type, null, look?.Username, look?.FirstName ?? $"User {id}", look?.LastName)
                : new WireChat(id, type, look?.Title ?? $"Sandbox {type} {id}", look?.Username);
            _chats[id] = entry = new ChatEntry(chat);
        }
        return entry;
    }
}

/// <summary>One chat: how it looks, its messages, the next message id.</summary>
internal sealed class ChatEntry(WireChat chat)
{
    private readonly Dictionary<int, StoredMessage> _messages = [];
    private int _nextMessageId = 1;

    public WireChat Chat { get; set; } = chat;

    public int NextMessageId() => _nextMessageId++;

    public StoredMessage? Find(int messageId) => _messages.GetValueOrDefault(messageId);

    public void Store(WireMessage message, bool sentByBot) => _messages[message.MessageId] = new StoredMessage(message, sentByBot);

    /// <summary>The message <paramref name="messageId"/> as <c>reply_to_message</c>: its current version, one level deep.</summary>
    public WireMessage? ReplyTarget(int messageId) => Find(messageId) is { } stored ? stored.Message with { ReplyToMessage = null } : null;
}

/// <summary>A message as the chat holds it now (edits replace it), and whether the bot sent it.</summary>
internal sealed record StoredMessage(WireMessage Message, bool SentByBot);
