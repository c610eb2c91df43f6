namespace Tgwatch.Sandbox.Wire;

/// <summary>Bot API <c>User</c>, as Telegram writes it (the bot-only fields appear in getMe's answer alone).</summary>
internal sealed record WireUser(
    long Id,
    bool IsBot,
    string FirstName,
    string? LastName = null,
    string? Username = null,
    bool? CanJoinGroups = null,
    bool? CanReadAllGroupMessages = null,
    bool? SupportsInlineQueries = null)
{
    /// <summary>The same user without the getMe-only fields (how a bot appears as a message's sender).</summary>
    public WireUser AsSender() => this with { CanJoinGroups = null, CanReadAllGroupMessages = null, SupportsInlineQueries = null };
}
