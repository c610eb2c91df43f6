using System.Text.Json.Serialization;

namespace Tgwatch.Tdlib.Functions;

/// <summary><c>getMe</c>: the logged-in user (or bot).</summary>
public sealed record GetMe : TdFunction;

/// <summary><c>getUser</c>.</summary>
/// <param name="UserId">The user.</param>
public sealed record GetUser(long UserId) : TdFunction;

/// <summary><c>getSupergroup</c>.</summary>
/// <param name="SupergroupId">The supergroup (or channel); not its chat id.</param>
public sealed record GetSupergroup(long SupergroupId) : TdFunction;

/// <summary><c>getChat</c>.</summary>
/// <param name="ChatId">The chat.</param>
public sealed record GetChat(long ChatId) : TdFunction;

/// <summary><c>searchPublicChat</c>: the chat of a public username.</summary>
/// <param name="Username">The username, without '@'.</param>
public sealed record SearchPublicChat(string Username) : TdFunction;

/// <summary><c>searchChats</c>: known chats whose title or username matches.</summary>
/// <param name="Query">What to look for.</param>
/// <param name="TypeFilter">Only chats of this type; null: every type.</param>
/// <param name="Limit">The most chats returned.</param>
public sealed record SearchChats(string Query, SearchChatTypeFilter? TypeFilter, int Limit) : TdFunction;

/// <summary><c>loadChats</c>: loads more chats of a list (TDLib answers 404 once every chat is loaded).</summary>
/// <param name="ChatList">The list.</param>
/// <param name="Limit">How many chats to load.</param>
public sealed record LoadChats(ChatList ChatList, int Limit) : TdFunction;

/// <summary><c>getChats</c>: the ids of the loaded chats of a list, in its order.</summary>
/// <param name="ChatList">The list.</param>
/// <param name="Limit">The most chats returned.</param>
public sealed record GetChats(ChatList ChatList, int Limit) : TdFunction;

/// <summary><c>openChat</c>: the chat is watched, so TDLib keeps its updates coming in real time.</summary>
/// <param name="ChatId">The chat.</param>
public sealed record OpenChat(long ChatId) : TdFunction;

/// <summary><c>ChatList</c>: a list of chats.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "@type")]
[JsonDerivedType(typeof(ChatListMain), "chatListMain")]
[JsonDerivedType(typeof(ChatListArchive), "chatListArchive")]
public abstract record ChatList
{
    private protected ChatList()
    {
    }
}

/// <summary><c>chatListMain</c>.</summary>
public sealed record ChatListMain : ChatList;

/// <summary><c>chatListArchive</c>.</summary>
public sealed record ChatListArchive : ChatList;

/// <summary><c>SearchChatTypeFilter</c>: which chats a search returns.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "@type")]
[JsonDerivedType(typeof(SearchChatTypeFilterBot), "searchChatTypeFilterBot")]
[JsonDerivedType(typeof(SearchChatTypeFilterChannel), "searchChatTypeFilterChannel")]
public abstract record SearchChatTypeFilter
{
    private protected SearchChatTypeFilter()
    {
    }
}

/// <summary><c>searchChatTypeFilterBot</c>: chats with bots.</summary>
public sealed record SearchChatTypeFilterBot : SearchChatTypeFilter;

/// <summary><c>searchChatTypeFilterChannel</c>: channels.</summary>
public sealed record SearchChatTypeFilterChannel : SearchChatTypeFilter;
