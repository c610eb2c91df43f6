using Tgwatch.Faults;

namespace Tgwatch.Connectors;

/// <summary>The outcome of reading a replied-to message.</summary>
/// <param name="Found">True when the message was read.</param>
/// <param name="Text">Its text or caption.</param>
/// <param name="Fault">For a failure, its kind (a message that no longer exists is not a failure: Found is false, Fault null).</param>
/// <param name="Error">For a failure, a one-line reason.</param>
public sealed record ReplyResult(bool Found, string? Text = null, FaultKind? Fault = null, string? Error = null)
{
    /// <summary>The message was read.</summary>
    public static ReplyResult Resolved(string? text) => new(true, text);

    /// <summary>The message does not exist (deleted, or never visible to this account): retrying will not help.</summary>
    public static ReplyResult Gone { get; } = new(false);

    /// <summary>Reading failed; worth retrying.</summary>
    public static ReplyResult Failed(FaultKind fault, string error) => new(false, null, fault, error);
}
