namespace Tgwatch.Sandbox.Admin;

/// <summary>One injection as the sandbox recorded it (the answer to an injection, and an item of <c>GET /sandbox/injected</c>).</summary>
/// <param name="UpdateId">The update's id; null when the bot's allowed_updates refused it (no update was created).</param>
/// <param name="Kind">message, edited_message, channel_post, edited_channel_post, or the type of a malformed update.</param>
/// <param name="ChatId">The chat (0 for a malformed update).</param>
/// <param name="MessageId">The message (0 for a malformed update).</param>
/// <param name="Date">Unix time of the message.</param>
/// <param name="EditDate">Unix time of the edit, for edits.</param>
/// <param name="Text">Text or caption.</param>
/// <param name="Malformed">True for an update injected as a fault (never a message a client should store).</param>
public sealed record InjectedUpdate(int? UpdateId, string Kind, long ChatId, int MessageId, long Date, long? EditDate, string? Text, bool Malformed = false);
