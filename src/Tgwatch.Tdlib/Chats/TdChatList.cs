using System.Globalization;
using System.Text;
using System.Text.Json;
using Tgwatch.Tdlib.Functions;

namespace Tgwatch.Tdlib.Chats;

/// <summary>One chat as <c>tgwatch chats</c> lists it.</summary>
/// <param name="Id">The chat id (the Bot API's number: -100… for channels and supergroups).</param>
/// <param name="Type">private, group, supergroup, channel or secret.</param>
/// <param name="Title">The title (a user's name for a private chat).</param>
/// <param name="Username">The primary public username without '@'; null when none.</param>
public sealed record TdChatSummary(long Id, string Type, string Title, string? Username)
{
    /// <summary>The listing line: id, type, title and @username separated by tabs (the username empty when none); tabs and line breaks in the title become spaces.</summary>
    public string ToLine() =>
        string.Create(CultureInfo.InvariantCulture, $"{Id}\t{Type}\t{OneLine(Title)}\t{(Username is null ? "" : "@" + Username)}");

    private static string OneLine(string text)
    {
        if (!text.Any(char.IsControl)) return text;
        var b = new StringBuilder(text.Length);
        foreach (var c in text) b.Append(char.IsControl(c) ? ' ' : c);
        return b.ToString();
    }
}

/// <summary>
/// The chats of a logged-in account: <c>loadChats</c> on the main list and the archive until TDLib answers 404
/// (all loaded), then <c>getChats</c> for their ids in list order, or <c>searchChats</c> (and <c>searchPublicChat</c>
/// for an @username) to search; <c>getChat</c> per id, <c>getUser</c>/<c>getSupergroup</c> for the username.
/// The session's updates are not read here: the caller keeps reading them.
/// </summary>
public static class TdChatList
{
    /// <summary>How many chats one <c>loadChats</c> asks for.</summary>
    public const int LoadBatch = 100;

    /// <summary>The most chats listed per chat list, and the most search results.</summary>
    public const int MaxChats = 10_000;

    private static readonly ChatList[] Lists = [new ChatListMain(), new ChatListArchive()];

    /// <summary>Every chat of the main list then the archive (or, with <paramref name="search"/>, the chats that match), each once.</summary>
    /// <param name="session">An authorized session.</param>
    /// <param name="search">Text to look for in titles and usernames; "@name" also looks up that public username. Null: all chats.</param>
    /// <param name="requestTimeout">How long each request may take.</param>
    /// <param name="ct">Cancels the listing.</param>
    public static async Task<IReadOnlyList<TdChatSummary>> ListAsync(ITdSession session, string? search, TimeSpan requestTimeout, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        var ids = new List<long>();
        foreach (var list in Lists)
        {
            await LoadAllAsync(session, list, requestTimeout, ct).ConfigureAwait(false);
            if (search is null)
                ids.AddRange(ChatIds(await session.SendAsync(new GetChats(list, MaxChats), requestTimeout, ct).ConfigureAwait(false)));
        }
        if (search is not null) ids.AddRange(await SearchAsync(session, search, requestTimeout, ct).ConfigureAwait(false));
        var chats = new List<TdChatSummary>();
        foreach (var id in ids.Distinct())
            chats.Add(await DescribeAsync(session, id, requestTimeout, ct).ConfigureAwait(false));
        return chats;
    }

    /// <summary>One chat: <c>getChat</c>, then the username of its user or supergroup.</summary>
    public static async Task<TdChatSummary> DescribeAsync(ITdSession session, long chatId, TimeSpan requestTimeout, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        var chat = await session.SendAsync(new GetChat(chatId), requestTimeout, ct).ConfigureAwait(false);
        var title = chat.TryGetProperty("title", out var t) ? t.GetString() ?? "" : "";
        var chatType = chat.GetProperty("type");
        (string type, TdFunction? owner) = chatType.GetProperty("@type").GetString() switch
        {
            "chatTypePrivate" => ("private", new GetUser(chatType.GetProperty("user_id").GetInt64())),
            "chatTypeSecret" => ("secret", new GetUser(chatType.GetProperty("user_id").GetInt64())),
            "chatTypeBasicGroup" => ("group", (TdFunction?)null),
            "chatTypeSupergroup" => (chatType.TryGetProperty("is_channel", out var c) && c.GetBoolean() ? "channel" : "supergroup",
                new GetSupergroup(chatType.GetProperty("supergroup_id").GetInt64())),
            var other => (other ?? "unknown", (TdFunction?)null),
        };
        string? username = null;
        if (owner is not null)
        {
            try
            {
                username = PrimaryUsername(await session.SendAsync(owner, requestTimeout, ct).ConfigureAwait(false));
            }
            catch (TdlibErrorException)
            {
                // The user or supergroup is not known to TDLib: listed without a username.
            }
        }
        return new TdChatSummary(chat.GetProperty("id").GetInt64(), type, title, username);
    }

    private static async Task LoadAllAsync(ITdSession session, ChatList list, TimeSpan requestTimeout, CancellationToken ct)
    {
        for (var loaded = 0; loaded < MaxChats; loaded += LoadBatch)
        {
            try
            {
                await session.SendAsync(new LoadChats(list, LoadBatch), requestTimeout, ct).ConfigureAwait(false);
            }
            catch (TdlibErrorException e) when (e.Code == 404)
            {
                return; // every chat of the list is loaded
            }
        }
    }

    private static async Task<IEnumerable<long>> SearchAsync(ITdSession session, string search, TimeSpan requestTimeout, CancellationToken ct)
    {
        var query = search.TrimStart('@');
        var found = ChatIds(await session.SendAsync(
            new SearchChats(query, TypeFilter: null, MaxChats), requestTimeout, ct).ConfigureAwait(false)).ToList();
        if (search.StartsWith('@') && query.Length > 0)
        {
            try
            {
                var chat = await session.SendAsync(new SearchPublicChat(query), requestTimeout, ct).ConfigureAwait(false);
                found.Add(chat.GetProperty("id").GetInt64());
            }
            catch (TdlibErrorException e) when (e.Code is 400 or 404)
            {
                // No public chat has that username.
            }
        }
        return found;
    }

    private static IEnumerable<long> ChatIds(JsonElement chats) =>
        chats.TryGetProperty("chat_ids", out var ids) ? ids.EnumerateArray().Select(i => i.GetInt64()).ToList() : [];

    private static string? PrimaryUsername(JsonElement owner) =>
        owner.TryGetProperty("usernames", out var u) && u.ValueKind == JsonValueKind.Object
        && u.TryGetProperty("active_usernames", out var active) && active.ValueKind == JsonValueKind.Array && active.GetArrayLength() > 0
            ? active[0].GetString()
            : null;
}
