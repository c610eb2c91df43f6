namespace Tgwatch.Messages;

/// <summary>Whether the message a reply points to has been read.</summary>
public enum ReplyState
{
    /// <summary>The replied-to message was read: <see cref="ReplyRef.Text"/> holds its text (JSON <c>"resolved"</c>).</summary>
    Resolved,

    /// <summary>
    /// Not (yet) read: the connector gave only the reference, or reading it failed within the deadline
    /// (JSON <c>"unresolved"</c>). The pipeline keeps trying in the background.
    /// </summary>
    Unresolved,
}
