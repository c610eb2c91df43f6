namespace Tgwatch.Tdlib.Objects;

/// <summary>TDLib <c>chat</c> (id, type, title). A chat has no username of its own: it is the user's or the supergroup's.</summary>
internal sealed class TdChat
{
    public required long Id { get; init; }

    public required TdChatType Type { get; init; }

    public required string Title { get; init; }
}

/// <summary>TDLib <c>chats</c>: an answer of <c>getChats</c>.</summary>
internal sealed class TdChats
{
    public int TotalCount { get; init; }

    public required long[] ChatIds { get; init; }
}

/// <summary>TDLib <c>ChatType</c>.</summary>
internal abstract class TdChatType;

/// <summary><c>chatTypePrivate</c>.</summary>
internal sealed class TdChatTypePrivate : TdChatType
{
    public required long UserId { get; init; }
}

/// <summary><c>chatTypeBasicGroup</c>.</summary>
internal sealed class TdChatTypeBasicGroup : TdChatType
{
    public required long BasicGroupId { get; init; }
}

/// <summary><c>chatTypeSupergroup</c>: a supergroup or a channel.</summary>
internal sealed class TdChatTypeSupergroup : TdChatType
{
    public required long SupergroupId { get; init; }

    public required bool IsChannel { get; init; }
}

/// <summary><c>chatTypeSecret</c>.</summary>
internal sealed class TdChatTypeSecret : TdChatType
{
    public int SecretChatId { get; init; }

    public required long UserId { get; init; }
}

/// <summary>A chat type of a constructor newer than this code.</summary>
internal sealed class TdUnknownChatType(string type) : TdChatType
{
    public string Type { get; } = type;
}
