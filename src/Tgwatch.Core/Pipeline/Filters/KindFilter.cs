using Tgwatch.Messages;

namespace Tgwatch.Pipeline.Filters;

/// <summary>Keeps messages of the given kinds (new, edit, delete).</summary>
/// <param name="kinds">The kinds to keep.</param>
public sealed class KindFilter(IEnumerable<MessageKind> kinds) : IMessageFilter
{
    private readonly HashSet<MessageKind> _kinds = [.. kinds];

    /// <summary>Parses kind names (<c>new</c>, <c>edit</c>, <c>delete</c>).</summary>
    /// <exception cref="ArgumentException">An unknown name (one-line message).</exception>
    public static KindFilter Parse(IEnumerable<string> names) => new(names.Select(n => n.Trim().ToLowerInvariant() switch
    {
        "new" => MessageKind.New,
        "edit" => MessageKind.Edit,
        "delete" => MessageKind.Delete,
        _ => throw new ArgumentException($"kind \"{n}\" is not one of new, edit, delete"),
    }));

    /// <inheritdoc />
    public bool Accepts(TgMessage message) => _kinds.Contains(message.IsUpdate ? MessageKind.Edit : message.Kind);
}
