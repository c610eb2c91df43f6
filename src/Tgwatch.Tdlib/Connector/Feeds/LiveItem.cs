using Tgwatch.Tdlib.Updates;

namespace Tgwatch.Tdlib.Connector.Feeds;

/// <summary>What the update loop hands to a chat's feed.</summary>
internal abstract record LiveItem;

/// <summary>A new message (or one this client sent that now has its server id).</summary>
internal sealed record LiveNew(TdMappedMessage Message) : LiveItem;

/// <summary>A message was edited: the feed reads it again.</summary>
internal sealed record LiveEdit(long TdMessageId) : LiveItem;

/// <summary>Messages deleted for good.</summary>
internal sealed record LiveDelete(IReadOnlyList<long> TdMessageIds, DateTimeOffset When) : LiveItem;

/// <summary>The chat catches up from its history (after a reconnection).</summary>
internal sealed record CatchUp : LiveItem
{
    public static CatchUp Instance { get; } = new();
}
