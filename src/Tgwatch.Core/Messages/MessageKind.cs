namespace Tgwatch.Messages;

/// <summary>What happened to a message.</summary>
public enum MessageKind
{
    /// <summary>A new message (JSON <c>"new"</c>).</summary>
    New,

    /// <summary>An edit of a message (JSON <c>"edit"</c>); <see cref="TgMessage.EditDate"/> tells which one.</summary>
    Edit,

    /// <summary>A deletion (JSON <c>"delete"</c>).</summary>
    Delete,
}
