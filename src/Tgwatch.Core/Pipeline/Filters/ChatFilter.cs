using System.Globalization;
using Tgwatch.Messages;

namespace Tgwatch.Pipeline.Filters;

/// <summary>Keeps messages of the given chats, named by id (<c>-1001234567890</c>) or @username (case-insensitive).</summary>
public sealed class ChatFilter : IMessageFilter
{
    private readonly HashSet<long> _ids = [];
    private readonly HashSet<string> _usernames = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>A filter for the given chats.</summary>
    /// <exception cref="ArgumentException">A chat is neither an integer id nor an @username (one-line message).</exception>
    public ChatFilter(IEnumerable<string> chats)
    {
        ArgumentNullException.ThrowIfNull(chats);
        foreach (var chat in chats) AddTo(_ids, _usernames, chat, "chat");
    }

    /// <inheritdoc />
    public bool Accepts(TgMessage message) =>
        _ids.Contains(message.Chat.Id) || message.Chat.Username is { } u && _usernames.Contains(u);

    internal static void AddTo(HashSet<long> ids, HashSet<string> usernames, string value, string what)
    {
        var text = value?.Trim() ?? "";
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var id)) ids.Add(id);
        else if (text.StartsWith('@') && text.Length > 1 && text[1..].All(c => char.IsAsciiLetterOrDigit(c) || c == '_')) usernames.Add(text[1..]);
        else throw new ArgumentException($"{what} \"{value}\" is neither a numeric id nor an @username");
    }
}
