using Tgwatch.Messages;

namespace Tgwatch.Pipeline.Filters;

/// <summary>Keeps messages from the given senders, by id or @username (case-insensitive).</summary>
public sealed class SenderFilter : IMessageFilter
{
    private readonly HashSet<long> _ids = [];
    private readonly HashSet<string> _usernames = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>A filter for the given senders.</summary>
    /// <exception cref="ArgumentException">A sender is neither an integer id nor an @username (one-line message).</exception>
    public SenderFilter(IEnumerable<string> senders)
    {
        ArgumentNullException.ThrowIfNull(senders);
        foreach (var sender in senders) ChatFilter.AddTo(_ids, _usernames, sender, "sender");
    }

    /// <inheritdoc />
    public bool Accepts(TgMessage message) =>
        message.Sender is { } s && (_ids.Contains(s.Id) || s.Username is { } u && _usernames.Contains(u));
}
