using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Tgwatch.Messages;
using Tgwatch.Tdlib.Objects;

namespace Tgwatch.Tdlib.Updates;

/// <summary>
/// Reads TDLib updates and answers of one account: each update gives exactly one <see cref="TdEvent"/>, users
/// and chats feed the <see cref="Directory"/>, messages are mapped to the model. Bad input gives a
/// <see cref="TdMalformedUpdate"/> (or a reason), never an exception. Thread-safe.
/// </summary>
public sealed class TdUpdateReader
{
    private const int MaxTypeName = 96;
    private static readonly TdJsonContext Json = TdJsonContext.Default;

    private static readonly Dictionary<string, UpdateType> Known = new(StringComparer.Ordinal)
    {
        ["updateNewMessage"] = UpdateType.NewMessage,
        ["updateMessageSendSucceeded"] = UpdateType.MessageSendSucceeded,
        ["updateMessageSendFailed"] = UpdateType.MessageSendFailed,
        ["updateMessageEdited"] = UpdateType.MessageEdited,
        ["updateMessageContent"] = UpdateType.MessageContent,
        ["updateDeleteMessages"] = UpdateType.DeleteMessages,
        ["updateConnectionState"] = UpdateType.ConnectionState,
        ["updateAuthorizationState"] = UpdateType.AuthorizationState,
        ["updateUser"] = UpdateType.User,
        ["updateNewChat"] = UpdateType.NewChat,
        ["updateChatTitle"] = UpdateType.ChatTitle,
        ["updateSupergroup"] = UpdateType.Supergroup,
        ["updateFile"] = UpdateType.File,
    };

    private static readonly Dictionary<string, UpdateType>.AlternateLookup<ReadOnlySpan<char>> KnownByName =
        Known.GetAlternateLookup<ReadOnlySpan<char>>();

    private readonly TdMessageMapper _mapper;

    private enum UpdateType
    {
        NewMessage, MessageSendSucceeded, MessageSendFailed, MessageEdited, MessageContent, DeleteMessages, ConnectionState,
        AuthorizationState, User, NewChat, ChatTitle, Supergroup, File,
    }

    /// <summary>A reader for <paramref name="account"/> (e.g. <c>user777</c>), with a new directory or a shared one.</summary>
    public TdUpdateReader(string account, TdDirectory? directory = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(account);
        Account = account;
        Directory = directory ?? new TdDirectory();
        _mapper = new TdMessageMapper(account, Directory);
    }

    /// <summary>The account written into records.</summary>
    public string Account { get; }

    /// <summary>The users and chats seen so far.</summary>
    public TdDirectory Directory { get; }

    /// <summary>What was read so far.</summary>
    public TdUpdateStats Stats { get; } = new();

    /// <summary>Reads one update (any JSON value): exactly one event, counted in <see cref="Stats"/>; never throws.</summary>
    public TdEvent Read(JsonElement update)
    {
        TdEvent result;
        try
        {
            result = ReadUpdate(update);
        }
        catch (Exception e) when (TdObjectReader.IsReadFailure(e))
        {
            result = new TdMalformedUpdate(null, $"unreadable update: {TdObjectReader.Reason(e)}");
        }
        if (result is not TdOtherUpdate) Stats.Add(KindOf(result));
        return result;
    }

    /// <summary>
    /// Reads a <c>message</c> of an answer (<c>getChatHistory</c>, <c>getMessage</c>, <c>getRepliedMessage</c>).
    /// Null, with <paramref name="malformed"/> saying why in one line, when it is not a readable message
    /// (a TDLib <c>error</c> object included); counted in <see cref="TdUpdateStats.MalformedMessages"/>.
    /// </summary>
    public TdMappedMessage? ReadMessage(JsonElement message, MessageKind kind, out string? malformed)
    {
        if (TdObjectReader.TryRead(message, Json.TdMessage, "message", out var m, out malformed)) return _mapper.Map(m, kind);
        Stats.AddMalformedMessage();
        return null;
    }

    /// <summary>
    /// Reads a <c>messages</c> answer (<c>getChatHistory</c>, <c>searchChatMessages</c>, ...) message by message:
    /// null entries (inaccessible messages) are skipped, an unreadable one is left out and its reason listed.
    /// </summary>
    public IReadOnlyList<TdMappedMessage> ReadMessages(JsonElement messages, MessageKind kind, out IReadOnlyList<string> malformed)
    {
        var problems = new List<string>();
        var read = new List<TdMappedMessage>();
        malformed = problems;
        if (!TryGetList(messages, "messages", "messages", out var list, out var why))
        {
            problems.Add(why);
            Stats.AddMalformedMessage();
            return read;
        }
        foreach (var item in list.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.Null) continue;
            if (ReadMessage(item, kind, out var reason) is { } m) read.Add(m);
            else problems.Add(reason!);
        }
        return read;
    }

    /// <summary>The chat ids of a <c>chats</c> answer (<c>getChats</c>), or null with the reason.</summary>
    public static IReadOnlyList<long>? ReadChatIds(JsonElement chats, out string? malformed) =>
        TdObjectReader.TryRead(chats, Json.TdChats, "chats", out var c, out malformed) ? c.ChatIds : null;

    /// <summary>The record of a deleted message: kind delete, <see cref="TgMessage.Date"/> = <paramref name="when"/>, chat from the directory.</summary>
    public TgMessage Deleted(long chatId, long tdMessageId, DateTimeOffset when) => _mapper.Deleted(chatId, tdMessageId, when);

    /// <summary>The kind of <paramref name="e"/> as <see cref="Stats"/> counts it.</summary>
    public static TdEventKind KindOf(TdEvent e) => e switch
    {
        TdNewMessage => TdEventKind.NewMessage,
        TdMessageSendSucceeded => TdEventKind.MessageSendSucceeded,
        TdMessageSendFailed => TdEventKind.MessageSendFailed,
        TdMessageEdited => TdEventKind.MessageEdited,
        TdMessageContentChanged => TdEventKind.MessageContentChanged,
        TdMessagesDeleted => TdEventKind.MessagesDeleted,
        TdConnectionChanged => TdEventKind.ConnectionChanged,
        TdAuthorizationChanged => TdEventKind.AuthorizationChanged,
        TdDirectoryChanged => TdEventKind.DirectoryChanged,
        TdFileUpdated => TdEventKind.FileUpdated,
        TdOtherUpdate => TdEventKind.Other,
        _ => TdEventKind.Malformed,
    };

    /// <summary>
    /// Reads what an update tells of users, chats and supergroups into the <see cref="Directory"/>, and nothing else (no message
    /// mapped, nothing counted): for a session whose messages nobody takes yet (a runner waiting as standby), since TDLib tells
    /// a session of each user and chat once. Never throws.
    /// </summary>
    public void ReadDirectory(JsonElement update)
    {
        if (!TdObjectReader.TryGetType(update, out var type)) return;
        if (!type.ValueEquals("updateUser"u8) && !type.ValueEquals("updateNewChat"u8) && !type.ValueEquals("updateChatTitle"u8)
            && !type.ValueEquals("updateSupergroup"u8))
            return;
        try
        {
            ReadUpdate(update);
        }
        catch (Exception e) when (TdObjectReader.IsReadFailure(e))
        {
            // A malformed one tells nothing; the connector says so of those it reads.
        }
    }

    private TdEvent ReadUpdate(JsonElement update)
    {
        if (update.ValueKind != JsonValueKind.Object)
            return new TdMalformedUpdate(null, $"an update must be a JSON object, not {update.ValueKind}");
        if (!update.TryGetProperty("@type"u8, out var typeElement))
            return new TdMalformedUpdate(null, "an update without @type");
        if (typeElement.ValueKind != JsonValueKind.String)
            return new TdMalformedUpdate(null, $"the @type of an update must be a string, not {typeElement.ValueKind}");

        // The name without allocating: the raw UTF-8 between the quotes, unless escaped or too long for a known name.
        Span<char> buffer = stackalloc char[MaxTypeName];
        var raw = JsonMarshal.GetRawUtf8Value(typeElement);
        string? typeName = null;
        scoped ReadOnlySpan<char> name;
        if (raw.Length - 2 <= MaxTypeName && raw.IndexOf((byte)'\\') < 0)
            name = buffer[..Encoding.UTF8.GetChars(raw[1..^1], buffer)];
        else
            name = typeName = typeElement.GetString()!;

        if (!KnownByName.TryGetValue(name, out var knownName, out var type))
            return new TdOtherUpdate(Stats.AddOther(name, typeName));
        string? why;
        switch (type)
        {
            case UpdateType.NewMessage:
                return TdObjectReader.TryRead(update, Json.TdUpdateNewMessage, knownName, out var n, out why)
                    ? new TdNewMessage(_mapper.Map(n.Message, MessageKind.New)) : new TdMalformedUpdate(knownName, why);
            case UpdateType.MessageSendSucceeded:
                return TdObjectReader.TryRead(update, Json.TdUpdateMessageSendSucceeded, knownName, out var sent, out why)
                    ? new TdMessageSendSucceeded(_mapper.Map(sent.Message, MessageKind.New), sent.OldMessageId) : new TdMalformedUpdate(knownName, why);
            case UpdateType.MessageSendFailed:
                return TdObjectReader.TryRead(update, Json.TdUpdateMessageSendFailed, knownName, out var failed, out why)
                    ? new TdMessageSendFailed(failed.Message.ChatId, failed.OldMessageId, failed.Error.Code, failed.Error.Message ?? "")
                    : new TdMalformedUpdate(knownName, why);
            case UpdateType.MessageEdited:
                return TdObjectReader.TryRead(update, Json.TdUpdateMessageEdited, knownName, out var edit, out why)
                    ? new TdMessageEdited(edit.ChatId, edit.MessageId, edit.EditDate != 0 ? DateTimeOffset.FromUnixTimeSeconds(edit.EditDate) : null)
                    : new TdMalformedUpdate(knownName, why);
            case UpdateType.MessageContent:
                return TdObjectReader.TryRead(update, Json.TdUpdateMessageContent, knownName, out var content, out why)
                    ? new TdMessageContentChanged(content.ChatId, content.MessageId) : new TdMalformedUpdate(knownName, why);
            case UpdateType.DeleteMessages:
                return TdObjectReader.TryRead(update, Json.TdUpdateDeleteMessages, knownName, out var del, out why)
                    ? new TdMessagesDeleted(del.ChatId, del.MessageIds, del.IsPermanent, del.FromCache) : new TdMalformedUpdate(knownName, why);
            case UpdateType.ConnectionState:
                return TdObjectReader.TryRead(update, Json.TdUpdateConnectionState, knownName, out var connection, out why)
                    ? new TdConnectionChanged(connection.State.State) : new TdMalformedUpdate(knownName, why);
            case UpdateType.AuthorizationState:
                return ReadAuthorization(update, knownName);
            case UpdateType.User:
                if (!TdObjectReader.TryRead(update, Json.TdUpdateUser, knownName, out var user, out why)) return new TdMalformedUpdate(knownName, why);
                Directory.Apply(user.User);
                return new TdDirectoryChanged(knownName);
            case UpdateType.NewChat:
                if (!TdObjectReader.TryRead(update, Json.TdUpdateNewChat, knownName, out var chat, out why)) return new TdMalformedUpdate(knownName, why);
                Directory.Apply(chat.Chat);
                return new TdDirectoryChanged(knownName);
            case UpdateType.ChatTitle:
                if (!TdObjectReader.TryRead(update, Json.TdUpdateChatTitle, knownName, out var title, out why)) return new TdMalformedUpdate(knownName, why);
                Directory.SetTitle(title.ChatId, title.Title);
                return new TdDirectoryChanged(knownName);
            case UpdateType.Supergroup:
                if (!TdObjectReader.TryRead(update, Json.TdUpdateSupergroup, knownName, out var group, out why)) return new TdMalformedUpdate(knownName, why);
                Directory.Apply(group.Supergroup);
                return new TdDirectoryChanged(knownName);
            case UpdateType.File:
                if (!update.TryGetProperty("file"u8, out var file)) return new TdMalformedUpdate(knownName, $"{knownName} without a file");
                return TdFileState.TryRead(file, out var state, out why) ? new TdFileUpdated(state) : new TdMalformedUpdate(knownName, $"{knownName}: {why}");
            default:
                return new TdOtherUpdate(knownName);
        }
    }

    private static TdEvent ReadAuthorization(JsonElement update, string type)
    {
        if (!update.TryGetProperty("authorization_state"u8, out var state) || state.ValueKind != JsonValueKind.Object)
            return new TdMalformedUpdate(type, $"{type}: authorization_state must be an object");
        if (!state.TryGetProperty("@type"u8, out var stateType) || stateType.ValueKind != JsonValueKind.String)
            return new TdMalformedUpdate(type, $"{type}: authorization_state has no string @type");
        return new TdAuthorizationChanged(stateType.GetString()!, state.Clone());
    }

    private static bool TryGetList(JsonElement answer, string type, string property, out JsonElement list, out string why)
    {
        list = default;
        why = "";
        if (answer.ValueKind != JsonValueKind.Object) why = $"a {type} answer must be a JSON object, not {answer.ValueKind}";
        else if (answer.TryGetProperty("@type"u8, out var t) && !(t.ValueKind == JsonValueKind.String && t.ValueEquals(type)))
            why = $"a {type} answer was expected, not {TdObjectReader.Describe(t)}";
        else if (!answer.TryGetProperty(property, out list) || list.ValueKind != JsonValueKind.Array)
            why = $"a {type} answer needs an array {property}";
        return why.Length == 0;
    }
}
