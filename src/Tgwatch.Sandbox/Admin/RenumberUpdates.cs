namespace Tgwatch.Sandbox.Admin;

/// <summary>
/// Acts out what Telegram does after a week without updates (<c>POST /sandbox/update-ids</c>): "the identifier of
/// the next update will be chosen randomly instead of sequentially", so possibly below the ids before it.
/// </summary>
public sealed class RenumberUpdates
{
    /// <summary>The bot (see <see cref="InjectMessage.BotId"/>).</summary>
    public long? BotId { get; init; }

    /// <summary>The id of the next update (1 to 2,147,483,647); the ones after it follow one by one.</summary>
    public required int Next { get; init; }
}
