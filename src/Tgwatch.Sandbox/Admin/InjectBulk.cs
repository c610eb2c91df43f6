namespace Tgwatch.Sandbox.Admin;

/// <summary>
/// Many text messages at once (<c>POST /sandbox/messages/bulk</c>), for load and chaos tests: message i
/// (from 1) goes to <c>chat_ids[(i - 1) % chat_ids.Count]</c> with the text "<see cref="Text"/> i".
/// </summary>
public sealed class InjectBulk
{
    /// <summary>The bot (see <see cref="InjectMessage.BotId"/>).</summary>
    public long? BotId { get; init; }

    /// <summary>The chats, in turn.</summary>
    public required IReadOnlyList<long> ChatIds { get; init; }

    /// <summary>How many messages (1 to 100,000).</summary>
    public required int Count { get; init; }

    /// <summary>Text before each message's number; "message" when absent.</summary>
    public string? Text { get; init; }

    /// <summary>True for channel posts (the chats are channels).</summary>
    public bool Channel { get; init; }
}

/// <summary>What a bulk injection queued: the update ids are consecutive from first to last.</summary>
/// <param name="Count">Messages injected.</param>
/// <param name="Queued">Updates queued for the bot (fewer than <paramref name="Count"/> when allowed_updates refuses them).</param>
/// <param name="FirstUpdateId">Id of the first queued update.</param>
/// <param name="LastUpdateId">Id of the last queued update.</param>
public sealed record BulkResult(int Count, int Queued, int? FirstUpdateId, int? LastUpdateId);
