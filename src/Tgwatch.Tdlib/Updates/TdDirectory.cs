using System.Collections.Concurrent;
using System.Text.Json;
using Tgwatch.Messages;
using Tgwatch.Tdlib.Objects;

namespace Tgwatch.Tdlib.Updates;

/// <summary>
/// The users, chats and supergroups TDLib told about (<c>updateUser</c>, <c>updateNewChat</c>,
/// <c>updateChatTitle</c>, <c>updateSupergroup</c>, and answers of <c>getChat</c>/<c>getUser</c>/<c>getSupergroup</c>),
/// giving chats and senders the values the Bot API connector writes for them. Unknown ids give records with
/// only the id. Thread-safe.
/// </summary>
public sealed class TdDirectory
{
    private readonly ConcurrentDictionary<long, UserEntry> _users = new();
    private readonly ConcurrentDictionary<long, ChatEntry> _chats = new();
    private readonly ConcurrentDictionary<long, SupergroupEntry> _supergroups = new();

    private sealed record UserEntry(string? Name, string? Username);

    private enum ChatKind { Unknown, Private, Group, Supergroup, Channel }

    private sealed record ChatEntry(ChatKind Kind, string? Title, long UserId = 0, long SupergroupId = 0);

    private sealed record SupergroupEntry(string? Username, bool IsChannel);

    /// <summary>How many users are known.</summary>
    public int UserCount => _users.Count;

    /// <summary>How many chats are known.</summary>
    public int ChatCount => _chats.Count;

    /// <summary>
    /// The chat as the Bot API describes it: type <c>private</c> (also for secret chats), <c>group</c>,
    /// <c>supergroup</c> or <c>channel</c>; title (the other party's name in a private chat); the primary
    /// @username of the user or supergroup. An unknown chat gives only its id.
    /// </summary>
    public ChatInfo Chat(long chatId)
    {
        if (!_chats.TryGetValue(chatId, out var chat)) return new ChatInfo(chatId);
        switch (chat.Kind)
        {
            case ChatKind.Private:
                var user = _users.GetValueOrDefault(chat.UserId);
                return new ChatInfo(chatId, "private", user?.Name ?? NullIfEmpty(chat.Title), user?.Username);
            case ChatKind.Supergroup or ChatKind.Channel:
                var group = _supergroups.GetValueOrDefault(chat.SupergroupId);
                var channel = group?.IsChannel ?? chat.Kind == ChatKind.Channel;
                return new ChatInfo(chatId, channel ? "channel" : "supergroup", NullIfEmpty(chat.Title), group?.Username);
            case ChatKind.Group:
                return new ChatInfo(chatId, "group", NullIfEmpty(chat.Title));
            default:
                return new ChatInfo(chatId, null, NullIfEmpty(chat.Title));
        }
    }

    /// <summary>A user as a sender: id, "First Last", primary @username. An unknown user gives only the id.</summary>
    public SenderInfo User(long userId) =>
        _users.TryGetValue(userId, out var user) ? new SenderInfo(userId, user.Name, user.Username) : new SenderInfo(userId);

    /// <summary>A chat as a sender (a channel post, an anonymous administrator): id, title, @username.</summary>
    public SenderInfo ChatAsSender(long chatId)
    {
        var chat = Chat(chatId);
        return new SenderInfo(chatId, chat.Title, chat.Username);
    }

    /// <summary>Applies a TDLib <c>user</c>, <c>chat</c> or <c>supergroup</c> object (e.g. an answer of <c>getChat</c>).</summary>
    /// <param name="value">The object.</param>
    /// <param name="malformed">Why it was not applied, in one line.</param>
    /// <returns>True when applied.</returns>
    public bool TryApply(JsonElement value, out string? malformed)
    {
        var type = TdObjectReader.TryGetType(value, out var t) ? t.GetString() : null;
        switch (type)
        {
            case "user": return TryApplyUser(value, out malformed);
            case "chat": return TryApplyChat(value, out malformed);
            case "supergroup": return TryApplySupergroup(value, out malformed);
            default:
                malformed = type is null ? "not a TDLib object with an @type" : $"\"{type}\" is not a user, chat or supergroup";
                return false;
        }
    }

    /// <summary>Applies a TDLib <c>user</c> object (e.g. an answer of <c>getUser</c>).</summary>
    public bool TryApplyUser(JsonElement user, out string? malformed) =>
        TdObjectReader.TryRead(user, TdJsonContext.Default.TdUser, "user", out var value, out malformed) && Apply(value);

    /// <summary>Applies a TDLib <c>chat</c> object (e.g. an answer of <c>getChat</c>).</summary>
    public bool TryApplyChat(JsonElement chat, out string? malformed) =>
        TdObjectReader.TryRead(chat, TdJsonContext.Default.TdChat, "chat", out var value, out malformed) && Apply(value);

    /// <summary>Applies a TDLib <c>supergroup</c> object (e.g. an answer of <c>getSupergroup</c>).</summary>
    public bool TryApplySupergroup(JsonElement supergroup, out string? malformed) =>
        TdObjectReader.TryRead(supergroup, TdJsonContext.Default.TdSupergroup, "supergroup", out var value, out malformed) && Apply(value);

    internal bool Apply(TdUser user)
    {
        _users[user.Id] = new UserEntry(NameOf(user.FirstName, user.LastName), user.Usernames?.Primary);
        return true;
    }

    internal bool Apply(TdChat chat)
    {
        _chats[chat.Id] = chat.Type switch
        {
            TdChatTypePrivate p => new ChatEntry(ChatKind.Private, chat.Title, UserId: p.UserId),
            TdChatTypeSecret s => new ChatEntry(ChatKind.Private, chat.Title, UserId: s.UserId),
            TdChatTypeBasicGroup => new ChatEntry(ChatKind.Group, chat.Title),
            TdChatTypeSupergroup g => new ChatEntry(g.IsChannel ? ChatKind.Channel : ChatKind.Supergroup, chat.Title, SupergroupId: g.SupergroupId),
            _ => new ChatEntry(ChatKind.Unknown, chat.Title),
        };
        return true;
    }

    internal bool Apply(TdSupergroup supergroup)
    {
        _supergroups[supergroup.Id] = new SupergroupEntry(supergroup.Usernames?.Primary, supergroup.IsChannel);
        return true;
    }

    internal void SetTitle(long chatId, string title) =>
        _chats.AddOrUpdate(chatId, static (_, t) => new ChatEntry(ChatKind.Unknown, t), static (_, old, t) => old with { Title = t }, title);

    /// <summary>"First Last" as the Bot API connector writes it: either part alone when the other is empty; null when both are.</summary>
    internal static string? NameOf(string? first, string? last) =>
        (string.IsNullOrEmpty(first), string.IsNullOrEmpty(last)) switch
        {
            (true, true) => null,
            (true, false) => last,
            (false, true) => first,
            _ => $"{first} {last}",
        };

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;
}
