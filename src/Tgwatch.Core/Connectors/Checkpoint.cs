namespace Tgwatch.Connectors;

/// <summary>
/// A position in one of a connector's streams: the Bot API has one stream (<c>updates</c>, position =
/// update_id), TDLib one per chat (position = message id). Positions rise within a stream.
/// </summary>
/// <param name="Stream">The stream's name.</param>
/// <param name="Position">The position in it.</param>
public readonly record struct Checkpoint(string Stream, long Position);

/// <summary>One thing a connector delivers, at a position of its stream.</summary>
/// <param name="Message">The message; null for a position with nothing to deliver (an update of a kind not monitored), which completes at once.</param>
/// <param name="Position">Where it sits: the checkpoint may pass it once it is done.</param>
public sealed record Delivery(Messages.TgMessage? Message, Checkpoint Position);
